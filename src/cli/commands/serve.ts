/**
 * `threadline serve`: the unchanged router on a real `ws` server with the real clock. JSON-lines
 * logs on stdout, `/metrics` (Prometheus) and `/healthz` on the same port, graceful shutdown on
 * SIGINT/SIGTERM (accepted runs finish, buffers flush, sockets close with 1001).
 */
import type { Command } from 'commander';
import { parseRouterSpec, RouterSpecError, type RouterConfig } from '../../sut/router/flags.ts';
import { DEFAULT_AGENT_PROFILE, type AgentProfile } from '../../world/backend.ts';
import type { Distribution } from '../../sim/distribution.ts';
import { parseOwnership, signToken } from '../../world/auth.ts';
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_HEARTBEAT_MS, startServer } from '../../run/ws-host.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../../ports/socket.ts';
import { loadOneScenario, parseMsDistribution, readJsonFile, secretFrom } from '../cli-support.ts';
import { EXIT_OK, UsageError, parseNonNegativeInt, parsePositiveInt } from '../errors.ts';

interface ServeFlags {
  port: string;
  host: string;
  router: string;
  secret?: string;
  maxPayload?: string;
  rateLimit?: string;
  heartbeatMs?: string;
  ownership?: string;
  lookupMs?: string;
  profileFrom?: string;
  drainMs?: string;
  seed?: string;
  tokenFor?: string;
  naming?: boolean;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the router on a real WebSocket server (real clock, signed tokens, /metrics, graceful shutdown)')
    .option('--port <p>', 'TCP port (0 = any free port)', '8080')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--router <mode>', 'router mode: legacy, dynamic, shipped, guaranteed (flags: mode+flag, mode-flag, mode+flag=N)', 'guaranteed')
    .option('--secret <s>', 'HMAC secret for tokens (default: env THREADLINE_SECRET)')
    .option('--max-payload <bytes>', `largest accepted frame; bigger closes the connection with 1009 (default ${DEFAULT_MAX_PAYLOAD_BYTES})`)
    .option('--rate-limit <frames/s>', 'frames per second per connection before `rate_limited` error frames (default 200)')
    .option('--heartbeat-ms <ms>', `ping every ms; a connection that missed the last pong is terminated; 0 = off (default ${DEFAULT_HEARTBEAT_MS})`)
    .option('--ownership <file>', 'JSON file mapping user ids to the threads they own: {"u1": ["A", "B"]}')
    .option('--no-naming', 'turn off the default rule "thread <user>-<suffix> belongs to <user>"')
    .option('--lookup-ms <ms|lo-hi>', 'ownership look-up latency of the thread service, e.g. 10 or 5-20 (default 0)')
    .option('--profile-from <scenario>', "take look-up latency, agent durations, start-up injection delay, rate limit and ownership from a scenario script")
    .option('--drain-ms <ms>', `graceful shutdown: wait up to ms for accepted runs to finish (default ${DEFAULT_DRAIN_TIMEOUT_MS})`)
    .option('--seed <n>', 'seed of the router\'s random streams (look-up and agent durations)', '1')
    .option('--token-for <user>', 'print a signed token for <user> with the secret, and exit')
    .addHelpText(
      'after',
      `
Tokens: base64url(userId) + "." + base64url(HMAC-SHA256(secret, userId)), sent as ?token=... or
"Authorization: Bearer <token>"; a missing or bad token is refused at the upgrade with HTTP 401.
Ownership: threads listed in --ownership belong to their user; any other thread "<user>-<suffix>"
(suffix without "-") belongs to <user> (--no-naming turns this off). Foreign threads get an
error frame "forbidden". Logs: one JSON object per line on stdout. See docs/real-sockets.md.

Examples:
  $ export THREADLINE_SECRET=change-me
  $ threadline serve --port 8080 --router dynamic
  $ threadline serve --token-for u1                      print u1's token
  $ threadline serve --port 8080 --router dynamic --profile-from rapid-send
  $ curl -s localhost:8080/metrics | grep threadline_routing_failures_total
  $ threadline probe ws://127.0.0.1:8080/ws --scenario rapid-send`,
    )
    .action(async (flags: ServeFlags) => {
      process.exitCode = await serveCommand(flags);
    });
}

async function serveCommand(flags: ServeFlags): Promise<number> {
  const secret = secretFrom(flags.secret);
  if (secret === null) throw new UsageError('serve needs a secret to sign and check tokens: pass --secret <s> or set THREADLINE_SECRET');
  if (flags.tokenFor !== undefined) {
    process.stdout.write(`${signToken(secret, flags.tokenFor)}\n`);
    return EXIT_OK;
  }
  let config: RouterConfig;
  try {
    config = parseRouterSpec(flags.router);
  } catch (error) {
    if (error instanceof RouterSpecError) throw new UsageError(error.message);
    throw error;
  }
  const port = parseNonNegativeInt(flags.port, '--port');
  if (port > 65_535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  let ownership: Record<string, string[]> = {};
  let lookupMs: Distribution | undefined;
  let agentProfile: AgentProfile | undefined;
  let injectionDelayMs: number | undefined;
  let rateLimitPerS: number | undefined;
  if (flags.profileFrom !== undefined) {
    const { spec } = await loadOneScenario(flags.profileFrom);
    for (const u of spec.users) ownership[u.id] = [...u.threads];
    lookupMs = spec.server?.lookupMs;
    injectionDelayMs = spec.server?.injectionDelayMs;
    rateLimitPerS = spec.server?.rateLimitPerS;
    const a = spec.agent ?? {};
    agentProfile = {
      startMs: a.startMs ?? DEFAULT_AGENT_PROFILE.startMs,
      thinkMs: a.thinkMs ?? DEFAULT_AGENT_PROFILE.thinkMs,
      toolCalls: a.toolCalls ?? DEFAULT_AGENT_PROFILE.toolCalls,
      toolMs: a.toolMs ?? DEFAULT_AGENT_PROFILE.toolMs,
      finishMs: a.finishMs ?? DEFAULT_AGENT_PROFILE.finishMs,
    };
  }
  if (flags.ownership !== undefined) {
    try {
      ownership = { ...ownership, ...parseOwnership(readJsonFile(flags.ownership, 'ownership'), flags.ownership) };
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError((error as Error).message);
    }
  }
  if (flags.lookupMs !== undefined) lookupMs = parseMsDistribution(flags.lookupMs, '--lookup-ms');
  if (flags.rateLimit !== undefined) rateLimitPerS = parsePositiveInt(flags.rateLimit, '--rate-limit');
  const maxPayloadBytes = flags.maxPayload !== undefined ? parsePositiveInt(flags.maxPayload, '--max-payload') : undefined;
  const heartbeatMs = flags.heartbeatMs !== undefined ? parseNonNegativeInt(flags.heartbeatMs, '--heartbeat-ms') : undefined;
  const drainTimeoutMs = flags.drainMs !== undefined ? parseNonNegativeInt(flags.drainMs, '--drain-ms') : undefined;
  const seed = parseNonNegativeInt(flags.seed ?? '1', '--seed');

  const write = (record: Record<string, unknown>): void => {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
  };
  let server;
  try {
    server = await startServer({
      config,
      secret,
      port,
      host: flags.host,
      seed,
      ownership,
      ownershipByNaming: flags.naming !== false,
      ...(maxPayloadBytes !== undefined ? { maxPayloadBytes } : {}),
      ...(rateLimitPerS !== undefined ? { rateLimitPerS } : {}),
      ...(heartbeatMs !== undefined ? { heartbeatMs } : {}),
      ...(lookupMs !== undefined ? { lookupMs } : {}),
      ...(agentProfile !== undefined ? { agentProfile } : {}),
      ...(injectionDelayMs !== undefined ? { injectionDelayMs } : {}),
      ...(drainTimeoutMs !== undefined ? { drainTimeoutMs } : {}),
      log: write,
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${flags.host} is already in use; pick another --port (0 = any free port)`);
    if (e.code === 'EACCES') throw new UsageError(`not allowed to listen on ${flags.host}:${port}; use a port above 1023`);
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') throw new UsageError(`cannot listen on --host ${flags.host}: no such local address`);
    throw error;
  }
  const running = server;
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) {
        write({ level: 'warn', msg: 'second signal: closing at once', signal });
        void running.close({ graceful: false }).then(resolve);
        return;
      }
      write({ level: 'info', msg: 'signal received: graceful shutdown', signal });
      void running.close().then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return EXIT_OK;
}
