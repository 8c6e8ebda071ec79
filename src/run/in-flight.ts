/**
 * Exact in-flight accounting of a ws run: the real-socket drive loop may jump the clock over
 * idle time only when nothing is in flight — no frame sent and not yet received (in either
 * direction, or parked in the proxy), no handshake or close half done.
 */
import { WebSocket } from 'ws';
import type { ClientSocketLike } from '../world/tab-client.ts';

interface ConnCount {
  client: 'connecting' | 'open' | 'closed';
  server: 'none' | 'open' | 'closed';
  toServerSent: number;
  toServerRead: number;
  toClientSent: number;
  toClientRead: number;
  halfOpen: boolean;
}

/**
 * Exact in-flight accounting per connection (keyed by the client connection id, which the
 * client sends as `x-threadline-conn` and the server and proxy use as their label): nothing is
 * in flight when every connection is either closed at both ends (or refused before the server
 * saw it), or open at both ends with every frame sent in each direction received. A half-open
 * connection (proxy fault) carries nothing by definition and is left out.
 */
export class InFlight {
  private readonly conns = new Map<string, ConnCount>();
  version = 0;

  private get(conn: string): ConnCount {
    let c = this.conns.get(conn);
    if (!c) this.conns.set(conn, (c = { client: 'connecting', server: 'none', toServerSent: 0, toServerRead: 0, toClientSent: 0, toClientRead: 0, halfOpen: false }));
    return c;
  }

  touch(): void {
    this.version++;
  }

  clientConnecting(conn: string): void {
    this.get(conn).client = 'connecting';
    this.version++;
  }
  clientOpened(conn: string): void {
    this.get(conn).client = 'open';
    this.version++;
  }
  clientSent(conn: string): void {
    this.get(conn).toServerSent++;
    this.version++;
  }
  clientRead(conn: string): void {
    this.get(conn).toClientRead++;
    this.version++;
  }
  clientClosed(conn: string): void {
    this.get(conn).client = 'closed';
    this.version++;
  }
  serverOpened(conn: string): void {
    this.get(conn).server = 'open';
    this.version++;
  }
  serverRead(conn: string): void {
    this.get(conn).toServerRead++;
    this.version++;
  }
  serverWrote(conn: string): void {
    this.get(conn).toClientSent++;
    this.version++;
  }
  serverClosed(conn: string): void {
    this.get(conn).server = 'closed';
    this.version++;
  }
  halfOpen(conn: string): void {
    this.get(conn).halfOpen = true;
    this.version++;
  }

  quiet(): boolean {
    for (const c of this.conns.values()) if (!settled(c)) return false;
    return true;
  }

  describe(): string {
    const busy = [...this.conns.entries()].filter(([, c]) => !settled(c));
    if (busy.length === 0) return 'nothing in flight';
    return `in flight: ${busy
      .slice(0, 5)
      .map(([k, c]) => `${k} client=${c.client} server=${c.server} →server ${c.toServerSent - c.toServerRead} →client ${c.toClientSent - c.toClientRead}`)
      .join('; ')}`;
  }
}

function settled(c: ConnCount): boolean {
  if (c.halfOpen) return true;
  if (c.client === 'closed' && c.server !== 'open') return true;
  if (c.client === 'open' && c.server === 'open') return c.toServerSent === c.toServerRead && c.toClientSent === c.toClientRead;
  return false;
}

/** The TabClient's socket: the ws client, with every frame, open and close counted. */
export function countingClient(ws: WebSocket, conn: string, acct: InFlight): ClientSocketLike {
  acct.clientConnecting(conn);
  ws.on('open', () => acct.clientOpened(conn));
  ws.on('message', () => acct.clientRead(conn));
  ws.on('close', () => acct.clientClosed(conn));
  ws.on('error', () => {});
  return {
    get readyState() {
      return ws.readyState;
    },
    send(data: string, callback?: (error?: Error) => void): void {
      if (ws.readyState === WebSocket.OPEN) acct.clientSent(conn);
      ws.send(data, callback);
    },
    close: (code?: number, reason?: string) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    on: ((event: 'open' | 'message' | 'close' | 'error', listener: (...args: unknown[]) => void) => ws.on(event, listener)) as ClientSocketLike['on'],
  };
}
