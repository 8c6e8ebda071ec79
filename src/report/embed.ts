/**
 * The copy of the results document embedded in the HTML report, and its encoding.
 *
 * The report must stay small enough to open and mail around: timelines are capped (runs with a
 * timeline, items per timeline) with losses kept first, and a document whose JSON exceeds
 * ~1 MB is embedded gzip-compressed and base64-encoded (the page inflates it with
 * `DecompressionStream('gzip')`). results.json next to the report always holds everything.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ResultsDocument, RunResult, TimelineItem } from '../run/result.ts';

export interface ReportLimits {
  /** Runs whose timeline is embedded (failing runs first, then a few passing ones). */
  maxTimelineRuns: number;
  /** Of those, slots kept for passing runs when there are any. */
  passingTimelineRuns: number;
  /** Items per embedded timeline. */
  maxTimelineItems: number;
  /** Embed gzip+base64 above this many bytes of JSON. */
  gzipAboveBytes: number;
  /** Lost items listed in the page per timeline (the rest on demand). */
  maxLostListed: number;
  /** Rows of the runs table. */
  maxRunRows: number;
}

export const DEFAULT_LIMITS: ReportLimits = {
  maxTimelineRuns: 20,
  passingTimelineRuns: 3,
  maxTimelineItems: 3_000,
  gzipAboveBytes: 1_000_000,
  maxLostListed: 50,
  maxRunRows: 500,
};

export interface EmbeddedTimeline {
  runIndex: number;
  originalItems: number;
  embeddedItems: number;
  sampled: boolean;
}

export interface PreparedDocument {
  doc: ResultsDocument;
  timelines: EmbeddedTimeline[];
  /** Runs that had a timeline which the report does not embed. */
  omittedTimelines: number;
}

const STRUCTURAL = new Set<TimelineItem['kind']>(['connect', 'open', 'close', 'declare', 'bind', 'route', 'queued', 'gap', 'fault', 'log']);

/**
 * At most `max` items: losses first, then everything about the lost events, then connection
 * lifecycle and routing decisions, then sends/productions/deliveries; a tier that does not fit
 * is thinned evenly over time.
 */
export function sampleTimeline(items: TimelineItem[], max: number): { items: TimelineItem[]; sampled: boolean } {
  if (items.length <= max) return { items, sampled: false };
  const lostEids = new Set(items.filter((i) => i.kind === 'lost' && i.eid).map((i) => i.eid));
  const tiers: TimelineItem[][] = [[], [], [], []];
  for (const it of items) {
    if (it.kind === 'lost') tiers[0]!.push(it);
    else if (it.eid !== undefined && lostEids.has(it.eid)) tiers[1]!.push(it);
    else if (STRUCTURAL.has(it.kind)) tiers[2]!.push(it);
    else tiers[3]!.push(it);
  }
  const kept: TimelineItem[] = [];
  for (const tier of tiers) {
    const room = max - kept.length;
    if (room <= 0) break;
    if (tier.length <= room) {
      kept.push(...tier);
      continue;
    }
    const stride = tier.length / room;
    for (let k = 0; k < room; k++) kept.push(tier[Math.floor(k * stride)]!);
  }
  kept.sort((a, b) => a.t - b.t);
  return { items: kept, sampled: true };
}

/** Which runs keep their timeline: failing runs round-robin over (scenario, router), then passing. */
function pickTimelineRuns(runs: RunResult[], limits: ReportLimits): number[] {
  const failing = new Map<string, number[]>();
  const passing: number[] = [];
  runs.forEach((r, i) => {
    if (!r.timeline || r.timeline.length === 0) return;
    if (r.verdict === 'pass') {
      passing.push(i);
      return;
    }
    const key = `${r.scenario}\u0000${r.router}`;
    const list = failing.get(key) ?? [];
    list.push(i);
    failing.set(key, list);
  });
  const failingOrder: number[] = [];
  const queues = [...failing.values()];
  for (let round = 0; queues.some((q) => round < q.length); round++) {
    for (const q of queues) if (round < q.length) failingOrder.push(q[round]!);
  }
  const passSlots = Math.min(passing.length, limits.passingTimelineRuns);
  const chosen = failingOrder.slice(0, Math.max(0, limits.maxTimelineRuns - passSlots));
  chosen.push(...passing.slice(0, limits.maxTimelineRuns - chosen.length));
  return chosen.sort((a, b) => a - b);
}

export function prepareEmbeddedDocument(doc: ResultsDocument, limits: ReportLimits = DEFAULT_LIMITS): PreparedDocument {
  const keep = new Set(pickTimelineRuns(doc.runs, limits));
  const timelines: EmbeddedTimeline[] = [];
  let omitted = 0;
  const runs = doc.runs.map((run, i) => {
    if (!run.timeline) return run;
    if (!keep.has(i)) {
      omitted++;
      const { timeline: _dropped, timelineTruncated: _t, ...rest } = run;
      return rest as RunResult;
    }
    const { items, sampled } = sampleTimeline(run.timeline, limits.maxTimelineItems);
    timelines.push({ runIndex: i, originalItems: run.timeline.length, embeddedItems: items.length, sampled: sampled || run.timelineTruncated === true });
    return sampled ? { ...run, timeline: items, timelineTruncated: true } : run;
  });
  return { doc: { ...doc, runs }, timelines, omittedTimelines: omitted };
}

/**
 * JSON made safe inside a <script> element: "</" becomes "<\/" (no early end tag), and "<!--"
 * and "<script" are written with \u003c (no escaped-script parser states). Still valid JSON:
 * these sequences can only occur inside strings.
 */
export function scriptSafeJson(json: string): string {
  return json.replace(/<\//g, '<\\/').replace(/<(!--|script)/gi, '\\u003c$1');
}

export interface EncodedData {
  encoding: 'json' | 'gzip-base64';
  /** Text to place inside the script element (already script-safe). */
  text: string;
  jsonBytes: number;
}

export function encodeEmbedded(value: unknown, gzipAboveBytes: number): EncodedData {
  const json = JSON.stringify(value);
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  if (jsonBytes <= gzipAboveBytes) return { encoding: 'json', text: scriptSafeJson(json), jsonBytes };
  return { encoding: 'gzip-base64', text: gzipSync(Buffer.from(json, 'utf8'), { level: 9 }).toString('base64'), jsonBytes };
}

/** Read the embedded document back out of a report (tests, tools). */
export function extractEmbeddedDocument(html: string): ResultsDocument {
  const m = /<script\b[^>]*\bid="threadline-data"[^>]*>([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no <script id="threadline-data"> in the report');
  const tag = m[0].slice(0, m[0].indexOf('>'));
  const body = m[1]!;
  if (/data-encoding="gzip-base64"/.test(tag)) {
    return JSON.parse(gunzipSync(Buffer.from(body.trim(), 'base64')).toString('utf8')) as ResultsDocument;
  }
  return JSON.parse(body) as ResultsDocument;
}
