/**
 * One server-side connection: its socket, its user, its thread association and rooms, and
 * the per-connection bookkeeping the guaranteed mode needs (what it already sent, so replays
 * never duplicate on the wire).
 */
import type { SeqRanges } from '../../protocol/seq-ranges.ts';
import type { SocketLike } from '../../ports/socket.ts';

export interface Connection {
  readonly id: string;
  /** Creation order (1, 2, ...): a newer connection of a session takes over from an older one. */
  readonly serial: number;
  /** The client's session (a browser tab across reconnects): the handshake's `session`, else the connection id. */
  readonly session: string;
  /** Carrier keys this connection holds for run-scoped delivery (released when it closes). */
  readonly carrying: Set<string>;
  readonly userId: string;
  readonly socket: SocketLike;
  readonly openedAtUs: number;
  /** When the registry entry was written (the shipped registry expires from here, F9). */
  readonly registeredAtUs: number;
  /** The thread association used to route agent events; null = no context yet. */
  threadId: string | null;
  /** When the association was first set; null until then. */
  firstBoundAtUs: number | null;
  /** Binding requests received (handshake thread, user_message, switch_thread), in arrival order. */
  bindRequests: number;
  /** The request number of the binding in effect (orderedBinding: older requests are stale). */
  bindApplied: number;
  /** Bindings made before the WebSocket manager was injected (bufferBeforeInjection): buffered
   *  events go to every connection bound to their thread at some time since they were produced. */
  readonly bindHistory: Array<{ thread: string; atUs: number }>;
  /** Room membership, maintained by the thread-switch handler. */
  readonly rooms: Set<string>;
  open: boolean;
  /** Event ids already written to this socket (guaranteed: no duplicate on replay/flush). */
  readonly sentEids: Set<string>;
  /** Of those, the ones announced in an out-of-order gap notice instead of written. */
  readonly gappedEids: Set<string>;
  /** Highest sequence number written per thread (ids on): nothing older goes out after it. */
  readonly newestSeq: Map<string, number>;
  /** What the client said it holds in its resume (`have`), per thread: never sent again. */
  readonly held: Map<string, SeqRanges>;
  /** Called when this connection's resume frame has been handled (see ResumeWait in resume-wait.ts). */
  onResumed: (() => void) | null;
  /** A resume was announced (handshake `resume=1`) and not handled yet: no live events here. */
  resuming: boolean;
  /** Threads to carry once the resume is handled (see Carriers.carry). */
  readonly deferredCarry: Map<string, Set<string>>;
  /** The newest event id written per thread (only kept for the planted bug bugGapOverclaims). */
  readonly lastEventByThread: Map<string, string>;
  /** Frames received in the current rate-limit window and when that window started. */
  rateWindowStartUs: number;
  rateCount: number;
}

export function newConnection(id: string, userId: string, socket: SocketLike, nowUs: number, session: string | null = null): Connection {
  return {
    id,
    serial: Number(/\d+$/.exec(id)?.[0] ?? 0),
    session: session ?? id,
    carrying: new Set(),
    userId,
    socket,
    openedAtUs: nowUs,
    registeredAtUs: nowUs,
    threadId: null,
    firstBoundAtUs: null,
    bindRequests: 0,
    bindApplied: 0,
    bindHistory: [],
    rooms: new Set(),
    open: true,
    sentEids: new Set(),
    gappedEids: new Set(),
    newestSeq: new Map(),
    held: new Map(),
    onResumed: null,
    resuming: false,
    deferredCarry: new Map(),
    lastEventByThread: new Map(),
    rateWindowStartUs: nowUs,
    rateCount: 0,
  };
}
