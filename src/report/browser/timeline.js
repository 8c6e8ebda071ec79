// @ts-check
/**
 * The swimlane timelines (the second part of the report's one inline script; vanilla JS, no
 * network): reads the embedded results (inflating gzip+base64 with DecompressionStream), draws
 * a swimlane per timeline section with zoom (drag-select, from/to inputs, +/−, pan, reset) and
 * filters (user, thread, connection, lanes with losses), and wires the copy and save buttons.
 *
 * A classic script, not a module: client.ts inlines it with its two placeholders filled in,
 * the marker table (TIMELINE_KINDS, as JSON) and the tick rule (ticks.js, for msTickLabels);
 * inlined.d.ts declares what they bring, types.ts the data the script reads.
 */
/** @import { ResultsView, Run, TimelineItem } from './types.ts' */
/** @typedef {Record<string, 1>} NameSet  names as keys, for lookups */
(function () {
  'use strict';
  var KINDS = __KINDS__;
  // The tick rule: client.ts puts ticks.js here (msTickLabels and what it needs).
  __TICKS__;

  /** @type {NameSet} An empty set, for a lookup in one that may not exist (never written to). */
  var NONE = {};

  /**
   * @param {unknown} s
   * @returns {string}
   */
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;';
    });
  }
  /** @param {number | string} n */
  function group(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
  /** @param {number} us */
  function fmtMs(us) {
    var ms = us / 1000;
    var a = Math.abs(ms);
    var d = a < 1 ? 3 : a < 100 ? 2 : a < 10000 ? 1 : 0;
    var s = ms.toFixed(d).split('.');
    return group(s[0]) + (s[1] ? '.' + s[1] : '') + ' ms';
  }
  /**
   * @param {string} a
   * @param {string} b
   */
  function natural(a, b) {
    var ra = a.split(/(\d+)/), rb = b.split(/(\d+)/);
    for (var i = 0; i < Math.min(ra.length, rb.length); i++) {
      if (ra[i] === rb[i]) continue;
      var na = +ra[i], nb = +rb[i];
      if (i % 2 === 1 && !isNaN(na) && !isNaN(nb)) return na - nb;
      return ra[i] < rb[i] ? -1 : 1;
    }
    return ra.length - rb.length;
  }
  /** @param {number} n */
  function r1(n) { return Math.round(n * 10) / 10; }

  /**
   * The marker of `kind` at (x, y), radius r, as SVG.
   * @param {string} kind
   * @param {number} x
   * @param {number} y
   * @param {number} r
   * @returns {string}
   */
  function shape(kind, x, y, r) {
    var k = KINDS[kind] || KINDS.log, c = k.color;
    x = r1(x); y = r1(y);
    switch (k.shape) {
      case 'circle': return '<circle cx="' + x + '" cy="' + y + '" r="' + r + '" fill="' + c + '"/>';
      case 'ring': return '<circle cx="' + x + '" cy="' + y + '" r="' + r + '" fill="none" stroke="' + c + '" stroke-width="1.8"/>';
      case 'dot': return '<circle cx="' + x + '" cy="' + y + '" r="2" fill="' + c + '"/>';
      case 'bar': return '<rect x="' + (x - 1.6) + '" y="' + (y - r - 3) + '" width="3.2" height="' + (2 * r + 6) + '" rx="1" fill="' + c + '"/>';
      case 'square': return '<rect x="' + (x - r) + '" y="' + (y - r) + '" width="' + 2 * r + '" height="' + 2 * r + '" fill="' + c + '"/>';
      case 'square-hollow': return '<rect x="' + (x - r + 0.8) + '" y="' + (y - r + 0.8) + '" width="' + (2 * r - 1.6) + '" height="' + (2 * r - 1.6) + '" fill="none" stroke="' + c + '" stroke-width="1.6"/>';
      case 'diamond': return '<path d="M' + x + ',' + (y - r - 1) + 'L' + (x + r + 1) + ',' + y + 'L' + x + ',' + (y + r + 1) + 'L' + (x - r - 1) + ',' + y + 'Z" fill="' + c + '"/>';
      case 'diamond-hollow': return '<path d="M' + x + ',' + (y - r - 1) + 'L' + (x + r + 1) + ',' + y + 'L' + x + ',' + (y + r + 1) + 'L' + (x - r - 1) + ',' + y + 'Z" fill="none" stroke="' + c + '" stroke-width="1.6"/>';
      case 'tri-up': return '<path d="M' + x + ',' + (y - r - 1) + 'L' + (x + r + 0.5) + ',' + (y + r) + 'L' + (x - r - 0.5) + ',' + (y + r) + 'Z" fill="' + c + '"/>';
      case 'tri-up-hollow': return '<path d="M' + x + ',' + (y - r - 1) + 'L' + (x + r + 0.5) + ',' + (y + r) + 'L' + (x - r - 0.5) + ',' + (y + r) + 'Z" fill="none" stroke="' + c + '" stroke-width="1.6"/>';
      case 'tri-down': return '<path d="M' + x + ',' + (y + r + 1) + 'L' + (x + r + 0.5) + ',' + (y - r) + 'L' + (x - r - 0.5) + ',' + (y - r) + 'Z" fill="' + c + '"/>';
      case 'x': return '<circle class="lost-halo" cx="' + x + '" cy="' + y + '" r="' + (r + 4) + '"/><path d="M' + (x - r) + ',' + (y - r) + 'L' + (x + r) + ',' + (y + r) + 'M' + (x + r) + ',' + (y - r) + 'L' + (x - r) + ',' + (y + r) + '" stroke="' + c + '" stroke-width="2.6" stroke-linecap="round"/>';
    }
    return '';
  }

  /** @param {number} raw */
  function niceStep(raw) {
    var p = Math.pow(10, Math.floor(Math.log10(raw || 1)));
    var m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  /**
   * The input matching `selector` in `root`, if there is one.
   * @param {ParentNode} root
   * @param {string} selector
   * @returns {HTMLInputElement | null}
   */
  function input(root, selector) { return root.querySelector(selector); }

  // ---- Swimlane --------------------------------------------------------------------------
  var seq = 0;
  /**
   * One timeline section's swimlane: its items, indexes for the filters, the zoom window.
   * @constructor
   * @param {Element} sec  a section.timeline (sections/timelines.ts)
   * @param {Run} run
   */
  function Swimlane(sec, run) {
    this.id = 'sl' + (seq++);
    this.sec = sec;
    this.run = run;
    this.items = run.timeline || [];
    // Every timeline section has its .swimlane (sections/timelines.ts); the others are optional.
    this.host = /** @type {HTMLElement} */ (sec.querySelector('.swimlane'));
    /** @type {HTMLElement | null} */
    this.detail = sec.querySelector('.tl-detail');
    /** @type {HTMLElement | null} */
    this.countEl = sec.querySelector('.tl-count');
    this.filters = { user: '', thread: '', conn: '', lossOnly: false };
    this.selected = -1;
    this.drawn = false;
    /** @type {{ L: number, pw: number } | null} The plot's left edge and width, once drawn. */
    this.geom = null;
    // The time domain is the items' span (a capped timeline may cover only the start of the
    // run); fault windows widen it only when there are no items at all.
    var lo = Infinity, hi = -Infinity, self = this;
    this.items.forEach(function (it) {
      lo = Math.min(lo, it.t, it.fromT == null ? it.t : it.fromT);
      hi = Math.max(hi, it.t);
    });
    if (!isFinite(lo)) (run.faults || []).forEach(function (f) { lo = Math.min(lo, f.startUs); hi = Math.max(hi, f.endUs); });
    if (!isFinite(lo)) { lo = 0; hi = 1000; }
    if (hi - lo < 1000) hi = lo + 1000;
    var pad = (hi - lo) * 0.02;
    this.full = [Math.max(0, lo - pad), hi + pad];
    this.view = this.full.slice();
    // Indexes for filtering.
    /** @type {Record<string, string>} connection → its user */
    this.laneUser = {};
    /** @type {Record<string, NameSet>} connection → the threads on it */
    this.laneThreads = {};
    /** @type {Record<string, NameSet>} connection → the events on it */
    this.laneEids = {};
    /** @type {Record<string, NameSet>} user → their threads */
    this.userThreads = {};
    /** @type {Record<string, string>} event → its thread */
    this.eidThread = {};
    /** @type {Record<string, number>} event → when it was produced, µs */
    this.producedAt = {};
    /** @type {string[]} */
    this.conns = [];
    /** @type {NameSet} */
    var seen = {};
    this.items.forEach(function (it) {
      var conn = it.lane !== 'agent' && it.lane !== 'router';
      if (conn && !seen[it.lane]) { seen[it.lane] = 1; self.conns.push(it.lane); }
      if (conn && it.user) self.laneUser[it.lane] = it.user;
      if (conn && it.thread) (self.laneThreads[it.lane] = self.laneThreads[it.lane] || {})[it.thread] = 1;
      if (conn && it.eid) (self.laneEids[it.lane] = self.laneEids[it.lane] || {})[it.eid] = 1;
      if (it.user && it.thread) (self.userThreads[it.user] = self.userThreads[it.user] || {})[it.thread] = 1;
      if (it.eid && it.thread && it.kind === 'produced') self.eidThread[it.eid] = it.thread;
      if (it.eid && it.kind === 'produced') self.producedAt[it.eid] = it.t;
    });
    this.conns.sort(natural);
    // Connections with a loss or violation, for the "only lanes with losses" filter.
    /** @type {NameSet} */
    this.lossLanes = {};
    this.items.forEach(function (it) { if (it.kind === 'lost') self.lossLanes[it.lane] = 1; });
    /** @type {HTMLInputElement | null} */
    var lossOnly = sec.querySelector('input[data-filter=lossOnly]');
    if (lossOnly) {
      var any = Object.keys(this.lossLanes).some(function (l) { return l !== 'agent' && l !== 'router'; });
      if (!any) lossOnly.disabled = true;
      else if (this.conns.length > 30) lossOnly.checked = true; // many lanes: open on the failures
      this.filters.lossOnly = lossOnly.checked;
    }
    this.bind();
  }

  /**
   * Whether the filters let `it` through.
   * @param {TimelineItem} it
   * @returns {boolean}
   */
  Swimlane.prototype.pass = function (it) {
    var f = this.filters, conn = it.lane !== 'agent' && it.lane !== 'router';
    if (f.user) {
      if (it.user) { if (it.user !== f.user) return false; }
      else if (it.thread) { if (!(this.userThreads[f.user] || NONE)[it.thread]) return false; }
      else if (conn) { if (this.laneUser[it.lane] !== f.user) return false; }
    }
    if (f.thread) {
      var th = it.thread || (it.eid ? this.eidThread[it.eid] : undefined);
      if (th) { if (th !== f.thread) return false; }
      else if (conn) { if (!(this.laneThreads[it.lane] || NONE)[f.thread]) return false; }
    }
    if (f.lossOnly) {
      if (conn) { if (!this.lossLanes[it.lane]) return false; }
      else if (it.kind !== 'fault') {
        var rel = false;
        for (var l in this.lossLanes) {
          if ((it.eid && (this.laneEids[l] || NONE)[it.eid]) || (it.thread && (this.laneThreads[l] || NONE)[it.thread])) { rel = true; break; }
        }
        if (!rel) return false;
      }
    }
    if (f.conn) {
      if (conn) { if (it.lane !== f.conn) return false; }
      else {
        var related = (it.eid && (this.laneEids[f.conn] || NONE)[it.eid]) || (it.thread && (this.laneThreads[f.conn] || NONE)[it.thread]) || it.kind === 'fault';
        if (!related) return false;
      }
    }
    return true;
  };

  /**
   * Shows [a, b] µs (at least 200 µs, kept inside the full span) and redraws.
   * @param {number} a
   * @param {number} b
   */
  Swimlane.prototype.setView = function (a, b) {
    if (!(b > a)) return;
    var span = Math.max(200, b - a);
    var full = this.full;
    if (span >= full[1] - full[0]) { this.view = full.slice(); }
    else {
      var s = Math.max(full[0], Math.min(a, full[1] - span));
      this.view = [s, s + span];
    }
    this.draw();
  };

  /** @param {number} factor  the new span over the current one */
  Swimlane.prototype.zoom = function (factor) {
    var c = (this.view[0] + this.view[1]) / 2, h = (this.view[1] - this.view[0]) * factor / 2;
    this.setView(c - h, c + h);
  };

  /**
   * Zooms to item `i` (a loss with its production), selects it and shows its details.
   * @param {number} i
   */
  Swimlane.prototype.focus = function (i) {
    var it = this.items[i];
    if (!it) return;
    var span = Math.max(20000, (this.full[1] - this.full[0]) * 0.06);
    var from = it.t;
    if (it.kind === 'lost' && it.eid && this.producedAt[it.eid] != null) from = Math.min(from, this.producedAt[it.eid]);
    this.selected = i;
    this.sec.querySelectorAll('ol.lost-list li.active').forEach(function (li) { li.classList.remove('active'); });
    var li = this.sec.querySelector('ol.lost-list li[data-item="' + i + '"]');
    if (li) li.classList.add('active');
    this.setView(from - span / 2, it.t + span / 2);
    this.showDetail(i);
    this.host.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  };

  /** @param {number} i */
  Swimlane.prototype.showDetail = function (i) {
    var it = this.items[i];
    if (!it || !this.detail) return;
    var rows = [['time', fmtMs(it.t)], ['lane', it.lane], ['kind', it.kind], ['label', it.label]];
    if (it.user) rows.push(['user', it.user]);
    if (it.thread) rows.push(['thread', it.thread]);
    if (it.eid) rows.push(['event', it.eid]);
    if (it.fromT != null) rows.push(['produced at', fmtMs(it.fromT) + ' (latency ' + fmtMs(it.t - it.fromT) + ')']);
    if (it.explanation) rows.push(['explanation', it.explanation]);
    this.detail.innerHTML = '<dl>' + rows.map(function (r) { return '<dt>' + esc(r[0]) + '</dt><dd>' + esc(r[1]) + '</dd>'; }).join('') + '</dl>';
    this.detail.hidden = false;
  };

  /**
   * A marker's tooltip, escaped.
   * @param {TimelineItem} it
   * @returns {string}
   */
  Swimlane.prototype.titleOf = function (it) {
    var s = fmtMs(it.t) + '  ' + it.kind + ' @ ' + it.lane + '\n' + it.label;
    if (it.user) s += '\nuser ' + it.user;
    if (it.thread) s += '\nthread ' + it.thread;
    if (it.eid) s += '\nevent ' + it.eid;
    if (it.fromT != null) s += '\nproduced ' + fmtMs(it.fromT) + ', latency ' + fmtMs(it.t - it.fromT);
    if (it.explanation) s += '\n\n' + it.explanation;
    return esc(s);
  };

  Swimlane.prototype.draw = function () {
    var self = this, v0 = this.view[0], v1 = this.view[1];
    var visible = [], i;
    for (i = 0; i < this.items.length; i++) if (this.pass(this.items[i])) visible.push(i);
    var filtered = this.filters.user || this.filters.thread || this.filters.conn || this.filters.lossOnly;
    /** @type {NameSet} */
    var laneSet = {};
    visible.forEach(function (k) { laneSet[self.items[k].lane] = 1; });
    var conns = this.conns.filter(function (c) { return !filtered || laneSet[c]; });
    var lanes = ['agent', 'router'].concat(conns);
    // The host's width (a narrow window gets a narrow chart, not a clipped one).
    var W = Math.max(420, this.host.clientWidth || 1000);
    var L = 150, R = 16, T = 30, B = 28;
    var laneH = lanes.length > 40 ? 16 : lanes.length > 20 ? 22 : 30;
    var H = T + lanes.length * laneH + B;
    var pw = W - L - R;
    var span = v1 - v0;
    /** @param {number} t */
    function x(t) { return L + (t - v0) / span * pw; }
    /** @type {Record<string, number>} lane → its centre line */
    var laneY = {};
    lanes.forEach(function (l, k) { laneY[l] = T + k * laneH + laneH / 2; });
    var mr = laneH >= 22 ? 4.5 : 3.5;
    var id = this.id;
    var s = [];
    s.push('<svg class="swim-svg" width="' + W + '" height="' + H + '" viewBox="0 0 ' + W + ' ' + H + '" role="img" aria-label="timeline of ' + esc(this.run.scenario + ' x ' + this.run.router + ' seed ' + this.run.seed) + '">');
    s.push('<defs><clipPath id="' + id + '-clip"><rect x="' + L + '" y="0" width="' + pw + '" height="' + H + '"/></clipPath>' +
      '<marker id="' + id + '-ah" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path class="arrowhead" d="M0,0L8,4L0,8z"/></marker>' +
      '<marker id="' + id + '-ahl" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrowhead-lost" d="M0,0L8,4L0,8z"/></marker></defs>');
    // Lanes.
    lanes.forEach(function (l, k) {
      var y = T + k * laneH;
      if (k % 2 === 1) s.push('<rect class="lane-alt" x="0" y="' + y + '" width="' + W + '" height="' + laneH + '"/>');
      if (k === 2) s.push('<line class="lane-sep" x1="0" y1="' + y + '" x2="' + W + '" y2="' + y + '"/>');
      var sys = l === 'agent' || l === 'router';
      var user = self.laneUser[l];
      s.push('<text class="lane-label' + (sys ? ' sys' : '') + '" x="10" y="' + (y + laneH / 2 + 4) + '">' + esc(l) +
        (user && laneH >= 22 ? '<tspan class="lane-user" dx="6">' + esc(user) + '</tspan>' : '') + '</text>');
    });
    // Time axis (ms), top and bottom.
    // Labels start at the step's precision and gain decimals until neighbours differ
    // (msTickLabels, shared with the server's charts' rule in ticks.ts).
    var step = niceStep(span / Math.max(2, pw / 110));
    var dec = Math.min(3, Math.max(0, -Math.floor(Math.log10(step / 1000) + 1e-9)));
    var ticks = [];
    for (var k = Math.ceil(v0 / step); k * step <= v1; k++) ticks.push(k * step);
    var labels = msTickLabels(ticks, dec);
    for (var ti = 0; ti < ticks.length; ti++) {
      var t = ticks[ti], lab = labels[ti];
      var px = r1(x(t));
      s.push('<line class="grid" x1="' + px + '" y1="' + (T - 4) + '" x2="' + px + '" y2="' + (H - B + 4) + '"/>');
      // Labels at the plot's edges are anchored inwards, so they are neither cut off nor over the unit.
      var anchor = px < L + 24 ? 'start' : px > L + pw - 24 ? 'end' : 'middle';
      s.push('<text class="tick-label" x="' + px + '" y="' + (T - 9) + '" text-anchor="' + anchor + '">' + lab + '</text>');
      s.push('<text class="tick-label" x="' + px + '" y="' + (H - B + 17) + '" text-anchor="' + anchor + '">' + lab + '</text>');
    }
    s.push('<text class="tick-label" x="' + (L - 8) + '" y="' + (T - 9) + '" text-anchor="end">ms</text>');
    s.push('<g clip-path="url(#' + id + '-clip)">');
    // Fault windows (labels only where they do not overlap the previous one; all on hover).
    var labelEnd = -Infinity;
    (this.run.faults || []).slice().sort(function (a, b) { return a.startUs - b.startUs; }).forEach(function (f) {
      if (f.endUs < v0 || f.startUs > v1) return;
      var x0 = x(f.startUs), x1 = x(f.endUs), w = Math.max(2, x1 - x0);
      var label = '';
      if (x0 + 3 > labelEnd) {
        label = '<text class="fault-label" x="' + r1(Math.max(L + 2, x0 + 3)) + '" y="' + (H - B - 4) + '">' + esc(f.label) + '</text>';
        labelEnd = Math.max(L + 2, x0 + 3) + f.label.length * 6 + 8;
      }
      s.push('<g class="fault-win"><title>' + esc('fault: ' + f.label + ' (' + fmtMs(f.startUs) + ' – ' + fmtMs(f.endUs) + ')') + '</title>' +
        '<rect class="fault" x="' + r1(x0) + '" y="' + (T - 2) + '" width="' + r1(w) + '" height="' + (H - T - B + 4) + '"/>' +
        '<line class="fault-edge" x1="' + r1(x0) + '" y1="' + (T - 2) + '" x2="' + r1(x0) + '" y2="' + (H - B + 2) + '"/>' + label + '</g>');
    });
    // Connection lifetimes (from all items, filters aside).
    /** @type {Record<string, TimelineItem[]>} */
    var life = {};
    this.items.forEach(function (it) {
      if (laneY[it.lane] == null || (it.kind !== 'connect' && it.kind !== 'open' && it.kind !== 'close')) return;
      (life[it.lane] = life[it.lane] || []).push(it);
    });
    Object.keys(life).forEach(function (l) {
      var y = laneY[l];
      /** @type {number | null} */
      var pend = null;
      /** @type {number | null} */
      var open = null;
      life[l].forEach(function (it) {
        if (it.kind === 'connect') { pend = it.t; open = null; }
        else if (it.kind === 'open') { if (pend != null) s.push('<line class="life-pending" x1="' + r1(x(pend)) + '" y1="' + y + '" x2="' + r1(x(it.t)) + '" y2="' + y + '"/>'); pend = null; open = it.t; }
        else {
          if (open != null) s.push('<line class="life-open" x1="' + r1(x(open)) + '" y1="' + y + '" x2="' + r1(x(it.t)) + '" y2="' + y + '"/>');
          else if (pend != null) s.push('<line class="life-pending" x1="' + r1(x(pend)) + '" y1="' + y + '" x2="' + r1(x(it.t)) + '" y2="' + y + '"/>');
          pend = open = null;
        }
      });
      if (open != null) s.push('<line class="life-open" x1="' + r1(x(open)) + '" y1="' + y + '" x2="' + r1(x(self.full[1])) + '" y2="' + y + '"/>');
      else if (pend != null) s.push('<line class="life-pending" x1="' + r1(x(pend)) + '" y1="' + y + '" x2="' + r1(x(self.full[1])) + '" y2="' + y + '"/>');
    });
    // Arrows: production (agent lane) -> delivery; red dashed for losses.
    var ay = laneY.agent, shown = 0, arrows = 0;
    visible.forEach(function (k) {
      var it = self.items[k], y = laneY[it.lane];
      if (y == null || it.lane === 'agent') return;
      var from = it.kind === 'deliver' ? it.fromT : it.kind === 'lost' && it.eid ? self.producedAt[it.eid] : undefined;
      if (from == null) { if (it.kind === 'lost' && it.lane !== 'router') from = it.t; else return; }
      if (Math.max(from, it.t) < v0 || Math.min(from, it.t) > v1) return;
      var lost = it.kind === 'lost';
      arrows++;
      s.push('<line class="' + (lost ? 'arrow-lost' : 'arrow') + '" x1="' + r1(x(from)) + '" y1="' + (ay + 3) + '" x2="' + r1(x(it.t)) + '" y2="' + r1(y - (lost ? 9 : 6)) + '" marker-end="url(#' + id + (lost ? '-ahl' : '-ah') + ')"/>');
    });
    // Markers (lost last, on top).
    var order = visible.filter(function (k) { return self.items[k].kind !== 'lost'; }).concat(visible.filter(function (k) { return self.items[k].kind === 'lost'; }));
    order.forEach(function (k) {
      var it = self.items[k], y = laneY[it.lane];
      if (y == null || it.t < v0 || it.t > v1) return;
      shown++;
      var r = it.kind === 'lost' ? mr + 1.5 : mr;
      s.push('<g class="mk k-' + esc(it.kind) + '" data-i="' + k + '"><title>' + self.titleOf(it) + '</title>' + shape(it.kind, x(it.t), y, r) + '</g>');
    });
    if (this.selected >= 0) {
      var sel = this.items[this.selected];
      if (sel && laneY[sel.lane] != null) s.push('<circle class="sel-ring" cx="' + r1(x(sel.t)) + '" cy="' + laneY[sel.lane] + '" r="' + (mr + 7) + '"/>');
    }
    s.push('</g>');
    s.push('<rect class="axis" x="' + L + '" y="' + (T - 4) + '" width="' + pw + '" height="' + (H - T - B + 8) + '" fill="none" stroke-opacity="0.5"/>');
    s.push('</svg>');
    if (arrows > 300) s[0] = s[0].replace('class="swim-svg"', 'class="swim-svg dense"');
    this.host.innerHTML = s.join('');
    this.host.removeAttribute('data-state');
    this.geom = { L: L, pw: pw };
    this.drawn = true;
    var total = this.items.length;
    if (this.countEl) this.countEl.textContent = 'showing ' + group(shown) + ' of ' + group(total) + ' items · ' + lanes.length + ' of ' + (this.conns.length + 2) + ' lanes · ' + fmtMs(v0) + ' – ' + fmtMs(v1);
    var fromIn = input(this.sec, '[data-zoom=from]'), toIn = input(this.sec, '[data-zoom=to]'), pan = input(this.sec, '[data-zoom=pan]');
    if (fromIn) fromIn.value = (v0 / 1000).toFixed(1);
    if (toIn) toIn.value = (v1 / 1000).toFixed(1);
    if (pan) {
      var room = (this.full[1] - this.full[0]) - span;
      pan.disabled = room <= 1;
      pan.value = room <= 1 ? '0' : String(Math.round((v0 - this.full[0]) / room * 1000));
    }
  };

  Swimlane.prototype.bind = function () {
    var self = this, sec = this.sec;
    /** @type {NodeListOf<HTMLSelectElement>} */
    var selects = sec.querySelectorAll('select[data-filter]');
    selects.forEach(function (sel) {
      sel.addEventListener('change', function () {
        var key = sel.getAttribute('data-filter');
        if (key === 'user' || key === 'thread' || key === 'conn') self.filters[key] = sel.value;
        self.draw();
      });
    });
    /** @type {NodeListOf<HTMLInputElement>} */
    var boxes = sec.querySelectorAll('input[type=checkbox][data-filter]');
    boxes.forEach(function (box) {
      box.addEventListener('change', function () {
        if (box.getAttribute('data-filter') === 'lossOnly') self.filters.lossOnly = box.checked;
        self.draw();
      });
    });
    // const: the listeners below rely on the checks made before they are added.
    const fromIn = input(sec, '[data-zoom=from]'), toIn = input(sec, '[data-zoom=to]'), pan = input(sec, '[data-zoom=pan]');
    function applyInputs() {
      if (!fromIn || !toIn) return;
      var a = parseFloat(fromIn.value) * 1000, b = parseFloat(toIn.value) * 1000;
      if (isFinite(a) && isFinite(b) && b > a) self.setView(a, b);
    }
    if (fromIn) fromIn.addEventListener('change', applyInputs);
    if (toIn) toIn.addEventListener('change', applyInputs);
    if (pan) pan.addEventListener('input', function () {
      var span = self.view[1] - self.view[0], room = (self.full[1] - self.full[0]) - span;
      var a = self.full[0] + room * (+pan.value / 1000);
      self.setView(a, a + span);
    });
    sec.querySelectorAll('[data-action]').forEach(function (b) {
      b.addEventListener('click', function () {
        var a = b.getAttribute('data-action');
        if (a === 'reset') { self.selected = -1; self.view = self.full.slice(); self.draw(); }
        else if (a === 'zoom-in') self.zoom(0.5);
        else if (a === 'zoom-out') self.zoom(2);
      });
    });
    sec.querySelectorAll('ol.lost-list').forEach(function (ol) {
      ol.addEventListener('click', function (ev) {
        var li = ev.target instanceof Element ? ev.target.closest('li[data-item]') : null;
        if (li) self.focus(Number(li.getAttribute('data-item')));
      });
    });
    const more = sec.querySelector('[data-action=more-lost]');
    if (more) more.addEventListener('click', function () { self.listAllLost(more); });
    // Drag to zoom; click a marker for details.
    var host = this.host;
    /** @type {{ px: number, target: EventTarget | null } | null} Where the pointer went down. */
    var start = null;
    /** @type {HTMLDivElement | null} */
    var brush = null;
    host.addEventListener('pointerdown', function (ev) {
      if (!self.geom || ev.button !== 0) return;
      var rect = host.getBoundingClientRect(), px = ev.clientX - rect.left;
      if (px < self.geom.L) return;
      start = { px: px, target: ev.target };
      host.setPointerCapture(ev.pointerId);
    });
    host.addEventListener('pointermove', function (ev) {
      var g = self.geom;
      if (!start || !g) return;
      var rect = host.getBoundingClientRect(), px = Math.max(g.L, Math.min(g.L + g.pw, ev.clientX - rect.left));
      if (Math.abs(px - start.px) < 4) return;
      if (!brush) { brush = document.createElement('div'); brush.className = 'brush'; host.appendChild(brush); }
      brush.style.left = Math.min(px, start.px) + 'px';
      brush.style.width = Math.abs(px - start.px) + 'px';
    });
    host.addEventListener('pointerup', function (ev) {
      var g = self.geom;
      if (!start || !g) return;
      var rect = host.getBoundingClientRect(), px = Math.max(g.L, Math.min(g.L + g.pw, ev.clientX - rect.left));
      var s0 = start;
      start = null;
      if (brush) { brush.remove(); brush = null; }
      if (Math.abs(px - s0.px) >= 4) {
        var geom = g;
        /** @param {number} p */
        var inv = function (p) { return self.view[0] + (p - geom.L) / geom.pw * (self.view[1] - self.view[0]); };
        self.setView(inv(Math.min(px, s0.px)), inv(Math.max(px, s0.px)));
        return;
      }
      var mk = s0.target instanceof Element ? s0.target.closest('[data-i]') : null;
      if (mk) { self.selected = Number(mk.getAttribute('data-i')); self.showDetail(self.selected); self.draw(); }
    });
  };

  /**
   * Lists every lost item, not only the first ones the server listed, and drops `btn`.
   * @param {Element} btn
   */
  Swimlane.prototype.listAllLost = function (btn) {
    var ol = this.sec.querySelector('ol.lost-list');
    if (!ol) return;
    /** @type {NameSet} */
    var have = {};
    ol.querySelectorAll('li[data-item]').forEach(function (li) { have[li.getAttribute('data-item') || ''] = 1; });
    /** @type {string[]} */
    var html = [];
    this.items.forEach(function (it, k) {
      if (it.kind !== 'lost' || have[k]) return;
      html.push('<li data-item="' + k + '"><div class="lost-head"><code class="lost-time">' + esc(fmtMs(it.t)) + '</code><span class="lost-label">' + esc(it.label) + '</span><code class="lost-lane">' + esc(it.lane) + '</code></div><div class="lost-explanation">' + esc(it.explanation || '') + '</div></li>');
    });
    ol.insertAdjacentHTML('beforeend', html.join(''));
    btn.remove();
  };

  /** @param {Element} el */
  function legend(el) {
    var html = [];
    Object.keys(KINDS).forEach(function (k) {
      if (k === 'log') return;
      html.push('<span><svg width="14" height="14" viewBox="-7 -7 14 14">' + shape(k, 0, 0, 4) + '</svg>' + esc(KINDS[k].label) + '</span>');
    });
    html.push('<span><svg width="22" height="14" viewBox="0 0 22 14"><line x1="1" y1="7" x2="21" y2="7" style="stroke:var(--life-open);stroke-width:10"/></svg>connection open</span>');
    html.push('<span><svg width="22" height="14" viewBox="0 0 22 14"><rect x="0" y="0" width="22" height="14" style="fill:var(--fault)"/></svg>fault window</span>');
    el.innerHTML = html.join('');
  }

  // ---- Data --------------------------------------------------------------------------------
  /** @returns {Promise<ResultsView>} */
  function loadDoc() {
    var el = document.getElementById('threadline-data');
    if (!el) return Promise.reject(new Error('no embedded data'));
    var text = el.textContent || '';
    if (el.getAttribute('data-encoding') !== 'gzip-base64') return Promise.resolve(JSON.parse(text));
    if (typeof DecompressionStream === 'undefined') return Promise.reject(new Error('this browser cannot inflate the embedded data (no DecompressionStream); open results.json instead'));
    var bin = atob(text.trim());
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).text().then(JSON.parse);
  }

  /**
   * @param {string} text
   * @param {Element} btn  says "Copied ✓" for a moment
   */
  function copyText(text, btn) {
    /** @param {boolean} ok */
    function done(ok) {
      var old = btn.getAttribute('data-label') || btn.textContent || '';
      btn.setAttribute('data-label', old);
      btn.textContent = ok ? 'Copied ✓' : 'Select and copy';
      setTimeout(function () { btn.textContent = old; }, 1600);
    }
    function fallback() {
      var ta = document.createElement('textarea');
      ta.value = text; ta.style.position = 'fixed'; ta.style.opacity = '0';
      document.body.appendChild(ta); ta.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      ta.remove();
      return ok;
    }
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallback()); });
    else done(fallback());
  }

  document.querySelectorAll('button[data-copy]').forEach(function (btn) {
    btn.addEventListener('click', function () {
      var src = document.getElementById(btn.getAttribute('data-copy') || '');
      if (src) copyText(src.textContent || '', btn);
    });
  });
  document.querySelectorAll('.tl-legend').forEach(legend);

  /** @type {Swimlane[]} */
  var lanes = [];
  loadDoc().then(function (doc) {
    window.threadlineResults = doc;
    var sections = document.querySelectorAll('section.timeline[data-run-index]');
    /** @type {Swimlane[]} */
    var lazy = [];
    sections.forEach(function (sec, n) {
      var run = doc.runs[Number(sec.getAttribute('data-run-index'))];
      if (!run || !run.timeline) { var h = sec.querySelector('.swimlane'); if (h) { h.removeAttribute('data-state'); h.textContent = 'No timeline data embedded for this run.'; } return; }
      var sl = new Swimlane(sec, run);
      lanes.push(sl);
      if (n < 3 || !('IntersectionObserver' in window)) sl.draw(); else lazy.push(sl);
    });
    if (lazy.length) {
      var io = new IntersectionObserver(function (entries) {
        entries.forEach(function (e) {
          if (!e.isIntersecting) return;
          lazy.forEach(function (sl) { if (sl.sec === e.target && !sl.drawn) sl.draw(); });
          io.unobserve(e.target);
        });
      }, { rootMargin: '600px 0px' });
      lazy.forEach(function (sl) { io.observe(sl.sec); });
    }
    var save = document.getElementById('save-json');
    if (save) save.addEventListener('click', function () {
      var url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
      var a = document.createElement('a');
      a.href = url; a.download = 'results.json';
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    });
    document.documentElement.setAttribute('data-ready-ms', String(Math.round(performance.now())));
    document.documentElement.setAttribute('data-ready', '1');
  }).catch(function (err) {
    var box = document.getElementById('data-error');
    if (box) { box.hidden = false; box.textContent = 'Could not read the embedded results: ' + (err && err.message ? err.message : err); }
    document.documentElement.setAttribute('data-ready', 'error');
    console.error(err);
  });

  /** @type {number | undefined} */
  var timer;
  window.addEventListener('resize', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { lanes.forEach(function (sl) { if (sl.drawn) sl.draw(); }); }, 150);
  });
})();
