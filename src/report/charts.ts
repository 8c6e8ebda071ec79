/**
 * Small SVG chart builders for the HTML report (server side: the charts are static markup).
 * No library: log-scale histograms, CDFs, grouped bars with whiskers, horizontal bars.
 * Colours of axes and text come from CSS classes, so the charts follow the colour scheme;
 * series colours are fixed hues that read on light and dark backgrounds.
 */
import { Histogram, type HistogramJSON } from '../stats/histogram.ts';
import { escapeHtml, formatCount, formatDuration, formatRate } from './format.ts';
import { durationTickLabels, percentTickLabels } from './ticks.ts';

export const MODE_ORDER = ['legacy', 'dynamic', 'shipped', 'guaranteed'];

const MODE_COLORS: Record<string, string> = {
  legacy: '#E69F00',
  dynamic: '#3DA5E0',
  shipped: '#CC79A7',
  guaranteed: '#009E73',
};
const EXTRA_COLORS = ['#0072B2', '#D55E00', '#8E7CC3', '#8C8C8C', '#B8A200', '#5B8C5A'];

/** Routers in report order: the four presets first, then the rest alphabetically. */
export function sortRouters(names: Iterable<string>): string[] {
  const rank = (n: string): number => {
    const i = MODE_ORDER.indexOf(n);
    return i < 0 ? MODE_ORDER.length : i;
  };
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** A colour per router: fixed for the presets, a palette for variants ("dynamic+bindOnSwitch"). */
export function routerColors(routers: string[]): Map<string, string> {
  const map = new Map<string, string>();
  let extra = 0;
  for (const r of routers) {
    map.set(r, MODE_COLORS[r] ?? EXTRA_COLORS[extra++ % EXTRA_COLORS.length]!);
  }
  return map;
}

export function mergeHistograms(list: HistogramJSON[]): Histogram {
  const h = new Histogram();
  for (const j of list) if (j && j.count > 0) h.merge(Histogram.fromJSON(j));
  return h;
}

// ---- Log-scale binning ---------------------------------------------------------------------

export interface DisplayBin {
  lo: number;
  hi: number;
  count: number;
}

const STEPS = [1, 2, 5];

function edgeAt(i: number): number {
  return STEPS[((i % 3) + 3) % 3]! * 10 ** Math.floor(i / 3);
}

function edgeIndexFloor(v: number): number {
  let i = Math.floor(Math.log10(Math.max(1, v))) * 3;
  while (edgeAt(i + 1) <= v) i++;
  while (edgeAt(i) > v) i--;
  return i;
}

/** 1-2-5 edges covering [min, max] (values below 1 fall into the first bin). */
export function logEdges(min: number, max: number): number[] {
  const first = edgeIndexFloor(Math.max(1, min));
  const last = edgeIndexFloor(Math.max(1, max)) + 1;
  const edges: number[] = [];
  for (let i = first; i <= Math.max(last, first + 1); i++) edges.push(edgeAt(i));
  return edges;
}

/** A histogram's counts regrouped into display bins with the given edges. */
export function displayBins(h: Histogram, edges: number[]): DisplayBin[] {
  const bins: DisplayBin[] = [];
  for (let i = 0; i + 1 < edges.length; i++) bins.push({ lo: edges[i]!, hi: edges[i + 1]!, count: 0 });
  if (bins.length === 0) return bins;
  if (h.count > 0 && h.min < bins[0]!.lo) bins[0]!.lo = h.min;
  let k = 0;
  for (const [lo, , c] of h.bins()) {
    while (k + 1 < bins.length && lo >= bins[k]!.hi) k++;
    bins[k]!.count += c;
  }
  return bins;
}

// ---- Common SVG pieces -----------------------------------------------------------------------

interface Box {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function svgOpen(box: Box, label: string, cls = 'chart-svg'): string {
  return `<svg class="${cls}" width="${box.width}" height="${box.height}" viewBox="0 0 ${box.width} ${box.height}" role="img" aria-label="${escapeHtml(label)}"><title>${escapeHtml(label)}</title>`;
}

const r1 = (n: number): string => (Math.round(n * 10) / 10).toString();

function logScale(domain: [number, number], range: [number, number]): (v: number) => number {
  const l0 = Math.log10(Math.max(1, domain[0]));
  const l1 = Math.log10(Math.max(domain[0] + 1, domain[1]));
  return (v: number) => range[0] + ((Math.log10(Math.max(1, v)) - l0) / (l1 - l0 || 1)) * (range[1] - range[0]);
}

function logAxis(box: Box, x: (v: number) => number, domain: [number, number], title: string): string {
  const y = box.height - box.bottom;
  let out = `<line class="axis" x1="${box.left}" y1="${y}" x2="${box.width - box.right}" y2="${y}"/>`;
  const lo = Math.floor(Math.log10(Math.max(1, domain[0])));
  const hi = Math.ceil(Math.log10(Math.max(1, domain[1])));
  const minor = hi - lo <= 3;
  const ticks: Array<{ v: number; major: boolean }> = [];
  for (let d = lo; d <= hi; d++) {
    for (const m of minor ? [1, 2, 5] : [1]) {
      const v = m * 10 ** d;
      if (v < domain[0] * 0.999 || v > domain[1] * 1.001) continue;
      ticks.push({ v, major: m === 1 });
    }
  }
  const labels = durationTickLabels(ticks.map((t) => t.v));
  ticks.forEach(({ v, major }, i) => {
    const px = x(v);
    out += `<line class="grid${major ? '' : ' minor'}" x1="${r1(px)}" y1="${box.top}" x2="${r1(px)}" y2="${y}"/>`;
    out += `<text class="tick${major ? '' : ' minor'}" x="${r1(px)}" y="${y + 14}" text-anchor="middle">${escapeHtml(labels[i])}</text>`;
  });
  out += `<text class="axis-title" x="${(box.left + box.width - box.right) / 2}" y="${box.height - 4}" text-anchor="middle">${escapeHtml(title)}</text>`;
  return out;
}

function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** Values from the first multiple of `step` at or above `lo` up to `hi` (float-safe). */
function stepValues(lo: number, hi: number, step: number): number[] {
  const values: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  for (let k = first; k * step <= hi + 1e-9 * Math.max(1, Math.abs(hi)); k++) values.push(k * step);
  return values;
}

function percentAxis(box: Box, y: (v: number) => number, domain: [number, number], ticks = 4, digits = 0): string {
  let out = '';
  const values = stepValues(domain[0], domain[1], niceStep(domain[1] - domain[0], ticks));
  const labels = percentTickLabels(values, digits);
  values.forEach((v, i) => {
    const py = y(v);
    out += `<line class="grid" x1="${box.left}" y1="${r1(py)}" x2="${box.width - box.right}" y2="${r1(py)}"/>`;
    out += `<text class="tick" x="${box.left - 6}" y="${r1(py + 4)}" text-anchor="end">${labels[i]}</text>`;
  });
  out += `<line class="axis" x1="${box.left}" y1="${box.top}" x2="${box.left}" y2="${box.height - box.bottom}"/>`;
  return out;
}

// ---- Log histogram (one series) ---------------------------------------------------------------

export interface HistogramChartOptions {
  label: string;
  color: string;
  bins: DisplayBin[];
  domain: [number, number];
  total: number;
  markers?: Array<{ value: number; label: string }>;
  axisTitle: string;
  width?: number;
  height?: number;
}

export function logHistogramChart(o: HistogramChartOptions): string {
  const box: Box = { width: o.width ?? 390, height: o.height ?? 190, left: 44, right: 22, top: 16, bottom: 36 };
  const x = logScale(o.domain, [box.left, box.width - box.right]);
  const maxFrac = Math.max(0.01, ...o.bins.map((b) => b.count / Math.max(1, o.total)));
  const yMax = Math.min(1, niceStep(maxFrac, 4) * Math.ceil(maxFrac / niceStep(maxFrac, 4)));
  const y = (f: number): number => box.height - box.bottom - (f / yMax) * (box.height - box.top - box.bottom);
  let out = svgOpen(box, o.label);
  out += percentAxis(box, y, [0, yMax], 4, yMax < 0.05 ? 1 : 0);
  for (const b of o.bins) {
    if (b.count === 0) continue;
    const frac = b.count / Math.max(1, o.total);
    const x0 = x(Math.max(1, b.lo));
    const x1 = x(b.hi);
    const py = y(frac);
    out += `<rect class="bar" x="${r1(x0 + 0.5)}" y="${r1(py)}" width="${r1(Math.max(1, x1 - x0 - 1))}" height="${r1(Math.max(0.5, box.height - box.bottom - py))}" fill="${o.color}"><title>${escapeHtml(`${formatDuration(b.lo)} – ${formatDuration(b.hi)}: ${formatCount(b.count)} (${formatRate(frac)})`)}</title></rect>`;
  }
  (o.markers ?? []).forEach((m, i) => {
    if (!Number.isFinite(m.value)) return;
    const px = x(Math.max(1, m.value));
    const right = px > box.width - box.right - 90;
    out += `<line class="marker-line" x1="${r1(px)}" y1="${box.top - 4}" x2="${r1(px)}" y2="${box.height - box.bottom}"/>`;
    out += `<text class="marker-label" x="${r1(right ? px - 3 : px + 3)}" y="${box.top + 4 + i * 13}"${right ? ' text-anchor="end"' : ''}>${escapeHtml(m.label)}</text>`;
  });
  out += logAxis(box, x, o.domain, o.axisTitle);
  return out + '</svg>';
}

// ---- CDF (several series) ---------------------------------------------------------------------

export interface CdfSeries {
  name: string;
  color: string;
  hist: Histogram;
}

export function cdfChart(label: string, series: CdfSeries[], axisTitle: string, width = 560, height = 240): string {
  const box: Box = { width, height, left: 48, right: 110, top: 12, bottom: 36 };
  const withData = series.filter((s) => s.hist.count > 0);
  const min = Math.min(...withData.map((s) => s.hist.min));
  const max = Math.max(...withData.map((s) => s.hist.max));
  const edges = logEdges(min, max);
  const domain: [number, number] = [edges[0]!, edges[edges.length - 1]!];
  const x = logScale(domain, [box.left, box.width - box.right]);
  const y = (f: number): number => box.height - box.bottom - f * (box.height - box.top - box.bottom);
  let out = svgOpen(box, label);
  out += percentAxis(box, y, [0, 1], 4);
  out += logAxis(box, x, domain, axisTitle);
  withData.forEach((s, i) => {
    let seen = 0;
    let lastX = -Infinity;
    const pts: string[] = [`${r1(x(Math.max(1, s.hist.min)))},${r1(y(0))}`];
    const bins = s.hist.bins();
    bins.forEach(([lo, hi, c], k) => {
      seen += c;
      const px = x(Math.max(1, Math.min(hi, s.hist.max + 1)));
      const prevFrac = (seen - c) / s.hist.count;
      const frac = seen / s.hist.count;
      if (px - lastX >= 1 || k === bins.length - 1) {
        pts.push(`${r1(x(Math.max(1, lo)))},${r1(y(prevFrac))}`);
        pts.push(`${r1(px)},${r1(y(frac))}`);
        lastX = px;
      }
    });
    out += `<polyline class="cdf-line" fill="none" stroke="${s.color}" stroke-width="2" points="${pts.join(' ')}"><title>${escapeHtml(s.name)}</title></polyline>`;
    const ly = box.top + 10 + i * 16;
    out += `<line x1="${box.width - box.right + 10}" y1="${ly}" x2="${box.width - box.right + 26}" y2="${ly}" stroke="${s.color}" stroke-width="3"/>`;
    out += `<text class="legend-text" x="${box.width - box.right + 30}" y="${ly + 4}">${escapeHtml(s.name)}</text>`;
  });
  return out + '</svg>';
}

// ---- Grouped bars with CI whiskers (success rate) --------------------------------------------

export interface GroupedBar {
  group: string;
  series: string;
  value: number;
  ci?: [number, number];
}

export interface ClaimMark {
  group: string;
  series: string;
  low: number;
  high?: number;
  label: string;
}

const FLOORS = [0.99, 0.95, 0.9, 0.8, 0.7, 0.5, 0];

export function successChart(label: string, bars: GroupedBar[], groups: string[], series: string[], colors: Map<string, string>, claims: ClaimMark[] = []): string {
  const barW = groups.length <= 2 ? 40 : groups.length <= 4 ? 30 : 24;
  const gap = 6;
  const groupPad = 34;
  const groupW = series.length * (barW + gap) - gap;
  const box: Box = { width: 0, height: 280, left: 52, right: 16, top: 30, bottom: 48 };
  box.width = Math.max(340, box.left + box.right + groups.length * (groupW + groupPad));
  const finite = bars.filter((b) => Number.isFinite(b.value));
  const lowest = Math.min(1, ...finite.map((b) => Math.min(b.value, b.ci ? b.ci[0] : b.value)), ...claims.map((c) => c.low));
  const floor = FLOORS.find((f) => f <= lowest - 0.01) ?? 0;
  const y = (v: number): number => box.height - box.bottom - ((Math.max(floor, v) - floor) / (1 - floor)) * (box.height - box.top - box.bottom);
  let out = svgOpen(box, label);
  out += percentAxis(box, y, [floor, 1], 5, 1 - floor < 0.1 ? 1 : 0);
  if (floor > 0) out += `<text class="tick axis-break" x="${box.width - box.right}" y="${box.height - 2}" text-anchor="end">y axis starts at ${(floor * 100).toFixed(0)}%</text>`;
  groups.forEach((g, gi) => {
    const gx = box.left + groupPad / 2 + gi * (groupW + groupPad);
    out += `<text class="group-label" x="${gx + groupW / 2}" y="${box.height - box.bottom + 30}" text-anchor="middle">${escapeHtml(g)}</text>`;
    series.forEach((s, si) => {
      const bx = gx + si * (barW + gap);
      const claim = claims.find((c) => c.group === g && c.series === s);
      const claimMark = claim
        ? `<rect class="claim-band" x="${bx - 3}" y="${r1(y(claim.high ?? 1))}" width="${barW + 6}" height="${r1(Math.max(2, y(claim.low) - y(claim.high ?? 1)))}"><title>${escapeHtml(`claimed: ${claim.label}`)}</title></rect>`
        : '';
      const b = bars.find((x) => x.group === g && x.series === s);
      if (!b || !Number.isFinite(b.value)) {
        out += claimMark;
        return;
      }
      const py = y(b.value);
      const tip = `${g} × ${s}: ${formatRate(b.value)}${b.ci ? ` (95% CI ${formatRate(b.ci[0])} – ${formatRate(b.ci[1])})` : ''}${claim ? `; claimed ${claim.label}` : ''}`;
      out += `<rect class="bar" x="${bx}" y="${r1(py)}" width="${barW}" height="${r1(Math.max(1, box.height - box.bottom - py))}" fill="${colors.get(s) ?? '#888'}"><title>${escapeHtml(tip)}</title></rect>`;
      out += claimMark;
      if (b.ci) {
        const cx = bx + barW / 2;
        const y0 = y(b.ci[0]);
        const y1 = y(b.ci[1]);
        out += `<path class="whisker" d="M${cx},${r1(y0)}V${r1(y1)}M${cx - 5},${r1(y0)}h10M${cx - 5},${r1(y1)}h10"/>`;
      }
      out += `<text class="bar-value" x="${bx + barW / 2}" y="${r1(Math.min(py, b.ci ? y(b.ci[1]) : py) - 5)}" text-anchor="middle">${(b.value * 100).toFixed(b.value >= 0.995 && b.value < 1 ? 2 : 1)}</text>`;
    });
  });
  return out + '</svg>';
}

// ---- Horizontal grouped bars (counts per mode) -----------------------------------------------

export function countBars(label: string, rows: Array<{ name: string; color: string; values: number[] }>, metrics: string[], metricStyles: string[]): string {
  const rowH = metrics.length * 14 + 14;
  const box: Box = { width: 520, height: 28 + rows.length * rowH + 20, left: 96, right: 70, top: 24, bottom: 4 };
  const max = Math.max(1, ...rows.flatMap((r) => r.values));
  const w = box.width - box.left - box.right;
  let out = svgOpen(box, label);
  metrics.forEach((m, i) => {
    out += `<rect x="${box.left + i * 170}" y="6" width="12" height="10" class="${metricStyles[i]}"/><text class="legend-text" x="${box.left + i * 170 + 16}" y="15">${escapeHtml(m)}</text>`;
  });
  rows.forEach((r, ri) => {
    const y0 = box.top + 8 + ri * rowH;
    out += `<text class="group-label" x="${box.left - 8}" y="${y0 + (metrics.length * 14) / 2 + 4}" text-anchor="end">${escapeHtml(r.name)}</text>`;
    out += `<rect x="${box.left - 5}" y="${y0}" width="3" height="${metrics.length * 14 - 2}" fill="${r.color}"/>`;
    r.values.forEach((v, mi) => {
      const bw = (v / max) * w;
      const by = y0 + mi * 14;
      out += `<rect class="${metricStyles[mi]}" x="${box.left}" y="${by}" width="${r1(Math.max(v > 0 ? 1.5 : 0, bw))}" height="11"><title>${escapeHtml(`${r.name}: ${metrics[mi]} ${formatCount(v)}`)}</title></rect>`;
      out += `<text class="bar-value" x="${r1(box.left + bw + 4)}" y="${by + 9.5}">${formatCount(v)}</text>`;
    });
  });
  out += `<line class="axis" x1="${box.left}" y1="${box.top}" x2="${box.left}" y2="${box.height - box.bottom}"/>`;
  return out + '</svg>';
}

// ---- Time series with fault windows (queue depth, queue wait) ---------------------------------

export interface FaultBand {
  startUs: number;
  endUs: number;
  label: string;
}

export interface TimeSeriesChartOptions {
  label: string;
  color: string;
  /** [tUs, value], oldest first. */
  points: Array<[number, number]>;
  /** 'step': a step line (a level held until the next point); 'scatter': one dot per point. */
  kind: 'step' | 'scatter';
  /** Time shown, µs. */
  domain: [number, number];
  /** Shaded behind the data; a zero-length window is drawn as a thin band. */
  faults: FaultBand[];
  /** Values as text (the peak's label; y ticks unless formatTicks is given). */
  formatValue: (v: number) => string;
  /** Y tick labels for all ticks at once, so they can be made distinct (durations). */
  formatTicks?: (values: number[]) => string[];
  /** Integer values (depth): ticks at whole numbers. */
  integer?: boolean;
  /** Level before the first point of a step line. */
  initial?: number;
  yTitle: string;
  width?: number;
  height?: number;
}

// Tick steps people read as round: 1-2-5 below a second, then 1, 2, 5, 10, 15, 30 s and min, then hours.
const S = 1_000_000;
const TIME_STEPS_US = [
  ...[1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000],
  ...[1, 2, 5, 10, 15, 30].map((n) => n * S),
  ...[1, 2, 5, 10, 15, 30].map((n) => n * 60 * S),
  ...[1, 2, 3, 6, 12, 24].map((n) => n * 3_600 * S),
];

function niceTimeStep(spanUs: number, target: number): number {
  const raw = spanUs / Math.max(1, target);
  return TIME_STEPS_US.find((s) => s >= raw) ?? niceStep(spanUs, target);
}

function timeAxis(box: Box, x: (us: number) => number, domain: [number, number]): string {
  const y = box.height - box.bottom;
  let out = `<line class="axis" x1="${box.left}" y1="${y}" x2="${box.width - box.right}" y2="${y}"/>`;
  const values = stepValues(domain[0], domain[1], niceTimeStep(domain[1] - domain[0], 5));
  const labels = durationTickLabels(values);
  values.forEach((v, i) => {
    const px = x(v);
    out += `<line class="grid" x1="${r1(px)}" y1="${box.top}" x2="${r1(px)}" y2="${y}"/>`;
    out += `<text class="tick" x="${r1(px)}" y="${y + 14}" text-anchor="middle">${escapeHtml(labels[i])}</text>`;
  });
  out += `<text class="axis-title" x="${(box.left + box.width - box.right) / 2}" y="${box.height - 4}" text-anchor="middle">simulated time</text>`;
  return out;
}

/** A value over simulated time, with the run's fault windows shaded (server side, static SVG). */
export function timeSeriesChart(o: TimeSeriesChartOptions): string {
  const box: Box = { width: o.width ?? 560, height: o.height ?? 210, left: 56, right: 16, top: 20, bottom: 36 };
  const [d0, d1] = o.domain;
  const x = (us: number): number => box.left + ((Math.min(d1, Math.max(d0, us)) - d0) / (d1 - d0 || 1)) * (box.width - box.left - box.right);
  const max = Math.max(o.integer ? 1 : 0, ...o.points.map((p) => p[1]));
  let step = niceStep(max, 4);
  if (o.integer) step = Math.max(1, Math.round(step));
  const yMax = Math.max(step, Math.ceil(max / step) * step);
  const y = (v: number): number => box.height - box.bottom - (v / yMax) * (box.height - box.top - box.bottom);
  let out = svgOpen(box, o.label);
  for (const f of o.faults) {
    if (f.endUs < d0 || f.startUs > d1) continue;
    const x0 = x(f.startUs);
    const w = Math.max(2, x(f.endUs) - x0);
    out += `<g class="fault-win"><title>${escapeHtml(`fault: ${f.label} (${formatDuration(f.startUs)} – ${formatDuration(f.endUs)})`)}</title><rect class="fault-band" x="${r1(x0)}" y="${box.top}" width="${r1(w)}" height="${box.height - box.top - box.bottom}"/><line class="fault-edge" x1="${r1(x0)}" y1="${box.top}" x2="${r1(x0)}" y2="${box.height - box.bottom}"/></g>`;
  }
  const yValues = stepValues(0, yMax, step);
  const yLabels = o.formatTicks ? o.formatTicks(yValues) : yValues.map((v) => (v === 0 ? '0' : o.formatValue(v)));
  yValues.forEach((v, i) => {
    out += `<line class="grid" x1="${box.left}" y1="${r1(y(v))}" x2="${box.width - box.right}" y2="${r1(y(v))}"/>`;
    out += `<text class="tick" x="${box.left - 6}" y="${r1(y(v) + 4)}" text-anchor="end">${escapeHtml(yLabels[i])}</text>`;
  });
  out += `<line class="axis" x1="${box.left}" y1="${box.top}" x2="${box.left}" y2="${box.height - box.bottom}"/>`;
  out += `<text class="axis-title" x="${box.left + 4}" y="${box.top - 5}">${escapeHtml(o.yTitle)}</text>`;
  out += timeAxis(box, x, o.domain);
  if (o.kind === 'step') {
    // H/V commands; several changes within one pixel column become one vertical stroke over
    // their range (a burst stays visible without thousands of vertices).
    let cx = x(d0);
    let cy = y(o.initial ?? 0);
    let d = `M${r1(cx)},${r1(cy)}`;
    let col: { x: number; lo: number; hi: number; last: number } | null = null;
    const flush = (): void => {
      if (col === null) return;
      d += `H${r1(col.x)}`;
      if (col.lo !== cy) d += `V${r1(col.lo)}`;
      if (col.hi !== col.lo) d += `V${r1(col.hi)}`;
      if (col.last !== col.hi) d += `V${r1(col.last)}`;
      cx = col.x;
      cy = col.last;
      col = null;
    };
    for (const [t, v] of o.points) {
      const px = Math.round(x(t) * 2) / 2;
      const py = y(v);
      if (col !== null && col.x === px) {
        col.lo = Math.min(col.lo, py);
        col.hi = Math.max(col.hi, py);
        col.last = py;
      } else {
        flush();
        col = { x: px, lo: Math.min(cy, py), hi: Math.max(cy, py), last: py };
      }
    }
    flush();
    d += `H${r1(x(d1))}`;
    out += `<path class="series-line" d="${d}" fill="none" stroke="${o.color}" stroke-width="1.8"><title>${escapeHtml(o.label)}</title></path>`;
  } else {
    // One dot per pixel position: the picture is the same, the markup stays small.
    const seen = new Set<string>();
    let dots = '';
    for (const [t, v] of o.points) {
      const cx = r1(x(t));
      const cy = r1(y(v));
      if (seen.has(`${cx},${cy}`)) continue;
      seen.add(`${cx},${cy}`);
      dots += `<circle cx="${cx}" cy="${cy}" r="2.6"/>`;
    }
    out += `<g class="series-dots" fill="${o.color}"><title>${escapeHtml(o.label)}</title>${dots}</g>`;
  }
  // The peak, labelled (the first time the maximum was reached).
  const peak = o.points.find((p) => p[1] === max);
  if (peak !== undefined) {
    const px = x(peak[0]);
    const right = px > box.width - box.right - 110;
    out += `<circle class="peak" cx="${r1(px)}" cy="${r1(y(peak[1]))}" r="3.5" fill="${o.color}"/>`;
    out += `<text class="marker-label" x="${r1(right ? px - 6 : px + 6)}" y="${r1(Math.max(box.top + 9, y(peak[1]) - 5))}"${right ? ' text-anchor="end"' : ''}>max ${escapeHtml(o.formatValue(peak[1]))}</text>`;
  }
  return out + '</svg>';
}
