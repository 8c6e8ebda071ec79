/**
 * The facts the oracle judges, and the observer port through which the harness reports them.
 *
 * Everything here is seen from outside the system under test: what the tabs did and received
 * (the simulated clients report it), and what the backend produced (the ground truth of the
 * agent side). The oracle imports these types and nothing of the router or the client.
 */
import type { EventFact, ServerFact } from './codec.ts';
import type { BackendEvent, RunRequest } from './server.ts';

/** Sorted, disjoint, inclusive ranges of sequence numbers (src/protocol/seq-ranges.ts). */
export type SeqRanges = Array<[number, number]>;

/** A gap notice as the codec decoded it. */
export type GapFact = Extract<ServerFact, { kind: 'gap' }>;

/** An event the backend produced, with the request of its run. */
export interface ProducedEvent extends BackendEvent {
  readonly request: RunRequest;
}

export type CloseCause = 'client-close' | 'client-reconnect' | 'heartbeat' | 'remote';

/** Ground truth reported by clients. `conn` is the client-side connection id "<tab>#<n>". */
export interface GroundTruthObserver {
  connecting(tab: string, conn: string, thread: string | null, atUs: number): void;
  opened(tab: string, conn: string, atUs: number): void;
  closed(tab: string, conn: string, code: number, cause: CloseCause, atUs: number): void;
  declared(tab: string, thread: string, via: 'connect' | 'send' | 'switch' | 'reconnect', atUs: number): void;
  sent(tab: string, conn: string, messageId: string, thread: string, atUs: number): void;
  received(tab: string, conn: string, event: EventFact, handed: boolean, atUs: number): void;
  gap(tab: string, conn: string, gap: GapFact, atUs: number): void;
  serverConnection(tab: string, conn: string, serverConnectionId: string): void;
  frame(tab: string, conn: string, type: string, atUs: number): void;
  /**
   * A request the tab made (user_message or switch_thread), whether or not a socket was there
   * to carry it: `conn` is null when the tab was offline. Judged by no-lost-request.
   */
  requested(tab: string, conn: string | null, kind: RequestKind, id: string, thread: string, atUs: number): void;
  /** A request written again on a later connection (the outbox after a reconnect). */
  resent(tab: string, conn: string, id: string, atUs: number): void;
  /** The server acknowledged request `ref` (message_ack). */
  acked(tab: string, conn: string, ref: string, runId: string | null, duplicate: boolean, atUs: number): void;
  /** The server refused request `ref` with an error frame the client saw. */
  refused(tab: string, conn: string, ref: string, code: string, atUs: number): void;
  /** What the server declared in connection_ready on this connection (resumeWindowMs: null when it promised no resume). */
  capabilities(tab: string, conn: string, caps: { acks: boolean; resumeWindowMs: number | null }): void;
  /** A resume the tab sent: its positions and the sequence numbers it holds, per thread. */
  resumed(tab: string, conn: string, lastSeq: Record<string, number>, have: Record<string, SeqRanges>, atUs: number): void;
  /** The server's readiness for a thread on this connection (thread_context). */
  threadContext(tab: string, conn: string, thread: string, seq: number | null, atUs: number): void;
}

export type RequestKind = 'user_message' | 'switch_thread';

