/**
 * A server's send, completed on the simulated pipe's rule on real sockets.
 *
 * In the simulation a send's callback runs, and its bytes leave `bufferedAmount`, when the frame
 * has left the sender at the link's bandwidth (src/sim/pipe.ts): a slow link backs up into the
 * server, which is how send time-outs and slow-consumer limits arise. On loopback, `ws` calls
 * back as soon as the kernel has the bytes, and the kernel's buffers hold megabytes, so the same
 * slow link never backs up. When a ws run shapes its links through the chaos proxy, the proxy
 * serialises each frame at the link's bandwidth; this gate holds the server's callback until the
 * proxy says the frame left (`transmitted`, in order per connection), and counts the bytes
 * still held in the socket's `bufferedAmount`. The link is then the scenario's on both
 * transports, send completions included.
 */

interface PendingSend {
  bytes: number;
  callback: ((error?: Error) => void) | undefined;
}

/** One connection's sends not yet completed, oldest first, and their bytes. */
interface Pending {
  sends: PendingSend[];
  bytes: number;
}

export class SendGate {
  // The bytes are kept as a running total: a router reads bufferedAmount on every write.
  private readonly pending = new Map<string, Pending>();

  /** A send on connection `label` (before it is written): its completion waits for `transmitted`. */
  enqueue(label: string, bytes: number, callback: ((error?: Error) => void) | undefined): PendingSend {
    const entry: PendingSend = { bytes, callback };
    let p = this.pending.get(label);
    if (!p) this.pending.set(label, (p = { sends: [], bytes: 0 }));
    p.sends.push(entry);
    p.bytes += bytes;
    return entry;
  }

  /** The proxy let the oldest pending frame of `label` leave the sender (or a dead link took it). */
  transmitted(label: string): void {
    const p = this.pending.get(label);
    const entry = p?.sends.shift();
    if (!entry) return;
    p!.bytes -= entry.bytes;
    entry.callback?.();
  }

  /** The write itself failed (the socket was closing): that frame never reaches the proxy. */
  failed(label: string, entry: PendingSend, error: Error): void {
    const p = this.pending.get(label);
    const i = p?.sends.indexOf(entry) ?? -1;
    if (i < 0) return;
    p!.sends.splice(i, 1);
    p!.bytes -= entry.bytes;
    entry.callback?.(error);
  }

  /** The server's socket closed: what never left fails, as the simulated pipe's purged frames do. */
  closed(label: string): void {
    const p = this.pending.get(label);
    this.pending.delete(label);
    if (!p) return;
    const error = new Error(`the connection ${label} closed before the frame was sent`);
    for (const entry of p.sends) entry.callback?.(error);
  }

  /** Bytes of `label` written but not yet sent at the link's bandwidth. */
  pendingBytes(label: string): number {
    return this.pending.get(label)?.bytes ?? 0;
  }
}
