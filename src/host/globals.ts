/**
 * Virtual time and seeded randomness for a server's own code, installed while one of its runs
 * is active and removed after it: nothing is patched outside a run.
 *
 *  - time: setTimeout, setInterval, setImmediate and their clear*, the same functions of the
 *    `timers` module, `timers/promises` (setTimeout, setImmediate, setInterval), Date (the
 *    constructor without arguments and Date.now), performance.now, process.hrtime and
 *    process.uptime — all on the run's clock
 *    (virtual µs; Date starts at VIRTUAL_EPOCH_MS);
 *  - randomness: Math.random, crypto.randomUUID, randomBytes, randomFill(Sync), randomInt and
 *    getRandomValues (the `crypto` module's and the global Web Crypto's), all from one seeded
 *    stream of the run;
 *  - process.nextTick: a microtask on the run's clock (Node's own nextTick queue waits for the
 *    microtask queue to empty, which the kernel's drain keeps busy);
 *
 *  - the console: console.log/info/debug/warn/error go to the run's server log (warnings are
 *    counted by template, as the built-in router's are), not to the terminal;
 *  - escapes: what would leave the simulation — a real listening or outgoing socket
 *    (net.Server.listen unless a ws `{ server }` owns it, net.connect, net.Socket.connect,
 *    tls.connect, http(s).request, fetch, dgram), a worker thread, a child process, process.exit —
 *    throws an EscapeError naming it and the call site, and
 *    the run fails with it even if the server's code catches it.
 *
 * Written here rather than with @sinonjs/fake-timers (which can be driven by an external clock):
 * the kernel already is the clock, and the server's timers must be kernel events so they
 * interleave with the network's in (time, sequence) order, with no second queue to keep in step;
 * fake-timers also leaves randomness and timers/promises to others.
 *
 * The module objects of `timers`, `timers/promises` and `crypto` are patched and
 * `syncBuiltinESMExports()` carries it to their ESM named exports, so `import { setTimeout }
 * from 'node:timers/promises'` in the server sees the virtual one.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { performance } from 'node:perf_hooks';
import { format } from 'node:util';
import type { ServerLog } from '../ports/server.ts';
import type { Clock } from '../ports/clock.ts';
import type { Random } from '../ports/random.ts';
import type { VirtualTimers } from './virtual-timers.ts';

/** What Date says at virtual time 0: 2026-01-01T00:00:00Z. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1);

const require = createRequire(import.meta.url);
const timersModule = require('node:timers') as Record<string, unknown>;
const timersPromises = require('node:timers/promises') as Record<string, unknown>;
const cryptoModule = require('node:crypto') as Record<string, unknown>;
const netModule = require('node:net') as Record<string, unknown> & { Server: { prototype: object }; Socket: { prototype: object } };
const httpModule = require('node:http') as Record<string, unknown>;
const httpsModule = require('node:https') as Record<string, unknown>;
const childProcess = require('node:child_process') as Record<string, unknown>;
const workerThreads = require('node:worker_threads') as Record<string, unknown>;
const tlsModule = require('node:tls') as Record<string, unknown>;
const dgramModule = require('node:dgram') as Record<string, unknown>;

/** The server's code reached outside the simulation. */
export class EscapeError extends Error {
  override readonly name = 'EscapeError';
  constructor(
    readonly what: string,
    readonly where: string,
  ) {
    super(
      `${what}: the server's code reached outside the simulation (${where}). threadline runs it on a simulated network and a virtual clock; ` +
        'a real socket, thread, process or clock would make the run depend on the machine. Move that call behind a module you can stub, or judge this server live with threadline probe.',
    );
  }
}

/** The first stack frame outside threadline and Node's internals: where the server made the call. */
function callSite(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  const frame = lines.find((l) => !l.includes('/src/host/') && !l.includes('node:internal') && !l.includes('(node:'));
  return frame ? frame.trim().replace(/[?&]threadline-run=\d+/, '') : 'at an unknown place';
}

/** What to undo: (object, key, its original descriptor, or undefined when it had none). */
type Saved = Array<[object, PropertyKey, PropertyDescriptor | undefined]>;

export interface Installed {
  uninstall(): void;
}

let installed: Saved | null = null;

/** Install the run's virtual time and randomness; throws if another run's are installed. */
export function installVirtualGlobals(
  clock: () => Clock | null,
  timers: VirtualTimers,
  rng: Random,
  log: () => ServerLog | null,
  onEscape: (error: EscapeError) => void,
  /** True for an HTTP server whose listen() belongs to the simulation (a ws `{ server }`). */
  simulatedListen: (server: object) => boolean = () => false,
  /** An error of the server's code that nothing caught (an unhandled rejection). */
  onUncaught: (error: unknown, where: string) => void = () => undefined,
): Installed {
  if (installed) throw new Error('virtual globals are already installed: two own-server runs cannot be active at once in one thread');
  const saved: Saved = [];
  const set = (target: object, key: PropertyKey, value: unknown): void => {
    const original = Object.getOwnPropertyDescriptor(target, key);
    saved.push([target, key, original]);
    if (original && !original.configurable) {
      // e.g. crypto.getRandomValues: not configurable, but writable: assign (and assign back).
      if (!original.writable) throw new Error(`cannot virtualise ${String(key)}: the property is read-only`);
      (target as Record<PropertyKey, unknown>)[key] = value;
      return;
    }
    Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: original?.enumerable ?? true });
  };
  const undo = (): void => {
    for (const [target, key, descriptor] of [...saved].reverse()) {
      if (descriptor && !descriptor.configurable) (target as Record<PropertyKey, unknown>)[key] = descriptor.value;
      else if (descriptor) Object.defineProperty(target, key, descriptor);
      else delete (target as Record<PropertyKey, unknown>)[key];
    }
    syncBuiltinESMExports();
  };
  try {
    const nowUs = (): number => clock()?.now() ?? 0;
    const nowMs = (): number => VIRTUAL_EPOCH_MS + Math.floor(nowUs() / 1_000);

    // ---- time ----
    for (const target of [globalThis, timersModule]) {
      set(target, 'setTimeout', timers.setTimeout);
      set(target, 'setInterval', timers.setInterval);
      set(target, 'setImmediate', timers.setImmediate);
      set(target, 'clearTimeout', timers.clearTimeout);
      set(target, 'clearInterval', timers.clearInterval);
      set(target, 'clearImmediate', timers.clearImmediate);
    }
    set(timersPromises, 'setTimeout', (delayMs?: number, value?: unknown) => new Promise((resolve) => timers.setTimeout(() => resolve(value), delayMs)));
    set(timersPromises, 'setImmediate', (value?: unknown) => new Promise((resolve) => timers.setImmediate(() => resolve(value))));
    set(timersPromises, 'setInterval', async function* (delayMs?: number, value?: unknown) {
      for (;;) {
        await new Promise((resolve) => timers.setTimeout(resolve, delayMs));
        yield value;
      }
    });
    const RealDate = Date;
    class VirtualDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(nowMs());
        else super(...(args as [string]));
      }
      static override now(): number {
        return nowMs();
      }
    }
    // `Date()` without `new` returns the time as a string, as the real one does.
    const callableDate = new Proxy(VirtualDate, { apply: () => new RealDate(nowMs()).toString() });
    set(globalThis, 'Date', callableDate);
    set(performance, 'now', () => nowUs() / 1_000);

    // ---- randomness ----
    set(Math, 'random', () => rng.float());
    const bytes = (n: number): Buffer => {
      const b = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) b[i] = rng.int(0, 255);
      return b;
    };
    const fill = <T extends ArrayBufferView>(view: T): T => {
      const b = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      for (let i = 0; i < b.length; i++) b[i] = rng.int(0, 255);
      return view;
    };
    const uuid = (): string => {
      const b = bytes(16);
      b[6] = (b[6]! & 0x0f) | 0x40; // version 4
      b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
      const h = b.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    };
    const randomBytes = (n: number, callback?: (error: Error | null, buf: Buffer) => void): Buffer | undefined => {
      const b = bytes(n);
      if (callback) {
        timers.setImmediate(() => callback(null, b));
        return undefined;
      }
      return b;
    };
    set(cryptoModule, 'randomUUID', uuid);
    set(cryptoModule, 'randomBytes', randomBytes);
    set(cryptoModule, 'pseudoRandomBytes', randomBytes);
    set(cryptoModule, 'randomFillSync', <T extends ArrayBufferView>(view: T): T => fill(view));
    set(cryptoModule, 'randomFill', <T extends ArrayBufferView>(view: T, ...rest: unknown[]) => {
      const callback = rest.find((a) => typeof a === 'function') as ((error: Error | null, v: T) => void) | undefined;
      fill(view);
      if (callback) timers.setImmediate(() => callback(null, view));
    });
    set(cryptoModule, 'randomInt', (a: number, b?: number | ((e: Error | null, n: number) => void), c?: (e: Error | null, n: number) => void) => {
      const [min, max, callback] = typeof b === 'number' ? [a, b, c] : [0, a, b];
      const n = min + Math.floor(rng.float() * (max - min));
      if (typeof callback === 'function') {
        timers.setImmediate(() => callback(null, n));
        return undefined;
      }
      return n;
    });
    // crypto.getRandomValues is a fixed getter that hands out the Web Crypto instance's method:
    // patching the instance (below) covers both.
    const web = globalThis.crypto as unknown as object | undefined;
    if (web) {
      set(web, 'randomUUID', uuid);
      set(web, 'getRandomValues', fill);
    }
    // ---- the console ----
    const toLog = (level: 'info' | 'warn' | 'error') => (...args: unknown[]) => log()?.[level](format(...args));
    set(console, 'log', toLog('info'));
    set(console, 'info', toLog('info'));
    set(console, 'debug', toLog('info'));
    set(console, 'warn', toLog('warn'));
    set(console, 'error', toLog('error'));

    // ---- escapes ----
    const escape = (what: string) =>
      function escaped(): never {
        const error = new EscapeError(what, callSite());
        onEscape(error);
        throw error;
      };
    const realListen = escape('net.Server.listen (a real listening socket)');
    set(netModule.Server.prototype, 'listen', function listen(this: { emit(event: string): boolean }, ...args: unknown[]) {
      if (!simulatedListen(this)) return realListen();
      const callback = args.find((a) => typeof a === 'function') as (() => void) | undefined;
      timers.setImmediate(() => {
        this.emit('listening');
        callback?.();
      });
      return this;
    });
    set(netModule, 'connect', escape('net.connect (a real outgoing socket)'));
    set(netModule, 'createConnection', escape('net.createConnection (a real outgoing socket)'));
    for (const [mod, name] of [[httpModule, 'http'], [httpsModule, 'https']] as const) {
      set(mod, 'request', escape(`${name}.request (a real outgoing request)`));
      set(mod, 'get', escape(`${name}.get (a real outgoing request)`));
    }
    for (const fn of ['spawn', 'fork', 'exec', 'execFile', 'spawnSync', 'execSync', 'execFileSync']) set(childProcess, fn, escape(`child_process.${fn} (a real process)`));
    set(workerThreads, 'Worker', escape('new Worker (a real thread)'));
    set(netModule.Socket.prototype as object, 'connect', escape('net.Socket.connect (a real outgoing socket)'));
    set(tlsModule, 'connect', escape('tls.connect (a real outgoing socket)'));
    set(dgramModule, 'createSocket', escape('dgram.createSocket (a real UDP socket)'));
    if (typeof globalThis.fetch === 'function') set(globalThis, 'fetch', escape('fetch (a real outgoing request)'));
    set(process, 'exit', escape('process.exit (the server would end the whole run)'));
    // process.nextTick would wait for the microtask queue to empty, which the kernel's drain keeps
    // busy: on the run's clock it is a microtask that counts as kernel activity (a clock read).
    set(process, 'nextTick', (callback: (...args: unknown[]) => void, ...args: unknown[]) => {
      nowUs();
      queueMicrotask(() => callback(...args));
    });
    const hrtime = Object.assign(
      (previous?: [number, number]): [number, number] => {
        const ns = BigInt(Math.round(nowUs())) * 1_000n;
        const t: [number, number] = [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
        if (!previous) return t;
        const d = (t[0] - previous[0]) * 1e9 + (t[1] - previous[1]);
        return [Math.floor(d / 1e9), d % 1e9];
      },
      { bigint: (): bigint => BigInt(Math.round(nowUs())) * 1_000n },
    );
    set(process, 'hrtime', hrtime);
    set(process, 'uptime', () => nowUs() / 1_000_000);
  } catch (error) {
    undo(); // a patch that failed midway leaves nothing behind
    throw error;
  }
  syncBuiltinESMExports();
  installed = saved;
  // A promise of the server's code rejected and nobody caught it: the server's uncaught error.
  const onUnhandled = (reason: unknown): void => onUncaught(reason, 'a promise nobody handled (unhandledRejection)');
  process.on('unhandledRejection', onUnhandled);
  return {
    uninstall() {
      if (installed !== saved) return;
      undo();
      process.removeListener('unhandledRejection', onUnhandled);
      installed = null;
    },
  };
}

/** True while a run's virtual globals are installed (tests). */
export function virtualGlobalsInstalled(): boolean {
  return installed !== null;
}
