/** The proxy's connections and its trace: the registry every fault and the server act on. */
import type { Clock } from '../../ports/clock.ts';
import { createRandom, type Random } from '../../sim/rng.ts';
import { round3 } from './frames.ts';
import { ProxyLink, type LinkHost, type RecordFields } from './link.ts';
import type { ConnectionSelector, ProxyDirection, ProxyRecord, ProxySchedule } from './types.ts';

export class ProxyCore implements LinkHost {
  readonly links: ProxyLink[] = [];
  readonly records: ProxyRecord[] = [];
  /** Parent stream of every draw: `proxy/conn/<n>/...` per connection. */
  readonly rng: Random;
  /** Called for every new connection (faults.ts arms its triggers and network-wide partitions). */
  onNewLink: ((link: ProxyLink) => void) | null = null;
  private readonly startUs: number;

  constructor(
    readonly clock: Clock,
    readonly schedule: ProxySchedule,
    seed: number,
    private readonly onRecord: ((r: ProxyRecord) => void) | undefined,
    private readonly keep: boolean,
    private readonly maxRecords: number,
    private readonly onParked: ((conn: string, dir: ProxyDirection, parked: boolean) => void) | undefined = undefined,
    private readonly onTransmitted: ((conn: string, dir: ProxyDirection) => void) | undefined = undefined,
    /** Connection n's random stream; default the proxy's own (`proxy/conn/<n>` of its seed). */
    private readonly linkRandom: ((n: number) => Random) | undefined = undefined,
  ) {
    this.startUs = clock.now();
    this.rng = createRandom(seed).fork('proxy');
  }

  record(link: ProxyLink | null, fields: RecordFields): void {
    const rec: ProxyRecord = { t: round3((this.clock.now() - this.startUs) / 1_000), conn: link?.label ?? '*', n: link?.n ?? 0, ...fields };
    if (this.keep && this.records.length < this.maxRecords) this.records.push(rec);
    this.onRecord?.(rec);
  }

  parked(link: ProxyLink, dir: ProxyDirection, parked: boolean): void {
    this.onParked?.(link.label, dir, parked);
  }

  transmitted(link: ProxyLink, dir: ProxyDirection): void {
    this.onTransmitted?.(link.label, dir);
  }

  select(selector: ConnectionSelector | undefined): ProxyLink[] {
    if (selector === undefined || selector === 'all') return this.links.filter((l) => l.state !== 'closed');
    return this.links.filter((l) => selector.some((s) => (typeof s === 'number' ? l.n === s : l.label === s)));
  }

  matches(link: ProxyLink, selector: ConnectionSelector | undefined): boolean {
    return selector === undefined || selector === 'all' || selector.some((s) => (typeof s === 'number' ? link.n === s : link.label === s));
  }

  newLink(label: string): ProxyLink {
    const n = this.links.length + 1;
    const link = new ProxyLink(this, n, label, this.linkRandom?.(n) ?? this.rng.fork(`conn/${n}`), this.schedule);
    this.links.push(link);
    this.onNewLink?.(link);
    return link;
  }
}
