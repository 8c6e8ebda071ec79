/** Loopback test clients with bounded waits; everything opened here is closed by `closeAll()`. */
import { WebSocket } from 'ws';
import type { RunningServer } from '../../src/run/ws-host.ts';
import type { RunningProxy } from '../../src/real/proxy.ts';

export interface TestClient {
  ws: WebSocket;
  frames: Array<Record<string, unknown>>;
  /** Resolves with the next frame (already received or future) matching `pred`; rejects after `ms`. */
  next(pred: (f: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  send(frame: unknown): void;
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  /** HTTP status when the upgrade was refused. */
  refused: Promise<number | null>;
}

const open = new Set<WebSocket>();
const servers = new Set<{ close: () => Promise<void> }>();

export function track<T extends RunningServer | RunningProxy>(s: T): T {
  servers.add({ close: () => ('router' in s ? (s as RunningServer).close({ graceful: false }) : s.close()) });
  return s;
}

export async function closeAll(): Promise<void> {
  for (const ws of open) ws.terminate();
  open.clear();
  for (const s of servers) await s.close();
  servers.clear();
}

export function client(url: string, options: { headers?: Record<string, string> } = {}): TestClient {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...(options.headers ? { headers: options.headers } : {}) });
  open.add(ws);
  const frames: Array<Record<string, unknown>> = [];
  const waiters: Array<{ pred: (f: Record<string, unknown>) => boolean; resolve: (f: Record<string, unknown>) => void; from: number }> = [];
  let cursor = 0;
  ws.on('message', (data: Buffer) => {
    let f: Record<string, unknown>;
    try {
      f = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
    } catch {
      f = { type: '<not json>', raw: data.toString('utf8') };
    }
    frames.push(f);
    for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i]!;
      if (w.pred(f)) {
        waiters.splice(i--, 1);
        w.resolve(f);
      }
    }
  });
  let refusedResolve: (s: number | null) => void = () => {};
  const refused = new Promise<number | null>((r) => (refusedResolve = r));
  ws.on('unexpected-response', (_req, res) => {
    refusedResolve(res.statusCode ?? 0);
    res.resume();
    ws.terminate();
  });
  ws.on('error', () => {});
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      refusedResolve(null);
      resolve();
    });
    ws.once('close', () => reject(new Error('closed before open')));
  });
  opened.catch(() => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
  return {
    ws,
    frames,
    opened,
    closed,
    refused,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next(pred, ms = 3_000) {
      for (let i = cursor; i < frames.length; i++) {
        if (pred(frames[i]!)) {
          cursor = i + 1;
          return Promise.resolve(frames[i]!);
        }
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(frames.slice(-5))}`)), ms);
        waiters.push({
          pred,
          from: frames.length,
          resolve: (f) => {
            clearTimeout(timer);
            cursor = frames.indexOf(f) + 1;
            resolve(f);
          },
        });
      });
    },
  };
}

export const ofType = (type: string) => (f: Record<string, unknown>): boolean => f['type'] === type;

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
