// @ts-check
/**
 * The filter bar (the first part of the report's one inline script; client.ts inlines this
 * file as it is): shows or hides every element marked `data-filter-item`
 * (sections/common.ts filterAttrs) by its `data-status` and `data-filter-text`, keeps each
 * comparison row's note row and scenario group with it, says when a table has no row left,
 * and clears the filter when a link points at something it hides (a failing row's "timeline"
 * link under "passing only", say).
 *
 * A classic script, not a module: no import or export, and nothing leaks out of its function.
 */
(function () {
  'use strict';
  var bar = document.getElementById('filter');
  if (!bar) return;
  // const: the listeners below rely on the check made before they are added.
  const search = /** @type {HTMLInputElement | null} */ (document.getElementById('filter-search'));
  var countEl = document.getElementById('filter-count');
  var buttons = bar.querySelectorAll('[data-status-filter]');
  /** @type {{ status: string, terms: string[] }} */
  var state = { status: 'all', terms: [] };

  /**
   * The elements matching `selector`: the report's markup, so HTML elements.
   * @param {string} selector
   * @returns {NodeListOf<HTMLElement>}
   */
  function all(selector) { return document.querySelectorAll(selector); }

  /** @param {Element} el */
  function matches(el) {
    if (state.status !== 'all' && el.getAttribute('data-status') !== state.status) return false;
    var text = el.getAttribute('data-filter-text') || '';
    for (var i = 0; i < state.terms.length; i++) if (text.indexOf(state.terms[i]) < 0) return false;
    return true;
  }

  function apply() {
    all('[data-filter-item]').forEach(function (el) { el.hidden = !matches(el); });
    all('tr[data-note-for]').forEach(function (tr) {
      var row = document.getElementById(tr.getAttribute('data-note-for') || '');
      tr.hidden = !!(row && row.hidden);
    });
    all('tbody[data-group]').forEach(function (tb) {
      tb.hidden = !tb.querySelector('tr[data-filter-item]:not([hidden])');
    });
    document.querySelectorAll('[data-filter-scope]').forEach(function (scope) {
      /** @type {HTMLElement | null} */
      var empty = scope.querySelector('.filter-empty');
      if (!empty) return;
      empty.hidden = !scope.querySelector('[data-filter-item]') || !!scope.querySelector('[data-filter-item]:not([hidden])');
    });
    var rows = all('#comparison tr[data-filter-item]'), shown = 0;
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
    var tag = ev.target instanceof Element ? ev.target.tagName : undefined;
    if (ev.key === '/' && search && tag !== 'INPUT' && tag !== 'TEXTAREA' && tag !== 'SELECT') { ev.preventDefault(); search.focus(); }
  });
  // A link to a hidden target: clear the filter first, so the browser has somewhere to go.
  document.addEventListener('click', function (ev) {
    var a = ev.target instanceof Element ? ev.target.closest('a[href^="#"]') : null;
    if (!a) return;
    var target = document.getElementById(decodeURIComponent((a.getAttribute('href') || '').slice(1)));
    if (target && target.closest('[hidden]')) reset();
  }, true);
  apply();
})();
