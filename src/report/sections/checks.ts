/**
 * "Checks not made": what the runs could not judge, and why — a protocol without event ids or
 * sequence numbers, a server that reports no monitoring, a probe's inferred ground truth.
 * Grouped by (server, check), with the runs it applies to; absent when every check was made.
 */
import type { ResultsDocument } from '../../run/result.ts';
import { escapeHtml as h, formatCount } from '../format.ts';

export function checksSection(doc: ResultsDocument): string {
  const groups = new Map<string, { router: string; invariant: string; status: string; why: string; runs: number }>();
  for (const r of doc.runs) {
    for (const c of r.checksNotMade ?? []) {
      const key = `${r.router}\u0000${c.invariant}\u0000${c.status}`;
      const g = groups.get(key);
      if (g) g.runs++;
      else groups.set(key, { router: r.router, invariant: c.invariant, status: c.status, why: c.why, runs: 1 });
    }
  }
  if (groups.size === 0) return '';
  const rows = [...groups.values()].map((g) => `<tr data-router="${h(g.router)}" data-invariant="${h(g.invariant)}"><td>${h(g.router)}</td><td><code>${h(g.invariant)}</code></td><td>${g.status === 'not made' ? '<span class="badge unknown">not made</span>' : '<span class="badge note">weakened</span>'}</td><td class="num">${formatCount(g.runs)}</td><td class="small">${h(g.why)}</td></tr>`);
  return `<section class="card" id="checks-not-made"><h2>Checks not made</h2><p class="muted small">What these runs could not judge, or judged on less than the check needs. A check not made is not a pass.</p><table id="checks-table"><thead><tr><th>Server</th><th>Check</th><th>Status</th><th class="num">Runs</th><th>Why</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}
