/**
 * Benchmark of the simulated network: frames carried end to end through simulated links, per
 * second of real time, including the kernel, the RNG draws and trace recording (hash on,
 * records not kept, as in a long campaign).
 *
 * Workload ("chat-like echo"): 100 links with the default profile (handshake 2 ms, latency
 * uniform 1–5 ms). Every 10 ms of virtual time each client sends a burst of 10 frames of about
 * 60 bytes. The server echoes every frame. The run lasts 1 s of virtual time:
 * 100 × 10 × 100 × 2 = 200,000 frames delivered. Deliveries fall on nearly distinct
 * microseconds, so the kernel drains microtasks once for most frames: that cost is measured
 * too, on purpose.
 *
 * Real time (performance.now) is read here only: the bench measures the simulation from
 * outside it.
 */
import { performance } from 'node:perf_hooks';
import { createRandom } from '../src/sim/rng.ts';
import { Scheduler } from '../src/sim/scheduler.ts';
import { Trace } from '../src/sim/trace.ts';
import { SimNetwork } from '../src/sim/network.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const LINKS = 100;
const BURST_FRAMES = 10;
const BURST_EVERY_US = 10_000;
const BURSTS = 100;

/** One run of the workload; returns frames delivered and real milliseconds taken. */
async function runOnce(seed: number, withTrace: boolean): Promise<{ frames: number; realMs: number; traceHash: string }> {
  const trace = withTrace ? new Trace({ keepRecords: false }) : undefined;
  const scheduler = new Scheduler({ seed, traceTimers: false });
  const net = new SimNetwork({ scheduler, rng: createRandom(seed).fork('net'), ...(trace ? { trace } : {}) });
  net.listen((socket) => {
    socket.on('message', (data) => socket.send(data));
  });
  const payload = JSON.stringify({ type: 'agent.event', thread: 't-0001', seq: 0, body: 'x'.repeat(12) });
  const start = performance.now();
  for (let i = 0; i < LINKS; i++) {
    const client = net.connect({ url: `/ws?thread_id=t${i}`, label: `c${i}` });
    let bursts = 0;
    const burst = (): void => {
      for (let k = 0; k < BURST_FRAMES; k++) client.send(payload);
      if (++bursts < BURSTS) scheduler.setTimer(BURST_EVERY_US, burst, 'bench/burst');
    };
    client.on('open', burst);
  }
  await scheduler.runUntilIdle();
  const realMs = performance.now() - start;
  let frames = 0;
  for (const link of net.links()) frames += link.frameCounts('toServer').delivered + link.frameCounts('toClient').delivered;
  const expected = LINKS * BURST_FRAMES * BURSTS * 2;
  if (frames !== expected) throw new Error(`bench: expected ${expected} frames delivered, got ${frames}`);
  return { frames, realMs, traceHash: trace?.hash() ?? '' };
}

export async function benchNetwork(): Promise<BenchResult[]> {
  await runOnce(1, true); // warm-up (JIT)
  const traced: number[] = [];
  const untraced: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const a = await runOnce(2 + rep, true);
    traced.push(a.frames / (a.realMs / 1000));
    const b = await runOnce(2 + rep, false);
    untraced.push(b.frames / (b.realMs / 1000));
  }
  return [
    { name: 'network_frames_per_s', value: Math.round(median(traced)), unit: 'frames/s' },
    { name: 'network_frames_per_s_untraced', value: Math.round(median(untraced)), unit: 'frames/s' },
  ];
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
