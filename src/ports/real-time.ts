/**
 * The process's real timers and clocks, captured when threadline loads, before anything can
 * replace them. While a team's own server runs in the simulation, its globals (setTimeout,
 * Date, performance.now, ...) are the run's virtual ones (src/host/globals.ts); the harness's
 * own few real-time uses — the kernel's macrotask turn, wall-clock durations for humans — go
 * through these, so they stay real.
 */
import { performance } from 'node:perf_hooks';

// real-time: captured originals; see the header.
export const realSetImmediate: typeof setImmediate = globalThis.setImmediate;
export const realSetTimeout: typeof setTimeout = globalThis.setTimeout;
export const realClearTimeout: typeof clearTimeout = globalThis.clearTimeout;
const performanceNow = performance.now.bind(performance);
/** Real milliseconds (performance.now), whatever a run has installed. */
export const realNowMs = (): number => performanceNow();
