/**
 * One server-side connection: its socket, its user, its thread association and rooms, and
 * the per-connection bookkeeping the guaranteed mode needs (what it already sent, so replays
 * never duplicate on the wire).
 */
import type { SocketLike } from '../transport/socket.ts';

export interface Connection {
  readonly id: string;
  readonly userId: string;
  readonly socket: SocketLike;
  readonly openedAtUs: number;
  /** When the registry entry was written (the shipped registry expires from here, F9). */
  readonly registeredAtUs: number;
  /** The thread association used to route agent events; null = no context yet. */
  threadId: string | null;
  /** When the association was first set; null until then. */
  firstBoundAtUs: number | null;
  /** Room membership, maintained by the thread-switch handler. */
  readonly rooms: Set<string>;
  open: boolean;
  /** Event ids already written to this socket (guaranteed: no duplicate on replay/flush). */
  readonly sentEids: Set<string>;
  /** Frames received in the current rate-limit window and when that window started. */
  rateWindowStartUs: number;
  rateCount: number;
}

export function newConnection(id: string, userId: string, socket: SocketLike, nowUs: number): Connection {
  return {
    id,
    userId,
    socket,
    openedAtUs: nowUs,
    registeredAtUs: nowUs,
    threadId: null,
    firstBoundAtUs: null,
    rooms: new Set(),
    open: true,
    sentEids: new Set(),
    rateWindowStartUs: nowUs,
    rateCount: 0,
  };
}
