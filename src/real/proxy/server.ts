/**
 * `startProxy`: the HTTP server that takes WebSocket upgrades, opens the upstream connection of
 * each (after the link's handshake delay), and relays frames through the connection's lanes.
 * A handshake the target refuses is refused to the client with the same HTTP status.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { RealClock } from '../real-clock.ts';
import { ProxyCore } from './core.ts';
import { ProxyFaults } from './faults.ts';
import { toBuffer } from './frames.ts';
import { ProxyScheduleError, validateSchedule } from './schedule.ts';
import type { ProxyOptions, RunningProxy } from './types.ts';

const MAX_PAYLOAD = 100 * 1024 * 1024;
const HOP_HEADERS = new Set(['host', 'connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-accept', 'content-length', 'transfer-encoding', 'keep-alive']);

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const { hopCreditUs, ...fromFile } = options.schedule ?? {};
  const schedule = { ...validateSchedule(fromFile), ...(hopCreditUs !== undefined ? { hopCreditUs } : {}) };
  const clock = options.clock ?? new RealClock({ ref: false, spinUs: 0 });
  const ownsClock = options.clock === undefined;
  const core = new ProxyCore(clock, schedule, options.seed ?? 1, options.onRecord, options.keepRecords ?? true, options.maxRecords ?? 200_000, options.onParked, options.onTransmitted, options.linkRandom);
  const faults = new ProxyFaults(core);
  const target = new URL(options.target);
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:') throw new ProxyScheduleError(`--target must be a ws:// or wss:// URL, got "${options.target}"`);
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_PAYLOAD });
  const pendingSockets = new Set<Socket>();

  const http: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('threadline proxy: WebSocket only\n');
  });

  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => {});
    pendingSockets.add(socket);
    const reqUrl = new URL(req.url ?? '/', 'ws://proxy');
    const upstreamUrl = new URL(target.href);
    if (target.pathname === '/' || target.pathname === '') upstreamUrl.pathname = reqUrl.pathname;
    upstreamUrl.search = reqUrl.search || target.search;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || HOP_HEADERS.has(k.toLowerCase())) continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const labelHeader = req.headers['x-threadline-conn'];
    const link = core.newLink(typeof labelHeader === 'string' && labelHeader ? labelHeader : `p${core.links.length + 1}`);
    // Killed before the client got its upgrade: the client sees the connection fail (1006).
    link.abortHandshake = () => socket.destroy();
    socket.once('close', () => {
      pendingSockets.delete(socket);
      link.clientGone(); // a no-op once the upgrade completed
    });

    link.startHandshake(() => {
      const upstream = new WebSocket(upstreamUrl.href, { headers, perMessageDeflate: false, maxPayload: MAX_PAYLOAD });
      link.upstream = upstream;
      upstream.on('error', () => {});
      upstream.on('unexpected-response', (_r, res) => {
        core.record(link, { event: 'refused', code: res.statusCode ?? 0, detail: `target refused the handshake: HTTP ${res.statusCode}` });
        const status = res.statusCode ?? 502;
        socket.end(`HTTP/1.1 ${status} ${res.statusMessage ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        link.state = 'closed';
        res.resume();
        upstream.terminate();
      });
      upstream.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => link.arrive('toClient', { kind: 'data', data: toBuffer(data), isBinary }));
      upstream.on('close', (code: number, reason: Buffer) => {
        link.sideClosed('upstream');
        if (link.client === null) {
          if (link.state === 'connecting') {
            link.state = 'closed';
            core.record(link, { event: 'refused', detail: 'target closed before the handshake completed' });
            socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          }
          return;
        }
        link.arrive('toClient', { kind: 'close', code, reason: reason.toString(), abrupt: code === 1006 });
      });
      upstream.on('open', () => {
        // Killed meanwhile, or half-open (a half-open link never completes its handshake).
        if (link.state !== 'connecting') {
          upstream.terminate();
          return;
        }
        wss.handleUpgrade(req, socket, head, (client) => {
          pendingSockets.delete(socket);
          core.record(link, { event: 'open', detail: upstreamUrl.pathname });
          client.on('error', () => {});
          client.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => link.arrive('toServer', { kind: 'data', data: toBuffer(data), isBinary }));
          client.on('close', (code: number, reason: Buffer) => {
            link.sideClosed('client');
            link.arrive('toServer', { kind: 'close', code, reason: reason.toString(), abrupt: code === 1006 });
          });
          link.attachClient(client);
        });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      http.removeListener('error', reject);
      resolve();
    });
  });
  faults.armTimed();
  const port = (http.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  let closing: Promise<void> | null = null;
  return {
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    records: core.records,
    connections: () =>
      core.links.map((l) => ({ n: l.n, label: l.label, state: l.fullyClosed && l.state !== 'half-open' ? 'closed' : l.state, partitioned: l.partitions > 0, frames: { ...l.frames } })),
    partition: (sel, o) => faults.partition(sel, o.durationMs, o.then),
    drop: (sel) => faults.drop(sel),
    halfOpen: (sel) => faults.halfOpen(sel),
    setBandwidth: (sel, d, b) => faults.setBandwidth(sel, d, b),
    setLatency: (sel, d, l, j) => faults.setLatency(sel, d, l, j),
    close: () =>
      (closing ??= (async () => {
        for (const l of core.links) l.dispose();
        for (const s of pendingSockets) s.destroy();
        http.closeAllConnections?.();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        if (ownsClock && clock instanceof RealClock) clock.dispose();
      })()),
  };
}
