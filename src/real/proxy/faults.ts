/**
 * Faults on proxied connections: partitions (held, then released or killed), drops, half-open
 * links, bandwidth and latency changes, slow closes — applied now, at `at` ms after the start,
 * on a connection's n-th frame (`afterFrames`), or drawn per connection from the seed
 * (stream `proxy/conn/<n>/random`; both numbers of each fault are always drawn).
 */
import { fixed, type Distribution } from '../../sim/distribution.ts';
import type { ProxyCore } from './core.ts';
import { dirs } from './frames.ts';
import type { ProxyLink } from './link.ts';
import { toDist } from './schedule.ts';
import type { ConnectionSelector, ProxyDirection, ScheduledFault } from './types.ts';

interface Partition {
  then: 'release' | 'kill';
  members: Set<ProxyLink>;
  all: boolean;
}

export class ProxyFaults {
  private readonly partitions = new Set<Partition>();

  constructor(private readonly core: ProxyCore) {
    core.onNewLink = (link) => this.linkOpened(link);
  }

  /** A new connection: network-wide partitions in progress hold it too; its frame triggers are armed. */
  private linkOpened(link: ProxyLink): void {
    for (const p of this.partitions) if (p.all) {
      p.members.add(link);
      link.enterPartition();
    }
    this.armTriggers(link);
  }

  partition(selector: ConnectionSelector | undefined, durationMs: number, then: 'release' | 'kill'): void {
    const members = new Set(this.core.select(selector));
    const p: Partition = { then, members, all: selector === undefined || selector === 'all' };
    this.partitions.add(p);
    for (const l of members) l.enterPartition();
    this.core.record(null, { event: 'fault', fault: 'partition', detail: `${durationMs} ms then ${then}; connections ${[...members].map((l) => l.label).join(', ') || '(none yet)'}${p.all ? ' and any opened meanwhile' : ''}` });
    this.core.clock.setTimer(Math.round(durationMs * 1_000), () => {
      this.partitions.delete(p);
      this.core.record(null, { event: 'fault', fault: 'partition-end', detail: `${then}; connections ${[...p.members].map((l) => l.label).join(', ')}` });
      for (const l of p.members) l.leavePartition(then);
    }, 'proxy/partition-end');
  }

  drop(selector: ConnectionSelector | undefined): void {
    for (const l of this.core.select(selector)) {
      if (l.state === 'closed') continue;
      this.core.record(l, { event: 'fault', fault: 'drop' });
      l.kill('drop');
    }
  }

  halfOpen(selector: ConnectionSelector | undefined): void {
    for (const l of this.core.select(selector)) {
      if (l.state === 'closed' || l.state === 'half-open') continue;
      this.core.record(l, { event: 'fault', fault: 'half-open' });
      l.makeHalfOpen();
    }
  }

  setBandwidth(selector: ConnectionSelector | undefined, direction: ProxyDirection | 'both', bytesPerS: number): void {
    for (const l of this.core.select(selector)) {
      for (const d of dirs(direction)) l.lanes[d].setBandwidth(bytesPerS);
      this.core.record(l, { event: 'fault', fault: 'bandwidth', detail: `${direction} ${bytesPerS} B/s` });
    }
  }

  setLatency(selector: ConnectionSelector | undefined, direction: ProxyDirection | 'both', latencyMs: Distribution | number, jitterMs?: Distribution | number): void {
    for (const l of this.core.select(selector)) {
      for (const d of dirs(direction)) {
        l.lanes[d].latencyMs = toDist(latencyMs, fixed(0));
        if (jitterMs !== undefined) l.lanes[d].jitterMs = toDist(jitterMs, fixed(0));
      }
      this.core.record(l, { event: 'fault', fault: 'latency', detail: `${direction} ${JSON.stringify(latencyMs)}${jitterMs !== undefined ? ` jitter ${JSON.stringify(jitterMs)}` : ''}` });
    }
  }

  applyFault(f: ScheduledFault, selector: ConnectionSelector | undefined): void {
    switch (f.kind) {
      case 'partition':
        return this.partition(selector, f.durationMs, f.then);
      case 'drop':
        return this.drop(selector);
      case 'half-open':
        return this.halfOpen(selector);
      case 'bandwidth':
        return this.setBandwidth(selector, f.direction ?? 'both', f.bytesPerS);
      case 'latency':
        return this.setLatency(selector, f.direction ?? 'both', f.latencyMs, f.jitterMs);
      case 'slow-close':
        for (const l of this.core.select(selector)) l.slowCloseMs = f.delayMs;
        this.core.record(null, { event: 'fault', fault: 'slow-close', detail: `${f.delayMs} ms` });
        return;
    }
  }

  /** Timed faults of the schedule (at ms after start). */
  armTimed(): void {
    for (const f of this.core.schedule.faults ?? []) {
      if (f.at === undefined || ('afterFrames' in f && f.afterFrames !== undefined)) continue;
      this.core.clock.setTimer(Math.round(f.at * 1_000), () => this.applyFault(f, f.connections), `proxy/fault/${f.kind}`);
    }
  }

  /** Frame-count triggers and seeded random faults for a new link. */
  private armTriggers(link: ProxyLink): void {
    for (const f of this.core.schedule.faults ?? []) {
      if (!('afterFrames' in f) || f.afterFrames === undefined) continue;
      if (!this.core.matches(link, f.connections)) continue;
      const dir = f.direction === 'both' || f.direction === undefined ? 'any' : f.direction;
      link.triggers.push({ dir, count: f.afterFrames, done: false, fire: () => this.applyFault(f, [link.n]) });
    }
    const r = this.core.schedule.random;
    if (!r) return;
    const rng = this.core.rng.fork(`conn/${link.n}/random`);
    const [lo, hi] = r.afterFrames ?? [1, 20];
    const draw = (p: number | undefined, fault: ScheduledFault): void => {
      // Always draw both numbers so one fault's probability does not shift another's draws.
      const hit = rng.float() < (p ?? 0);
      const at = rng.int(lo, hi);
      if (hit) link.triggers.push({ dir: 'any', count: at, done: false, fire: () => this.applyFault(fault, [link.n]) });
    };
    draw(r.partition, { kind: 'partition', afterFrames: 1, durationMs: r.partitionMs ?? 500, then: 'release' });
    draw(r.halfOpen, { kind: 'half-open', afterFrames: 1 });
    draw(r.drop, { kind: 'drop', afterFrames: 1 });
  }
}
