/**
 * The filter bar's script (part of the report's one inline script; plain ES5, no backticks):
 * shows or hides every element marked `data-filter-item` (sections/common.ts filterAttrs) by
 * its `data-status` and `data-filter-text`, keeps each comparison row's note row and scenario
 * group with it, says when a table has no row left, and clears the filter when a link points
 * at something it hides (a failing row's "timeline" link under "passing only", say).
 */
export const FILTER_JS = String.raw`
(function () {
  'use strict';
  var bar = document.getElementById('filter');
  if (!bar) return;
  var search = document.getElementById('filter-search');
  var countEl = document.getElementById('filter-count');
  var buttons = bar.querySelectorAll('[data-status-filter]');
  var state = { status: 'all', terms: [] };

  function matches(el) {
    if (state.status !== 'all' && el.getAttribute('data-status') !== state.status) return false;
    var text = el.getAttribute('data-filter-text') || '';
    for (var i = 0; i < state.terms.length; i++) if (text.indexOf(state.terms[i]) < 0) return false;
    return true;
  }

  function apply() {
    document.querySelectorAll('[data-filter-item]').forEach(function (el) { el.hidden = !matches(el); });
    document.querySelectorAll('tr[data-note-for]').forEach(function (tr) {
      var row = document.getElementById(tr.getAttribute('data-note-for'));
      tr.hidden = !!(row && row.hidden);
    });
    document.querySelectorAll('tbody[data-group]').forEach(function (tb) {
      tb.hidden = !tb.querySelector('tr[data-filter-item]:not([hidden])');
    });
    document.querySelectorAll('[data-filter-scope]').forEach(function (scope) {
      var empty = scope.querySelector('.filter-empty');
      if (!empty) return;
      empty.hidden = !scope.querySelector('[data-filter-item]') || !!scope.querySelector('[data-filter-item]:not([hidden])');
    });
    var rows = document.querySelectorAll('#comparison tr[data-filter-item]'), shown = 0;
    rows.forEach(function (r) { if (!r.hidden) shown++; });
    var active = state.status !== 'all' || state.terms.length > 0;
    if (countEl) countEl.textContent = active ? shown + ' of ' + rows.length + ' rows' : '';
    buttons.forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-status-filter') === state.status)); });
    document.body.classList.toggle('filtered', active);
  }

  function reset() {
    state.status = 'all'; state.terms = [];
    if (search) search.value = '';
    apply();
  }

  buttons.forEach(function (b) {
    b.addEventListener('click', function () { state.status = b.getAttribute('data-status-filter') || 'all'; apply(); });
  });
  if (search) {
    search.addEventListener('input', function () {
      state.terms = search.value.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
      apply();
    });
    search.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') { search.value = ''; state.terms = []; apply(); } });
  }
  // "/" jumps to the search box, as in many report viewers.
  document.addEventListener('keydown', function (ev) {
    var tag = ev.target && ev.target.tagName;
    if (ev.key === '/' && search && tag !== 'INPUT' && tag !== 'TEXTAREA' && tag !== 'SELECT') { ev.preventDefault(); search.focus(); }
  });
  // A link to a hidden target: clear the filter first, so the browser has somewhere to go.
  document.addEventListener('click', function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest('a[href^="#"]') : null;
    if (!a) return;
    var target = document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
    if (target && target.closest('[hidden]')) reset();
  }, true);
  apply();
})();
`;
