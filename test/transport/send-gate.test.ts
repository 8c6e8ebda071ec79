import { describe, expect, it } from 'vitest';
import { SendGate } from '../../src/run/send-gate.ts';

describe('SendGate: a send completes when the proxy has sent its frame at the link bandwidth', () => {
  it('completes in order per connection, counts what is held, and fails what never left', () => {
    const gate = new SendGate();
    const log: string[] = [];
    const cb = (name: string) => (error?: Error) => log.push(error ? `${name} failed` : `${name} sent`);
    gate.enqueue('c1', 100, cb('a'));
    const b = gate.enqueue('c1', 50, cb('b'));
    gate.enqueue('c2', 10, cb('x'));
    gate.enqueue('c1', 25, cb('c'));
    expect([gate.pendingBytes('c1'), gate.pendingBytes('c2')]).toEqual([175, 10]);
    gate.transmitted('c1');
    expect(log).toEqual(['a sent']);
    gate.failed('c1', b, new Error('closing')); // its write failed: it never reaches the proxy
    gate.transmitted('c1'); // so the next frame the proxy sends is c's
    gate.closed('c2');
    expect(log).toEqual(['a sent', 'b failed', 'c sent', 'x failed']);
    expect([gate.pendingBytes('c1'), gate.pendingBytes('c2')]).toEqual([0, 0]);
    gate.transmitted('c2'); // nothing pending: no-op
    expect(log).toHaveLength(4);
  });
});
