/** "Counterexample": the smallest failing case the fuzzer found, when the document carries one. */
import { escapeHtml as h, formatCount } from '../format.ts';

function renderValue(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return '<span class="muted">—</span>';
  if (typeof v === 'string') return h(v);
  if (typeof v === 'number' || typeof v === 'boolean') return `<code>${h(String(v))}</code>`;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number') && v.length <= 20 && depth < 2) return h(v.join(', '));
  const json = JSON.stringify(v, null, 2) ?? String(v);
  return `<pre class="json">${h(json.length > 20_000 ? `${json.slice(0, 20_000)}\n… (${formatCount(json.length)} characters)` : json)}</pre>`;
}

function stepList(steps: unknown[]): string {
  return `<ol class="steps">${steps
    .map((s) => {
      if (typeof s === 'string' || typeof s === 'number') return `<li>${h(String(s))}</li>`;
      if (s && typeof s === 'object' && !Array.isArray(s)) {
        const o = s as Record<string, unknown>;
        const text = o['text'] ?? o['description'] ?? o['story'] ?? o['label'];
        if (typeof text === 'string') {
          const rest = Object.fromEntries(Object.entries(o).filter(([k]) => !['text', 'description', 'story', 'label'].includes(k)));
          return `<li>${h(text)}${Object.keys(rest).length ? ` <code class="muted">${h(JSON.stringify(rest))}</code>` : ''}</li>`;
        }
        return `<li><code>${h(JSON.stringify(s))}</code></li>`;
      }
      return `<li><code>${h(JSON.stringify(s))}</code></li>`;
    })
    .join('')}</ol>`;
}

export function counterexampleSection(fuzz: unknown): string {
  if (fuzz === undefined || fuzz === null) return '';
  let body: string;
  if (typeof fuzz !== 'object' || Array.isArray(fuzz)) {
    body = Array.isArray(fuzz) ? stepList(fuzz) : renderValue(fuzz);
  } else {
    const entries = Object.entries(fuzz as Record<string, unknown>);
    body = `<dl>${entries
      .map(([k, v]) => {
        let dd: string;
        if ((k === 'story' || k === 'steps') && Array.isArray(v)) dd = stepList(v);
        else if ((k === 'command' || k === 'reproduce') && typeof v === 'string') dd = `<div class="cmd"><code id="fuzz-${h(k)}">${h(v)}</code><button type="button" data-copy="fuzz-${h(k)}">Copy</button></div>`;
        else dd = renderValue(v);
        return `<dt>${h(k)}</dt><dd data-field="${h(k)}">${dd}</dd>`;
      })
      .join('')}</dl>`;
  }
  return `<section class="card counterexample" id="counterexample"><h2>Counterexample</h2><p class="muted small">The smallest failing case the fuzzer found.</p>${body}</section>`;
}
