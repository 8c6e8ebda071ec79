/** Inline stylesheet of the HTML report: light and dark schemes via prefers-color-scheme. */
export const REPORT_CSS = String.raw`
:root {
  color-scheme: light dark;
  --bg: #f4f6f8; --card: #ffffff; --fg: #1b2230; --muted: #5b6575; --faint: #8a93a1;
  --border: #dde2e8; --grid: #eceff3; --axis: #a3acb9;
  --pass: #1a7f37; --pass-bg: #dcf5e3; --fail: #c9252d; --fail-bg: #fde8e8;
  --unknown: #9a6700; --unknown-bg: #fff4c2; --accent: #0b63c5; --code-bg: #eef1f5;
  --lane-alt: rgba(20, 40, 80, 0.035); --fault: rgba(201, 37, 45, 0.10); --fault-line: rgba(201, 37, 45, 0.55);
  --life-open: rgba(22, 163, 74, 0.16); --life-pending: rgba(120, 130, 150, 0.6);
  --arrow: rgba(22, 140, 74, 0.42); --claim: rgba(27, 34, 48, 0.10); --claim-line: #1b2230;
  --bad-cell: #fde8e8; --shadow: 0 1px 2px rgba(16, 24, 40, 0.06), 0 1px 3px rgba(16, 24, 40, 0.08);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1116; --card: #161b22; --fg: #e6edf3; --muted: #9ba6b4; --faint: #6e7886;
    --border: #2a313c; --grid: #222934; --axis: #56606e;
    --pass: #3fb950; --pass-bg: rgba(46, 160, 67, 0.18); --fail: #ff6b62; --fail-bg: rgba(248, 81, 73, 0.16);
    --unknown: #e3b341; --unknown-bg: rgba(187, 128, 9, 0.2); --accent: #58a6ff; --code-bg: #0b0f14;
    --lane-alt: rgba(255, 255, 255, 0.03); --fault: rgba(255, 107, 98, 0.13); --fault-line: rgba(255, 107, 98, 0.6);
    --life-open: rgba(63, 185, 80, 0.16); --life-pending: rgba(155, 166, 180, 0.6);
    --arrow: rgba(63, 185, 80, 0.45); --claim: rgba(230, 237, 243, 0.12); --claim-line: #e6edf3;
    --bad-cell: rgba(248, 81, 73, 0.14); --shadow: none;
  }
}
* { box-sizing: border-box; }
html { scroll-behavior: smooth; scroll-padding-top: 56px; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
code, pre, .mono { font-family: ui-monospace, "SF Mono", "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 22px; margin: 0; font-weight: 650; letter-spacing: -0.01em; }
h2 { font-size: 18px; margin: 0 0 12px; font-weight: 650; }
h3 { font-size: 15px; margin: 18px 0 8px; font-weight: 620; }
h4 { font-size: 13.5px; margin: 14px 0 6px; font-weight: 620; }
p { margin: 6px 0; }
.muted { color: var(--muted); }
.small { font-size: 12.5px; }
nav.top { position: sticky; top: 0; z-index: 10; background: color-mix(in srgb, var(--bg) 88%, transparent); backdrop-filter: blur(6px); border-bottom: 1px solid var(--border); }
nav.top .in { max-width: 1320px; margin: 0 auto; padding: 8px 20px; display: flex; gap: 18px; align-items: center; flex-wrap: wrap; }
nav.top .brand { font-weight: 700; letter-spacing: 0.02em; }
nav.top a { color: var(--muted); font-size: 13px; }
nav.top a:hover { color: var(--fg); }
main { max-width: 1320px; margin: 0 auto; padding: 16px 20px 60px; }
.card { background: var(--card); border: 1px solid var(--border); border-radius: 10px; padding: 18px 20px; margin: 16px 0; box-shadow: var(--shadow); }
.title-row { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; }
.verdict { display: inline-block; padding: 3px 12px; border-radius: 999px; font-weight: 750; font-size: 14px; letter-spacing: 0.06em; text-transform: uppercase; }
.verdict-pass { background: var(--pass-bg); color: var(--pass); }
.verdict-fail { background: var(--fail-bg); color: var(--fail); }
.verdict-unknown { background: var(--unknown-bg); color: var(--unknown); }
.badge { display: inline-block; padding: 0 7px; border-radius: 999px; font-size: 11.5px; font-weight: 650; line-height: 18px; }
.badge.pass, .badge.ok { background: var(--pass-bg); color: var(--pass); }
.badge.fail, .badge.bad { background: var(--fail-bg); color: var(--fail); }
.badge.unknown { background: var(--unknown-bg); color: var(--unknown); }
.badge.note { background: var(--code-bg); color: var(--muted); }
.headline { font-size: 15px; margin: 10px 0 4px; }
.cmd { display: flex; align-items: stretch; gap: 0; margin: 12px 0 8px; max-width: 100%; }
.cmd code { flex: 1; background: var(--code-bg); border: 1px solid var(--border); border-right: 0; border-radius: 6px 0 0 6px; padding: 8px 10px; overflow-x: auto; white-space: pre; }
.cmd code::before { content: "$ "; color: var(--faint); }
button { font: inherit; font-size: 12.5px; color: var(--fg); background: var(--card); border: 1px solid var(--border); border-radius: 6px; padding: 4px 10px; cursor: pointer; }
button:hover { border-color: var(--accent); color: var(--accent); }
.cmd button { border-radius: 0 6px 6px 0; padding: 4px 14px; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px 18px; margin: 12px 0 0; }
dl.facts div { min-width: 0; }
dl.facts div.wide { grid-column: 1 / -1; }
dl.facts dt { font-size: 11.5px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--faint); }
dl.facts dd { margin: 1px 0 0; font-weight: 560; overflow-wrap: anywhere; }
dl.facts dd .sub { display: block; font-weight: 400; color: var(--muted); font-size: 12.5px; }
.banner { padding: 8px 12px; border-radius: 8px; background: var(--unknown-bg); color: var(--unknown); margin: 10px 0; }
.glance { display: grid; grid-template-columns: repeat(auto-fill, minmax(270px, 1fr)); gap: 12px; }
.mode-card { border: 1px solid var(--border); border-radius: 10px; padding: 12px 14px; border-top: 4px solid var(--c); background: var(--card); }
.mode-card .name { font-weight: 700; display: flex; justify-content: space-between; align-items: center; }
.mode-card .big { font-size: 28px; font-weight: 700; letter-spacing: -0.02em; margin: 4px 0 0; font-variant-numeric: tabular-nums; }
.mode-card .sub { color: var(--muted); font-size: 12.5px; }
.mode-card .stats { display: flex; gap: 12px; margin-top: 6px; font-size: 12.5px; flex-wrap: wrap; }
.mode-card .stats b { font-variant-numeric: tabular-nums; }
.mode-card .stats .bad b { color: var(--fail); }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 9px; border-bottom: 1px solid var(--border); text-align: left; vertical-align: top; }
th { font-size: 11.5px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 650; background: var(--card); white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.bad { background: var(--bad-cell); color: var(--fail); font-weight: 650; }
td.mode { white-space: nowrap; }
td.thr-cell { min-width: 250px; }
table.comparison th { white-space: normal; vertical-align: bottom; text-transform: none; letter-spacing: 0; font-size: 12px; }
table.comparison td, table.comparison th { padding: 5px 6px; }
table.comparison td.num { font-size: 13px; }
.seeds { margin-top: 3px; white-space: nowrap; }
.swimlane svg.dense .arrow { stroke-opacity: 0.35; }
ul.thr li { white-space: nowrap; font-size: 11.5px; }
ul.thr li code { font-size: 11.5px; }
ul.thr .actual { color: var(--muted); }
.bins-details { margin-top: 8px; }
.bins td, .bins th { padding: 3px 8px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin-right: 6px; vertical-align: -1px; }
ul.thr { list-style: none; margin: 0; padding: 0; }
ul.thr li { font-size: 12.5px; margin: 1px 0; }
ul.thr li.bad code { color: var(--fail); }
.charts { display: flex; flex-wrap: wrap; gap: 18px 28px; align-items: flex-start; }
.chart-block { min-width: 0; max-width: 100%; }
.chart-block .chart-title { font-weight: 620; font-size: 13.5px; margin: 0 0 4px; display: flex; align-items: center; gap: 6px; }
.chart-scroll { overflow-x: auto; max-width: 100%; }
.pair { display: flex; flex-wrap: wrap; gap: 10px 36px; align-items: flex-start; }
.pair .legend-row { max-width: 400px; }
.pair table { font-size: 12.5px; }
svg.chart-svg { display: block; overflow: visible; }
svg text { fill: var(--muted); font-size: 11px; font-family: inherit; }
svg .grid { stroke: var(--grid); stroke-width: 1; }
svg .axis { stroke: var(--axis); stroke-width: 1; }
svg .grid.minor { stroke-dasharray: 2 3; }
svg text.tick.minor { font-size: 10px; opacity: 0.75; }
svg .axis-title { fill: var(--faint); font-size: 11px; }
svg .group-label { fill: var(--fg); font-size: 12px; font-weight: 600; }
svg .bar-value { fill: var(--fg); font-size: 10.5px; }
svg .legend-text { fill: var(--fg); font-size: 11.5px; }
svg .whisker { stroke: var(--fg); stroke-width: 1.3; fill: none; opacity: 0.8; }
svg .claim-band { fill: var(--claim); stroke: var(--claim-line); stroke-width: 1; stroke-dasharray: 3 2; }
svg .claim-line { stroke: var(--claim-line); stroke-width: 1.5; stroke-dasharray: 4 3; }
svg .marker-line { stroke: var(--fg); stroke-width: 1; stroke-dasharray: 3 3; opacity: 0.6; }
svg .marker-label { fill: var(--fg); font-size: 10.5px; }
svg .bar:hover { opacity: 0.8; }
svg .fault-band { fill: var(--fault); }
svg .fault-edge { stroke: var(--fault-line); stroke-width: 1.2; stroke-dasharray: 3 2; }
svg .peak { stroke: var(--card); stroke-width: 1.5; }
.series-run { margin: 14px 0 22px; padding-top: 10px; border-top: 1px solid var(--border); }
.series-run .charts { margin: 4px 0; }
.series-run table.series-stats { margin-top: 6px; }
.series-run .pair table { margin-top: 4px; }
svg .m-sbr { fill: #6f6cd8; }
svg .m-rf { fill: #c0392b; }
.legend-row { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12.5px; color: var(--muted); margin: 6px 0; }
.legend-row .item { display: inline-flex; align-items: center; gap: 5px; }
.claims td.verdict-cell { font-weight: 650; }
.modes-legend { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; font-size: 13px; margin: 8px 0 0; }
.modes-legend dt { font-weight: 650; }
.modes-legend dd { margin: 0; color: var(--muted); }
details > summary { cursor: pointer; color: var(--muted); font-size: 12.5px; margin: 6px 0; }
section.timeline { scroll-margin-top: 60px; }
section.timeline h3 { margin-top: 0; display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.sampled { color: var(--unknown); font-size: 12.5px; font-weight: 600; }
.tl-meta { color: var(--muted); font-size: 12.5px; margin-bottom: 8px; display: flex; gap: 14px; flex-wrap: wrap; }
.tl-meta b { color: var(--fg); font-variant-numeric: tabular-nums; }
.tl-controls { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; font-size: 12.5px; padding: 8px 10px; background: var(--code-bg); border: 1px solid var(--border); border-radius: 8px; }
.tl-controls label { display: inline-flex; gap: 5px; align-items: center; color: var(--muted); }
.tl-controls select, .tl-controls input[type=number] { font: inherit; color: var(--fg); background: var(--card); border: 1px solid var(--border); border-radius: 5px; padding: 2px 4px; max-width: 170px; }
.tl-controls input[type=number] { width: 96px; }
.tl-controls input[type=range] { width: 140px; }
.tl-controls .sep { width: 1px; align-self: stretch; background: var(--border); }
.tl-count { color: var(--faint); margin-left: auto; }
.tl-legend { display: flex; flex-wrap: wrap; gap: 3px 14px; font-size: 12px; color: var(--muted); margin: 8px 0 4px; }
.tl-legend span { display: inline-flex; align-items: center; gap: 4px; }
.tl-legend svg { overflow: visible; }
.swimlane { position: relative; overflow-x: hidden; min-height: 60px; margin-top: 6px; border: 1px solid var(--border); border-radius: 8px; background: var(--card); user-select: none; }
.swimlane[data-state=loading]::before { content: "Drawing timeline…"; display: block; padding: 20px; color: var(--faint); }
.swimlane svg { display: block; }
.swimlane .lane-alt { fill: var(--lane-alt); }
.swimlane .lane-label { fill: var(--fg); font-size: 11.5px; }
.swimlane .lane-label.sys { font-weight: 700; }
.swimlane .lane-user { fill: var(--faint); font-size: 10.5px; }
.swimlane .lane-sep { stroke: var(--grid); }
.swimlane .tick-label { fill: var(--faint); font-size: 10.5px; }
.swimlane .fault { fill: var(--fault); }
.swimlane .fault-edge { stroke: var(--fault-line); stroke-width: 1.5; stroke-dasharray: 3 2; }
.swimlane .fault-label { fill: var(--fail); font-size: 10.5px; font-weight: 600; }
.swimlane .life-open { stroke: var(--life-open); stroke-width: 10; stroke-linecap: butt; }
.swimlane .life-pending { stroke: var(--life-pending); stroke-width: 1.2; stroke-dasharray: 2 3; }
.swimlane .arrow { stroke: var(--arrow); stroke-width: 1; fill: none; }
.swimlane .arrowhead { fill: var(--arrow); }
.swimlane .arrow-lost { stroke: #e5383b; stroke-width: 1.4; stroke-dasharray: 4 3; fill: none; opacity: 0.85; }
.swimlane .arrowhead-lost { fill: #e5383b; }
.swimlane .mk { cursor: pointer; }
.swimlane .mk:hover { filter: brightness(1.25) drop-shadow(0 0 2px currentColor); }
.swimlane .lost-halo { fill: rgba(229, 56, 59, 0.18); }
.swimlane .sel-ring { fill: none; stroke: var(--accent); stroke-width: 2; }
.swimlane .brush { position: absolute; top: 0; bottom: 0; background: color-mix(in srgb, var(--accent) 18%, transparent); border-left: 1px solid var(--accent); border-right: 1px solid var(--accent); pointer-events: none; }
.swim-hint { font-size: 11.5px; color: var(--faint); margin: 4px 0 0; }
.tl-detail { margin-top: 8px; padding: 8px 12px; border-left: 3px solid var(--accent); background: var(--code-bg); border-radius: 0 6px 6px 0; font-size: 12.5px; }
.tl-detail dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
.tl-detail dt { color: var(--faint); }
.tl-detail dd { margin: 0; overflow-wrap: anywhere; }
ol.lost-list { margin: 6px 0 0; padding: 2px 6px 2px 30px; max-height: 380px; overflow-y: auto; border: 1px solid var(--border); border-radius: 8px; }
ol.lost-list li { margin: 6px 0; padding: 6px 10px; border-left: 3px solid var(--fail); background: var(--fail-bg); border-radius: 0 6px 6px 0; cursor: pointer; list-style-position: outside; }
ol.lost-list li:hover { filter: brightness(0.97); }
ol.lost-list li.active { outline: 2px solid var(--accent); outline-offset: -1px; }
.lost-head { font-size: 12.5px; display: flex; gap: 8px; flex-wrap: wrap; align-items: baseline; }
.lost-head .lost-label { font-weight: 650; color: var(--fail); }
.lost-explanation { margin-top: 2px; color: var(--fg); overflow-wrap: anywhere; }
.runs-wrap { max-height: 520px; overflow: auto; border: 1px solid var(--border); border-radius: 8px; }
.runs-wrap thead th { position: sticky; top: 0; z-index: 1; }
#runs-table { width: 100%; }
.counterexample ol.steps { padding-left: 24px; }
.counterexample ol.steps li { margin: 3px 0; }
.counterexample dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; }
.counterexample dt { font-weight: 650; }
.counterexample dd { margin: 0; min-width: 0; }
pre.json { background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px; overflow: auto; max-height: 360px; margin: 0; }
footer { color: var(--faint); font-size: 12px; margin-top: 30px; }
[hidden] { display: none !important; }
.bad-text { color: var(--fail); font-weight: 650; }
.ok-text { color: var(--pass); font-weight: 650; }
/* Filter bar (in the sticky top bar). */
.filter-bar { margin-left: auto; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.filter-bar .seg { display: inline-flex; }
.filter-bar .seg button { border-radius: 0; margin-left: -1px; padding: 3px 10px; }
.filter-bar .seg button:first-child { border-radius: 6px 0 0 6px; margin-left: 0; }
.filter-bar .seg button:last-child { border-radius: 0 6px 6px 0; }
.filter-bar .seg button .n { color: var(--faint); font-variant-numeric: tabular-nums; }
.filter-bar .seg button[aria-pressed=true] { background: var(--accent); border-color: var(--accent); color: #fff; position: relative; }
.filter-bar .seg button[aria-pressed=true] .n { color: rgba(255, 255, 255, 0.8); }
#filter-search { font: inherit; font-size: 12.5px; color: var(--fg); background: var(--card); border: 1px solid var(--border); border-radius: 6px; padding: 4px 8px; width: 230px; }
#filter-search:focus { outline: 2px solid var(--accent); outline-offset: -1px; }
.filter-count { color: var(--muted); font-size: 12.5px; min-width: 80px; }
.filter-empty { margin: 8px 4px; }
/* Modes at a glance: scenarios first, pooled numbers labelled. */
.mode-card .big-unit { font-size: 14px; font-weight: 600; color: var(--muted); letter-spacing: 0; }
.mode-card .scen-line { font-size: 13px; margin-top: 1px; }
.mode-card .scen-line > * { white-space: nowrap; }
.pips { display: flex; gap: 3px; flex-wrap: wrap; margin: 7px 0 4px; }
.pip { display: inline-block; width: 13px; height: 13px; border-radius: 3px; background: var(--unknown); }
.pip.pass { background: var(--pass); }
.pip.fail { background: var(--fail); }
.pip:hover { outline: 2px solid var(--accent); outline-offset: 1px; }
.mode-card .failed-names { margin-top: 2px; }
.mode-card .pooled { margin-top: 9px; padding-top: 7px; border-top: 1px dashed var(--border); font-size: 12.5px; }
.mode-card .pooled-label { font-size: 11px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--faint); margin-bottom: 1px; }
/* Comparison table: a group per scenario, note rows under the rows they explain. */
table.comparison { width: 100%; }
table.comparison tr.scenario-head th { background: var(--code-bg); color: var(--fg); font-size: 13px; text-transform: none; letter-spacing: 0; padding: 6px 8px; border-top: 2px solid var(--border); }
tr.scenario-head .scenario { font-weight: 700; margin-right: 6px; }
table.comparison tr.has-note > td { border-bottom: 0; }
table.comparison tr.row-note > td { padding-top: 0; padding-bottom: 9px; font-size: 12.5px; }
.row-note .failed-on .reason { color: var(--fail); font-weight: 600; }
.row-note .failed-on .sep-dot { color: var(--faint); }
.row-note .why { color: var(--muted); margin-top: 2px; max-width: 110ch; }
.row-note .why::before { content: "Why: "; color: var(--fg); font-weight: 650; }
.note-line { display: flex; flex-wrap: wrap; gap: 4px 22px; align-items: center; }
.row-links { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; }
.replay-label { color: var(--muted); margin-right: -8px; }
.cmd.cmd-inline { display: inline-flex; margin: 0; min-width: 0; max-width: 100%; }
.cmd.cmd-inline code { padding: 2px 8px; font-size: 12px; white-space: pre-wrap; word-break: break-all; }
.cmd.cmd-inline button { padding: 1px 9px; font-size: 12px; }
.tl-replay { margin: 2px 0 8px; }
.tl-index { display: flex; flex-wrap: wrap; gap: 4px 16px; }
/* Against the baseline. */
table.baseline { width: 100%; }
table.baseline td.bl { min-width: 150px; }
table.baseline .badge { white-space: nowrap; }
ul.bl-notes details > summary { margin: 0; }
table.baseline td.bl.regression { background: var(--bad-cell); }
table.baseline td.bl.improvement { background: var(--pass-bg); }
table.baseline .bl-move { white-space: nowrap; }
table.baseline .change { font-weight: 700; font-variant-numeric: tabular-nums; }
.bl.regression .change, li.regression .change { color: var(--fail); }
.bl.improvement .change, li.improvement .change { color: var(--pass); }
.bl .tol, .bl-other .tol { color: var(--muted); font-size: 11.5px; }
table.baseline tr.regressed > td:first-child { box-shadow: inset 3px 0 0 var(--fail); }
ul.bl-other { list-style: none; margin: 0; padding: 0; font-size: 12.5px; }
ul.bl-other li { margin: 1px 0; }
ul.bl-notes { margin: 4px 0 10px; padding-left: 18px; }
@media print { nav.top { display: none; } .card { break-inside: avoid; box-shadow: none; } }
`;
