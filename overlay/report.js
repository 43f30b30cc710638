// The stream report (/report/<id>): the summary line, then uPlot charts of the stream's replies
// and minutes, service outages shaded on every time chart, moderation and the most engaged.
// Everything from the server is set as text (textContent); a live stream is read again every 30 s.
(function () {
  'use strict';

  /** @typedef {import('../src/analytics/summary.ts').StreamReport} StreamReport */
  /** @typedef {import('../src/analytics/summary.ts').Outage} Outage */
  /** @typedef {import('../machines/analytics/records.ts').ReplyLine} ReplyLine */
  /** @typedef {import('../machines/analytics/records.ts').MinuteLine} MinuteLine */
  /** @typedef {import('uplot').Options} PlotOptions */
  /** @typedef {import('uplot').AlignedData} PlotData */
  /** @typedef {import('uplot')} Plot */

  var kit = window.PickleKit;
  var el = kit.el;
  var $ = kit.$;
  var token = kit.initialToken();
  var id = decodeURIComponent(window.location.pathname.split('/').pop() || '');
  /** @type {Plot[]} */
  var plots = [];
  /** @type {Outage[]} */
  var outages = [];

  var STAGES = /** @type {const} */ (['queue', 'llm', 'sentence', 'tts', 'audio']);
  var STAGE_LABEL = { queue: 'queue', llm: 'LLM first token', sentence: 'first sentence', tts: 'TTS first byte', audio: 'first audio' };
  var STAGE_COLOR = { queue: '#78909c', llm: '#ab47bc', sentence: '#4fc3f7', tts: '#ffb74d', audio: '#8bc34a' };
  var DROP_COLORS = ['#ef5350', '#ff7043', '#ffca28', '#ec407a', '#8d6e63', '#bdbdbd'];

  var tokenBox = kit.tokenBox(function (typed) {
    token = typed;
    load();
  });

  /** @param {string} path */
  function getJson(path) {
    /** @type {Record<string, string>} */
    var headers = { Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch(path, { headers: headers, cache: 'no-store' }).then(function (res) {
      if (res.status === 401) tokenBox.show();
      if (!res.ok) throw new Error(res.status === 404 ? 'no stored stream has this id' : 'request failed (' + res.status + ')');
      return res.json();
    });
  }

  /** @param {number | null | undefined} ms */
  function secs(ms) {
    return ms === null || ms === undefined ? '–' : (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
  }
  /** @param {number} t */
  function clock(t) {
    return new Date(t).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
  }

  function width() {
    var main = document.querySelector('.plot');
    var w = main instanceof HTMLElement ? main.clientWidth : 300;
    return Math.max(200, w);
  }
  function height() {
    return window.innerWidth < 420 ? 150 : 190;
  }

  /** Outages as red bands behind the series (drawn on the cleared canvas, before the series). */
  /** @param {Plot} u */
  function drawOutages(u) {
    var ctx = u.ctx;
    ctx.save();
    ctx.fillStyle = 'rgba(239, 83, 80, 0.18)';
    outages.forEach(function (o) {
      var end = o.to === null ? Date.now() : o.to;
      var x0 = u.valToPos(o.from / 1000, 'x', true);
      var x1 = u.valToPos(end / 1000, 'x', true);
      var left = Math.max(u.bbox.left, Math.min(x0, x1));
      var right = Math.min(u.bbox.left + u.bbox.width, Math.max(x0, x1));
      if (right > left) ctx.fillRect(left, u.bbox.top, Math.max(2, right - left), u.bbox.height);
    });
    ctx.restore();
  }

  /**
   * @param {string} target
   * @param {PlotOptions['series']} series
   * @param {PlotData} data
   * @param {PlotOptions['axes']} [axes]
   * @param {PlotOptions['scales']} [scales]
   */
  function plot(target, series, data, axes, scales) {
    var box = $(target);
    box.textContent = '';
    if (!data[0] || data[0].length === 0) {
      box.append(el('div', 'empty', 'nothing recorded yet'));
      return;
    }
    var uPlot = window.uPlot;
    if (!uPlot) {
      box.append(el('div', 'empty', 'the chart library did not load'));
      return;
    }
    /** @type {PlotOptions} */
    var opts = {
      width: width(),
      height: height(),
      series: series,
      axes: axes || [{ stroke: '#8b98a8', grid: { stroke: '#2c3642' } }, { stroke: '#8b98a8', grid: { stroke: '#2c3642' } }],
      scales: scales || { x: { time: true } },
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      hooks: { drawClear: [drawOutages] },
    };
    plots.push(new uPlot(opts, data, box));
  }

  var axisStyle = { stroke: '#8b98a8', grid: { stroke: '#2c3642' }, ticks: { stroke: '#2c3642' } };

  /** @param {ReplyLine[]} replies @param {StreamReport['summary']} s */
  function latencyChart(replies, s) {
    var heard = replies.filter(function (r) {
      return r.stages !== null && r.totalMs !== null;
    });
    heard.sort(function (a, b) {
      return a.t - b.t;
    });
    var xs = heard.map(function (r) {
      return r.t / 1000;
    });
    // Stacked: each series is the sum of its stage and those before it, drawn tallest first so each shows above the next.
    /** @type {number[][]} */
    var cum = STAGES.map(function (_s, i) {
      return heard.map(function (r) {
        var st = r.stages;
        var sum = 0;
        for (var j = 0; j <= i; j++) sum += st ? st[STAGES[j] || 'queue'] : 0;
        return sum;
      });
    });
    var total = heard.map(function (r) {
      return r.totalMs || 0;
    });
    var p50 = s.medianWaitMs;
    var sorted = total.slice().sort(function (a, b) {
      return a - b;
    });
    var p95 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] : null;
    /** @type {PlotOptions['series']} */
    var series = [{}];
    /** @type {(number | null)[][]} */
    var cols = [];
    for (var i = STAGES.length - 1; i >= 0; i--) {
      var stage = STAGES[i] || 'queue';
      var color = STAGE_COLOR[stage];
      series.push({ label: STAGE_LABEL[stage], stroke: color, fill: color + 'cc', width: 1, points: { show: heard.length < 60, size: 4 } });
      cols.push(cum[i] || []);
    }
    series.push({ label: 'p50 ' + secs(p50), stroke: '#e6edf3', dash: [4, 4], width: 1, points: { show: false } });
    cols.push(xs.map(function () {
      return p50;
    }));
    series.push({ label: 'p95 ' + secs(p95), stroke: '#ef5350', dash: [6, 3], width: 1, points: { show: false } });
    cols.push(xs.map(function () {
      return p95 === undefined ? null : p95;
    }));
    plot('chart-latency', series, /** @type {PlotData} */ (/** @type {(number | null)[][]} */ ([xs]).concat(cols)), [axisStyle, Object.assign({ values: msAxis, size: 50 }, axisStyle)]);
  }

  /** @param {Plot} _u @param {number[]} vals */
  function msAxis(_u, vals) {
    return vals.map(function (v) {
      return v >= 1000 ? (v / 1000).toFixed(1) + ' s' : Math.round(v) + ' ms';
    });
  }

  /** @param {Partial<Record<string, number>>} o */
  function sum(o) {
    return Object.values(o).reduce(function (/** @type {number} */ a, v) {
      return a + (v || 0);
    }, 0);
  }

  /** @param {MinuteLine[]} minutes */
  function minuteCharts(minutes) {
    var xs = minutes.map(function (m) {
      return m.t / 1000;
    });
    var col = function (/** @type {(m: MinuteLine) => number | null} */ f) {
      return minutes.map(f);
    };
    var two = [axisStyle, Object.assign({ scale: 'y' }, axisStyle), Object.assign({ scale: 'b', side: 1, grid: { show: false } }, axisStyle)];
    var twoScales = { x: { time: true }, y: { auto: true }, b: { auto: true } };
    plot(
      'chart-activity',
      [{}, { label: 'replies/min', stroke: '#8bc34a', width: 2, scale: 'y' }, { label: 'chat/min', stroke: '#4fc3f7', width: 1, scale: 'b' }],
      /** @type {PlotData} */ ([xs, col(function (m) { return m.replies; }), col(function (m) { return sum(m.chat); })]),
      two,
      twoScales,
    );
    var reasons = /** @type {string[]} */ ([]);
    minutes.forEach(function (m) {
      Object.keys(m.mentions.dropped).forEach(function (r) {
        if (reasons.indexOf(r) < 0) reasons.push(r);
      });
    });
    /** @type {PlotOptions['series']} */
    var series = [{}, { label: 'answered', stroke: '#66bb6a', width: 2 }];
    var data = [xs, col(function (m) { return m.mentions.answered; })];
    reasons.forEach(function (r, i) {
      series.push({ label: 'dropped: ' + r, stroke: DROP_COLORS[i % DROP_COLORS.length], width: 1 });
      data.push(col(function (m) {
        return /** @type {Record<string, number | undefined>} */ (m.mentions.dropped)[r] || 0;
      }));
    });
    plot('chart-mentions', series, /** @type {PlotData} */ (data));
    plot('chart-memory', [{}, { label: 'memories', stroke: '#ab47bc', width: 2 }], /** @type {PlotData} */ ([xs, col(function (m) { return m.memories; })]));
    plot(
      'chart-process',
      [{}, { label: 'RSS MB', stroke: '#4fc3f7', width: 2, scale: 'y' }, { label: 'CPU %', stroke: '#ffb74d', width: 1, scale: 'b' }],
      /** @type {PlotData} */ ([xs, col(function (m) { return m.rssMb; }), col(function (m) { return m.cpuPct; })]),
      two,
      twoScales,
    );
  }

  /** @param {ReplyLine[]} replies */
  function moderation(replies) {
    var box = $('moderation');
    box.textContent = '';
    /** @type {Record<string, number>} */
    var by = {};
    replies.forEach(function (r) {
      Object.entries(r.blocked).forEach(function (kv) {
        by[kv[0]] = (by[kv[0]] || 0) + (kv[1] || 0);
      });
    });
    var rows = Object.entries(by).sort(function (a, b) {
      return b[1] - a[1];
    });
    if (rows.length === 0) return box.append(el('div', 'empty', 'no sentence was dropped'));
    var max = rows[0] ? rows[0][1] : 1;
    rows.forEach(function (kv) {
      var row = el('div', 'row');
      var track = el('div', 'track');
      var fill = el('div', 'fill');
      fill.style.width = Math.round((kv[1] / max) * 100) + '%';
      track.append(fill);
      row.append(el('span', null, kv[0]), track, el('span', 'n', kv[1]));
      box.append(row);
    });
  }

  /** @param {StreamReport} r */
  function lists(r) {
    var ul = $('outages');
    ul.textContent = '';
    if (r.outages.length === 0) ul.append(el('li', 'none', 'no service was down'));
    r.outages.forEach(function (o) {
      var to = o.to === null ? 'the end' : new Date(o.to).toLocaleTimeString();
      ul.append(el('li', null, o.service + ' ' + o.state + (o.fault ? ' (' + o.fault + ')' : '') + ': ' + new Date(o.from).toLocaleTimeString() + ' – ' + to));
    });
    var ol = $('engaged');
    ol.textContent = '';
    if (r.engaged.length === 0) ol.append(el('li', 'none', 'nobody chatted'));
    r.engaged.forEach(function (e) {
      ol.append(el('li', null, e.viewer + ' · ' + e.messages + ' messages'));
    });
  }

  /** @param {StreamReport} r */
  function render(r) {
    plots.forEach(function (p) {
      p.destroy();
    });
    plots = [];
    outages = r.outages;
    var s = r.summary;
    $('title').textContent = (s.state === 'live' ? 'Live stream · ' : 'Stream · ') + clock(s.start);
    $('summary-text').textContent = s.text + '.';
    var note = $('summary-note');
    var notes = [];
    if (s.state === 'cut') notes.push('Pickle stopped without closing this stream (the last second may be missing).');
    if (s.corruptLines > 0) notes.push(s.corruptLines + ' damaged line' + (s.corruptLines === 1 ? ' was' : 's were') + ' skipped.');
    note.textContent = notes.join(' ');
    note.hidden = notes.length === 0;
    latencyChart(r.replies, s);
    minuteCharts(r.minutes);
    moderation(r.replies);
    lists(r);
  }

  function load() {
    getJson('/api/streams/' + encodeURIComponent(id)).then(
      function (/** @type {StreamReport} */ r) {
        render(r);
        if (r.summary.state === 'live') window.setTimeout(load, 30000);
      },
      function (/** @type {Error} */ err) {
        $('summary-text').textContent = err.message;
      },
    );
    getJson('/api/streams').then(function (/** @type {{ streams: Array<{ id: string, start: number, state: string }> }} */ list) {
      var pick = kit.byId('stream-pick', HTMLSelectElement);
      pick.textContent = '';
      list.streams.forEach(function (s) {
        var o = el('option', null, (s.state === 'live' ? '● live · ' : '') + clock(s.start));
        o.value = s.id;
        o.selected = s.id === id;
        pick.append(o);
      });
    }, function () {});
  }

  kit.byId('stream-pick', HTMLSelectElement).addEventListener('change', function (ev) {
    var t = ev.target;
    if (t instanceof HTMLSelectElement && t.value) window.location.assign('/report/' + encodeURIComponent(t.value));
  });
  kit.byId('csv-link', HTMLAnchorElement).href = '/api/streams/' + encodeURIComponent(id) + '.csv';

  var resizing = 0;
  function resize() {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () {
      plots.forEach(function (p) {
        p.setSize({ width: width(), height: height() });
      });
    }, 100);
  }
  window.addEventListener('resize', resize);
  window.addEventListener('beforeprint', function () {
    plots.forEach(function (p) {
      p.setSize({ width: 680, height: 180 });
    });
  });
  window.addEventListener('afterprint', resize);

  load();
})();
