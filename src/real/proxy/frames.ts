/** Small helpers on relayed frames and `ws` sockets: buffers, trace previews, close codes. */
import type { WebSocket } from 'ws';
import { fitCloseReason } from '../../ports/socket.ts';
import type { ProxyDirection } from './types.ts';

export const DIRECTIONS: readonly ProxyDirection[] = ['toServer', 'toClient'];

export function dirs(d: ProxyDirection | 'both'): ProxyDirection[] {
  return d === 'both' ? ['toServer', 'toClient'] : [d];
}

export function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** The frame's text for the trace, cut at 160 characters. */
export function preview(data: Buffer): string {
  const text = data.subarray(0, 480).toString('utf8');
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

export function round3(x: number): number {
  return Math.round(x * 1_000) / 1_000;
}

/** Codes a close frame may carry on the wire (1005/1006 are local-only, 1004 reserved). */
export function isSendableCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

export function safeClose(ws: WebSocket, code?: number, reason?: string): void {
  try {
    ws.close(code, fitCloseReason(reason));
  } catch {
    ws.terminate();
  }
}
