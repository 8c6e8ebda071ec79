/**
 * `threadline proxy`: a frame-aware WebSocket chaos proxy with a seeded, reproducible fault
 * schedule and a JSON-lines trace of every frame and fault (src/real/proxy.ts).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Command } from 'commander';
import { ProxyScheduleError, startProxy, validateSchedule, type ProxySchedule } from '../../real/proxy.ts';
import { readJsonFile } from '../cli-support.ts';
import { EXIT_OK, UsageError, parseNonNegativeInt } from '../errors.ts';

interface ProxyFlags {
  listen?: string;
  target?: string;
  host: string;
  seed: string;
  schedule?: string;
  trace?: string;
}

export function register(program: Command): void {
  program
    .command('proxy')
    .description('a WebSocket chaos proxy: seeded latency, jitter, bandwidth, partitions, drops, half-open links and slow closes, frame by frame')
    .option('--listen <port>', 'port to listen on (0 = any free port)')
    .option('--target <ws-url>', 'the server to relay to, e.g. ws://127.0.0.1:8080 (client path and query are kept)')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--seed <n>', 'seed of the fault schedule and of latency draws', '1')
    .option('--schedule <file>', 'JSON fault schedule (see below)')
    .option('--trace <file>', 'write the JSON-lines trace here instead of stdout')
    .addHelpText(
      'after',
      `
Schedule (all times in ms; distributions as in scenarios, or plain numbers):
  {
    "latencyMs": {"kind": "uniform", "min": 1, "max": 5}, "jitterMs": 0,
    "toClient": {"bandwidthBytesPerS": 20000},          per-direction overrides (toServer, toClient)
    "slowCloseMs": 200,
    "faults": [
      {"kind": "partition", "at": 2000, "durationMs": 500, "then": "release"},
      {"kind": "drop", "afterFrames": 5, "direction": "toClient", "connections": [1]},
      {"kind": "half-open", "at": 4000, "connections": ["t1#1"]},
      {"kind": "latency", "at": 1000, "direction": "toClient", "latencyMs": 50},
      {"kind": "bandwidth", "afterFrames": 3, "direction": "toClient", "bytesPerS": 1000}
    ],
    "random": {"drop": 0.2, "halfOpen": 0.1, "partition": 0.1, "partitionMs": 500, "afterFrames": [1, 20]}
  }
"at" is ms after the proxy started; "afterFrames" fires on a connection's n-th frame (per
direction, or both); "connections" is "all" (default; also connections opened while a partition
lasts), 1-based accept numbers, or labels (the x-threadline-conn header). Random faults are drawn
per connection from --seed: the same seed and connection order give the same faults.
Trace lines: {"t","conn","n","event","dir","bytes","frame","delayMs","fault"}.

Examples:
  $ threadline proxy --listen 9000 --target ws://127.0.0.1:8080 --seed 7 --schedule chaos.json > proxy.jsonl
  $ threadline probe ws://127.0.0.1:9000/ws --scenario rapid-send`,
    )
    .action(async (flags: ProxyFlags) => {
      process.exitCode = await proxyCommand(flags);
    });
}

async function proxyCommand(flags: ProxyFlags): Promise<number> {
  if (flags.listen === undefined) throw new UsageError('proxy needs --listen <port>');
  if (flags.target === undefined) throw new UsageError('proxy needs --target <ws-url>, e.g. ws://127.0.0.1:8080');
  const port = parseNonNegativeInt(flags.listen, '--listen');
  if (port > 65_535) throw new UsageError(`--listen must be at most 65535, got ${port}`);
  const seed = parseNonNegativeInt(flags.seed, '--seed');
  try {
    const u = new URL(flags.target);
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error('not ws');
  } catch {
    throw new UsageError(`--target must be a ws:// or wss:// URL, got "${flags.target}"`);
  }
  let schedule: ProxySchedule = {};
  if (flags.schedule !== undefined) {
    try {
      schedule = validateSchedule(readJsonFile(flags.schedule, 'schedule'), flags.schedule);
    } catch (error) {
      if (error instanceof ProxyScheduleError) throw new UsageError(error.message);
      throw error;
    }
  }
  let file: WriteStream | null = null;
  if (flags.trace !== undefined) file = createWriteStream(flags.trace, { flags: 'w' });
  const write = (line: string): void => {
    if (file) file.write(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  };
  let proxy;
  try {
    proxy = await startProxy({ target: flags.target, port, host: flags.host, seed, schedule, keepRecords: false, onRecord: (r) => write(JSON.stringify(r)) });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new UsageError(`port ${port} is already in use; pick another --listen`);
    if (error instanceof ProxyScheduleError) throw new UsageError(error.message);
    throw error;
  }
  process.stderr.write(`threadline proxy: ${proxy.url} → ${flags.target} (seed ${seed}); trace ${flags.trace ?? 'on stdout'}; Ctrl-C stops\n`);
  const running = proxy;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      void running.close().then(() => {
        if (file) file.end(() => resolve());
        else resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT_OK;
}
