// The inspector's event log: one row per inspection record (event, snapshot, actor), filterable
// by kind, actor and text, pausable, capped. Text from the server is untrusted: textContent only.
(function () {
  'use strict';

  var kit = window.PickleKit;
  var $ = kit.$;
  var el = kit.el;

  /** @typedef {import('../src/screens/payloads.ts').InspectorRecord} InspectorRecord */

  /** opts: nameOf(actor), leafPath(record), selected() → the selected actor's name. */
  window.PickleInspectorLog = function (opts) {
    var MAX_LOG = 1500;
    var paused = false;
    var pausedCount = 0;
    /** @type {Record<string, boolean>} which kinds of record are shown */
    var kinds = { event: true, snapshot: true, actor: true };
    var onlySelected = false;
    var filterText = '';

    /** @param {number} ts */
    function fmtTime(ts) {
      var d = new Date(ts);
      /**
       * @param {number} n
       * @param {number} [w]
       */
      var p = function (n, w) {
        return String(n).padStart(w || 2, '0');
      };
      return p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds()) + '.' + p(d.getMilliseconds(), 3);
    }

    /** @param {InspectorRecord} r */
    function logRow(r) {
      var li = el('li');
      li.dataset.kind = r.kind;
      var actor = r.kind === 'event' ? r.targetId : r.kind === 'snapshot' ? r.actorId : opts.nameOf(r);
      var summary;
      /** @type {unknown} */
      var payload;
      if (r.kind === 'event') {
        summary = r.type + (r.sourceId ? '  ← ' + r.sourceId : '');
        payload = r.event;
      } else if (r.kind === 'snapshot') {
        summary = '→ ' + (opts.leafPath(r) || r.status || '') + (r.eventType ? '  (' + r.eventType + ')' : '');
        payload = r.context === undefined ? { value: r.value, status: r.status } : { value: r.value, status: r.status, context: r.context };
      } else {
        summary = 'created' + (r.machine ? ' · machine ' + r.machine : '') + (r.parent ? '' : ' · root');
        payload = r;
      }
      li.dataset.actor = actor || '';
      li.dataset.search = ((actor || '') + ' ' + summary + ' ' + r.kind).toLowerCase();
      var line = el('div', 'line1');
      line.append(el('span', 't', fmtTime(r.ts)), el('span', 'k ' + r.kind, r.kind), el('span', 'a', actor || '?'), el('span', 's', summary));
      li.append(line);
      li.addEventListener('click', function (ev) {
        if (ev.target instanceof Element && ev.target.closest('pre')) return;
        var pre = li.querySelector('pre');
        if (pre) {
          pre.remove();
          li.classList.remove('open');
          return;
        }
        pre = el('pre', 'payload', JSON.stringify(payload === undefined ? null : payload, null, 2));
        li.append(pre);
        li.classList.add('open');
      });
      applyFilterTo(li);
      return li;
    }

    /** @param {Element} li */
    function applyFilterTo(li) {
      if (!(li instanceof HTMLElement)) return;
      var show = kinds[li.dataset.kind || ''] !== false && (!onlySelected || li.dataset.actor === opts.selected()) && (!filterText || (li.dataset.search || '').indexOf(filterText) >= 0);
      li.classList.toggle('hidden', !show);
    }
    function applyFilter() {
      Array.from($('log').children).forEach(applyFilterTo);
    }

    /** @param {InspectorRecord[]} records */
    function appendLog(records) {
      if (paused) {
        pausedCount += records.length;
        $('paused-note').textContent = pausedCount + ' not shown';
        return;
      }
      var ol = $('log');
      var stick = ol.scrollTop + ol.clientHeight >= ol.scrollHeight - 30;
      var frag = document.createDocumentFragment();
      records.forEach(function (r) {
        frag.append(logRow(r));
      });
      ol.append(frag);
      while (ol.children.length > MAX_LOG && ol.firstElementChild) ol.firstElementChild.remove();
      if (stick) ol.scrollTop = ol.scrollHeight;
    }

    var filter = kit.input('filter');
    filter.addEventListener('input', function () {
      filterText = filter.value.trim().toLowerCase();
      applyFilter();
    });
    ['event', 'snapshot', 'actor'].forEach(function (k) {
      var box = kit.input('k-' + k);
      box.addEventListener('change', function () {
        kinds[k] = box.checked;
        applyFilter();
      });
    });
    var onlyBox = kit.input('k-selected');
    onlyBox.addEventListener('change', function () {
      onlySelected = onlyBox.checked;
      applyFilter();
    });
    $('pause').addEventListener('click', function () {
      paused = !paused;
      $('pause').textContent = paused ? '▶ Resume' : '⏸ Pause';
      if (!paused) {
        pausedCount = 0;
        $('paused-note').textContent = '';
      }
    });
    $('clear').addEventListener('click', function () {
      $('log').replaceChildren();
    });

    return { append: appendLog, refilter: applyFilter };
  };
})();
