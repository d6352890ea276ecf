/**
 * The script of report.html: the example table, drawn in the browser from the examples embedded
 * as JSON, a page of rows at a time, filtered by "failures only" and the search box. Every piece
 * of report text goes in with textContent, never as markup.
 *
 * It is a string (src/ is compiled without the DOM's types); the word diff is the TypeScript
 * function, embedded by its source so the page and the tests run the same code.
 */
import {wordDiff} from './word-diff.js';

/** Rows drawn at first and per "show more". */
export const PAGE_ROWS = 100;

export const CLIENT_SCRIPT = String.raw`(function () {
'use strict';
var dataEl = document.getElementById('examples-data');
if (!dataEl) return;
var data = JSON.parse(dataEl.textContent);
var items = data.items;
var models = data.models;
var metrics = data.metrics;
var PAGE = ${PAGE_ROWS};
var wordDiff = ${wordDiff.toString()};

var table = document.getElementById('examples-table');
var tbody = table.tBodies[0];
var failuresOnly = document.getElementById('failures-only');
var failuresOf = document.getElementById('failures-of');
var search = document.getElementById('search');
var count = document.getElementById('example-count');
var more = document.getElementById('show-more');
document.getElementById('example-controls').hidden = false;
table.hidden = false;

var hay = null;
var matches = [];
var shown = 0;
var grouped = new Intl.NumberFormat('en-US');

function haystack(i) {
  if (hay === null) hay = new Array(items.length);
  var h = hay[i];
  if (h === undefined) {
    var e = items[i];
    var parts = [e.id, e.reference];
    for (var k = 0; k < e.input.length; k++) parts.push(e.input[k].content);
    for (var m in e.outputs) parts.push(e.outputs[m]);
    h = hay[i] = parts.join('\u0000').toLowerCase();
  }
  return h;
}

function el(tag, className, text) {
  var node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function lastUser(input) {
  for (var k = input.length - 1; k >= 0; k--) if (input[k].role === 'user') return input[k].content;
  return input.length > 0 ? input[input.length - 1].content : '';
}

function formatScore(metric, v) {
  if (Number.isInteger(v) && (metric.pass_fail || metric.scale !== '0-1')) return String(v);
  return v.toFixed(metric.scale === '0-1' ? 3 : 1);
}

function inputCell(e) {
  var td = el('td', 'input');
  td.appendChild(el('div', 'text', lastUser(e.input)));
  if (e.input.length > 1) {
    var details = el('details');
    details.appendChild(el('summary', null, 'conversation (' + e.input.length + ' messages)'));
    for (var k = 0; k < e.input.length; k++) {
      var msg = el('div', 'msg');
      msg.appendChild(el('span', 'role', e.input[k].role));
      msg.appendChild(el('div', 'text', e.input[k].content));
      details.appendChild(msg);
    }
    td.appendChild(details);
  }
  return td;
}

function outputCell(e, model) {
  var failed = e.failed.indexOf(model) >= 0;
  var td = el('td', failed ? 'output fail' : 'output');
  var out = e.outputs[model];
  if (typeof out !== 'string') {
    td.appendChild(el('span', 'na', 'no output'));
    return td;
  }
  var text = el('div', 'text diff');
  var parts = wordDiff(e.reference, out);
  for (var k = 0; k < parts.length; k++) {
    var p = parts[k];
    if (p.op === '=') text.appendChild(document.createTextNode(p.text));
    else text.appendChild(el(p.op === '+' ? 'ins' : 'del', null, p.text));
  }
  td.appendChild(text);
  var scores = el('div', 'scores');
  if (failed) scores.appendChild(el('span', 'badge bad', 'fail'));
  var s = e.scores[model] || {};
  for (var j = 0; j < metrics.length; j++) {
    var metric = metrics[j];
    var v = s[metric.id];
    if (typeof v !== 'number') continue;
    var cls = 'score';
    if (metric.pass_fail) cls += v >= 1 ? ' good' : ' bad';
    scores.appendChild(el('span', cls, metric.id + ' ' + formatScore(metric, v)));
  }
  td.appendChild(scores);
  return td;
}

function row(e) {
  var tr = el('tr', e.failed.length > 0 ? 'failed' : null);
  tr.dataset.id = e.id;
  tr.appendChild(el('td', 'id', e.id));
  tr.appendChild(inputCell(e));
  var ref = el('td', 'reference');
  ref.appendChild(el('div', 'text', e.reference));
  tr.appendChild(ref);
  for (var k = 0; k < models.length; k++) tr.appendChild(outputCell(e, models[k]));
  return tr;
}

function renderMore() {
  var end = Math.min(matches.length, shown + PAGE);
  var frag = document.createDocumentFragment();
  for (var k = shown; k < end; k++) frag.appendChild(row(items[matches[k]]));
  tbody.appendChild(frag);
  shown = end;
  count.textContent = 'Showing ' + grouped.format(shown) + ' of ' + grouped.format(matches.length) +
    ' matching examples (' + grouped.format(items.length) + ' in all).';
  more.hidden = shown >= matches.length;
  more.textContent = 'Show ' + grouped.format(Math.min(PAGE, matches.length - shown)) + ' more';
}

function apply() {
  var q = search.value.trim().toLowerCase();
  var onlyFailed = failuresOnly.checked;
  var whose = failuresOf.value;
  matches = [];
  var exact = [];
  for (var i = 0; i < items.length; i++) {
    if (onlyFailed && (whose === '' ? items[i].failed.length === 0 : items[i].failed.indexOf(whose) < 0)) continue;
    if (q !== '' && haystack(i).indexOf(q) < 0) continue;
    // An example whose id is the query comes first (ex-1 before ex-10, ex-11...).
    if (q !== '' && String(items[i].id).toLowerCase() === q) exact.push(i);
    else matches.push(i);
  }
  if (exact.length > 0) matches = exact.concat(matches);
  tbody.replaceChildren();
  shown = 0;
  renderMore();
}

var timer = 0;
search.addEventListener('input', function () {
  clearTimeout(timer);
  timer = setTimeout(apply, 120);
});
failuresOnly.addEventListener('change', apply);
failuresOf.addEventListener('change', function () {
  failuresOnly.checked = true;
  apply();
});
more.addEventListener('click', renderMore);
document.addEventListener('click', function (ev) {
  var target = ev.target;
  if (!(target instanceof Element)) return;
  var link = target.closest('[data-search]');
  if (!link) return;
  ev.preventDefault();
  search.value = link.getAttribute('data-search');
  failuresOnly.checked = false;
  apply();
  document.getElementById('examples').scrollIntoView();
});
apply();
// For bench/report-html.bench.mjs: when the first rows were on the page.
if (typeof performance.mark === 'function') performance.mark('ft-examples-ready');
})();`;
