// Control panel: the Analytics card, live charts of the last minutes (replies, latency, LLM
// tokens, memory size, dropped lines) drawn as SVG polylines from the `analytics` points, and
// links to the stream reports (this stream's and the past ones').
(function () {
  'use strict';

  /** @typedef {import('../src/screens/payloads.ts').AnalyticsPoint} AnalyticsPoint */
  /** @typedef {'repliesPerMin' | 'latencyP50' | 'latencyP95' | 'tokensPerSec' | 'memorySize' | 'droppedPerMin' | 'droppedTotal'} Series */
  /**
   * @typedef {{ id: string, label: string, keys: [Series, ...Series[]], fmt: (v: number | null | undefined) => string,
   *   legend?: string[], total?: Series, none?: string }} Chart
   */

  var kit = window.PickleKit;
  var el = kit.el;
  var svg = kit.svg;

  // Every figure fits its tile: at most 4 digits and a unit (1,234 · 12.3k · 4.5M), '–' when unknown.
  /** @param {number | null | undefined} v */
  function known(v) {
    return typeof v === 'number' && Number.isFinite(v);
  }
  /**
   * @param {number} v
   * @param {number} digits decimals under 1,000
   */
  function compact(v, digits) {
    var a = Math.abs(v);
    if (a < 1000) return digits ? (Math.round(v * 10) / 10).toFixed(1) : String(Math.round(v));
    if (a < 10000) return Math.round(v).toLocaleString('en-US');
    /** @type {Array<[string, number]>} */
    var units = [['T', 1e12], ['G', 1e9], ['M', 1e6], ['k', 1e3]];
    for (var u of units) {
      if (a >= u[1]) {
        var n = v / u[1];
        return (Math.abs(n) >= 100 ? String(Math.round(n)) : n.toFixed(1)) + u[0];
      }
    }
    return String(Math.round(v));
  }
  /** @param {number | null | undefined} v */
  function num0(v) {
    return known(v) ? compact(Number(v), 0) : '–';
  }
  /** @param {number | null | undefined} v */
  function num1(v) {
    return known(v) ? compact(Number(v), 1) : '–';
  }
  /** @param {number | null | undefined} v */
  function ms(v) {
    if (!known(v)) return '–';
    var n = Number(v);
    return n >= 1000 ? (n >= 60000 ? compact(n / 60000, 1) + 'm' : (n / 1000).toFixed(1) + 's') : Math.round(n) + 'ms';
  }

  /**
   * "884 / 912ms" rather than "884ms / 912ms": the unit once, when the figures share it.
   * @param {string[]} shown
   */
  function oneUnit(shown) {
    var m = /[a-z]+$/.exec(shown[shown.length - 1] || '');
    var unit = m ? m[0] : '';
    var same = unit !== '' && shown.every(function (s) {
      return s.endsWith(unit);
    });
    if (!same) return shown.join(' / ');
    return shown
      .map(function (s, i) {
        return i < shown.length - 1 ? s.slice(0, -unit.length) : s;
      })
      .join(' / ');
  }

  /** @type {Chart[]} */
  var CHARTS = [
    { id: 'replies', label: 'Replies / min', keys: ['repliesPerMin'], fmt: num0 },
    { id: 'latency', label: 'Latency', keys: ['latencyP50', 'latencyP95'], fmt: ms, legend: ['p50', 'p95'] },
    { id: 'tokens', label: 'LLM tokens / s', keys: ['tokensPerSec'], fmt: num1 },
    { id: 'memory', label: 'Memory size', keys: ['memorySize'], fmt: num0, none: 'off' },
    { id: 'dropped', label: 'Dropped / min', keys: ['droppedPerMin'], fmt: num0, total: 'droppedTotal' },
  ];
  /** @type {AnalyticsPoint[]} */
  var points = [];
  var keepPoints = 150;

  /** @type {Record<string, { value: HTMLElement, area: SVGElement, lines: SVGElement[], legend: HTMLElement | null }>} */
  var chartEls = {};
  CHARTS.forEach(function (c) {
    var box = el('div', 'chart');
    box.dataset.chart = c.id;
    var head = el('div', 'head');
    var value = el('span', 'value', '–');
    head.append(el('span', 'label', c.label), value);
    var s = svg('svg', { viewBox: '0 0 100 40', preserveAspectRatio: 'none', role: 'img', 'aria-label': c.label });
    var area = svg('polygon', { class: 'area series-0' });
    s.append(area);
    var lines = c.keys.map(function (_k, i) {
      var pl = svg('polyline', { class: 'series-' + i });
      s.append(pl);
      return pl;
    });
    box.append(head, s);
    var legend = null;
    if (c.legend || c.total) {
      legend = el('div', 'legend');
      box.append(legend);
    }
    kit.$('charts').append(box);
    chartEls[c.id] = { value: value, area: area, lines: lines, legend: legend };
  });

  function drawCharts() {
    var n = points.length;
    CHARTS.forEach(function (c) {
      var e = chartEls[c.id];
      if (!e) return;
      var max = 0;
      c.keys.forEach(function (k) {
        points.forEach(function (p) {
          var v = p[k];
          if (typeof v === 'number' && v > max) max = v;
        });
      });
      max = max > 0 ? max * 1.15 : 1;
      /** @param {number} i */
      var x = function (i) {
        return n <= 1 ? 100 : (i / (keepPoints - 1)) * 100 + (100 - ((n - 1) / (keepPoints - 1)) * 100);
      };
      /** @param {number} v */
      var y = function (v) {
        return 38 - (v / max) * 34;
      };
      var lines = e.lines;
      var area = e.area;
      c.keys.forEach(function (k, i) {
        /** @type {string[]} */
        var pts = [];
        points.forEach(function (p, j) {
          var v = p[k];
          if (typeof v === 'number') pts.push(x(j).toFixed(2) + ',' + y(v).toFixed(2));
        });
        var line = lines[i];
        if (line) line.setAttribute('points', pts.join(' '));
        if (i === 0) {
          var first = pts[0];
          var last = pts[pts.length - 1];
          if (pts.length > 1 && first !== undefined && last !== undefined) {
            area.setAttribute('points', first.split(',')[0] + ',40 ' + pts.join(' ') + ' ' + last.split(',')[0] + ',40');
          } else area.setAttribute('points', '');
        }
      });
      var latest = points[n - 1];
      var shown = c.keys.map(function (k) {
        return c.fmt(latest ? latest[k] : undefined);
      });
      var firstValue = latest ? latest[c.keys[0]] : undefined;
      e.value.textContent = c.none && (firstValue === null || firstValue === undefined) ? c.none : oneUnit(shown);
      const legend = e.legend;
      if (legend) {
        legend.replaceChildren();
        if (c.legend)
          c.legend.forEach(function (l, i) {
            legend.append(el('span', 'k' + i, '● ' + l + ' '));
          });
        if (c.total) legend.append(el('span', null, 'total ' + num0(latest ? latest[c.total] : undefined)));
      }
    });
  }

  // The stream reports (/report/<id>): this stream beyond the last 5 minutes, and the past ones.
  var reports = el('div', 'body reports');
  reports.id = 'stream-reports';
  kit.$('sec-analytics').append(reports);
  /** @param {string} id */
  function reportUrl(id) {
    var token = window.PicklePanel.token();
    return '/report/' + encodeURIComponent(id) + (token ? '?token=' + encodeURIComponent(token) : '');
  }
  function listReports() {
    void window.PicklePanel.api('GET', '/api/streams').then(function (r) {
      var list = r.ok && r.data && Array.isArray(r.data['streams']) ? /** @type {unknown[]} */ (r.data['streams']) : [];
      reports.replaceChildren(el('span', 'hint', 'Stream reports: '));
      list.slice(0, 6).forEach(function (item) {
        var s = /** @type {{ id?: unknown, start?: unknown, state?: unknown, replies?: unknown }} */ (item);
        if (typeof s.id !== 'string' || typeof s.start !== 'number') return;
        var when = new Date(s.start).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
        var a = el('a', null, (s.state === 'live' ? '● this stream' : when) + (typeof s.replies === 'number' ? ' · ' + s.replies + (s.replies === 1 ? ' reply' : ' replies') : ''));
        a.href = reportUrl(s.id);
        a.target = '_blank';
        a.title = 'the whole stream: latency by stage, mentions, moderation, memory, CPU';
        reports.append(a, document.createTextNode(' '));
      });
      if (list.length === 0) reports.append(el('span', 'hint', 'none yet'));
    });
  }
  listReports();
  window.setInterval(listReports, 60000);

  window.PicklePanel.onSocket(function (socket) {
    socket.on('analytics-history', function (h) {
      if (!h || !Array.isArray(h.points)) return;
      points = h.points.slice(-keepPoints);
      drawCharts();
    });
    socket.on('analytics', function (p) {
      if (!p || typeof p !== 'object') return;
      points.push(p);
      if (points.length > keepPoints) points.shift();
      drawCharts();
    });
  });
})();
