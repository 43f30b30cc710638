// The inspector's statechart: draws one machine (boxes and arrows laid out by Pickle with elkjs),
// fits it to the card, lights up the active states and, for a moment, the transition just taken.
// Labels come from the server: SVG text nodes only, never markup.
(function () {
  'use strict';

  /** @typedef {import('../src/screens/payloads.ts').MachineGraph} MachineGraph */
  /** @typedef {{ el: SVGElement, source: string, target: string }} DrawnEdge */

  var kit = window.PickleKit;
  var $ = kit.$;
  var svg = kit.svg;

  /** What is on screen: the machine, for which actor, its boxes by state id and its arrows. */
  var drawn = {
    /** @type {string | null} */ machine: null,
    /** @type {string | null} */ session: null,
    /** @type {Record<string, SVGElement>} */ nodes: {},
    /** @type {DrawnEdge[]} */ edges: [],
    width: 0,
    height: 0,
  };

  function clear() {
    $('chart').replaceChildren();
    drawn = { machine: null, session: null, nodes: {}, edges: [], width: 0, height: 0 };
  }

  /**
   * @param {MachineGraph} g
   * @param {string} session
   */
  function draw(g, session) {
    var box = $('chart');
    box.replaceChildren();
    var s = svg('svg', { viewBox: '0 0 ' + g.width + ' ' + g.height, width: String(g.width), height: String(g.height), role: 'img', 'aria-label': 'statechart of ' + g.id });
    s.dataset.machine = g.id;
    var defs = svg('defs');
    ['arrow', 'arrow-hot'].forEach(function (id) {
      var marker = svg('marker', { id: id, viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' });
      marker.append(svg('path', { d: 'M0 0 L10 5 L0 10 z' }));
      defs.append(marker);
    });
    s.append(defs);
    /** @type {Record<string, SVGElement>} */
    var nodes = {};
    var byDepth = g.nodes.slice().sort(function (x, y) {
      return x.depth - y.depth;
    });
    var gNodes = svg('g');
    byDepth.forEach(function (n) {
      if (n.type === 'initial') {
        gNodes.append(svg('circle', { class: 'sc-initial', cx: String(n.x + n.width / 2), cy: String(n.y + n.height / 2), r: '5' }));
        return;
      }
      var isCompound = g.nodes.some(function (c) {
        return c.parent === n.id;
      });
      var grp = svg('g', { class: 'sc-node' + (isCompound ? ' compound' : '') + (n.parent ? '' : ' root') + (n.type === 'final' ? ' final' : '') });
      grp.dataset.id = n.id;
      grp.append(svg('rect', { x: String(n.x), y: String(n.y), width: String(n.width), height: String(n.height), rx: '9', ry: '9' }));
      var titleX = isCompound || !n.parent ? n.x + 12 : n.x + n.width / 2;
      var title = svg('text', { class: 'title', x: String(titleX), y: String(n.y + 20), 'text-anchor': isCompound || !n.parent ? 'start' : 'middle' }, n.parent ? n.key : n.id);
      grp.append(title);
      var all = n.lines || [];
      var lines = all.slice(0, 4);
      if (all.length > 4) lines.push('+' + (all.length - 4) + ' more');
      lines.forEach(function (l, i) {
        var t = svg('text', { class: 'line', x: String(n.x + 10), y: String(n.y + 38 + i * 14) }, l.length > 40 ? l.slice(0, 39) + '…' : l);
        grp.append(t);
      });
      gNodes.append(grp);
      nodes[n.id] = grp;
    });
    var gEdges = svg('g');
    /** @type {DrawnEdge[]} */
    var edges = [];
    g.edges.forEach(function (e) {
      if (!e.points || e.points.length < 2) return;
      var initial = /__initial$/.test(e.source);
      var grp = svg('g', { class: 'sc-edge' + (initial ? ' initial' : '') });
      grp.dataset.source = e.source;
      grp.dataset.target = e.target;
      var d = e.points
        .map(function (p, i) {
          return (i ? 'L' : 'M') + p[0] + ' ' + p[1];
        })
        .join(' ');
      grp.append(svg('path', { d: d, 'marker-end': 'url(#arrow)' }));
      const lb = e.labelBox;
      if (e.label && lb) {
        var lines = String(e.label).split('\n');
        grp.append(svg('rect', { class: 'lbl-bg', x: String(lb.x - 2), y: String(lb.y - 1), width: String(lb.width + 4), height: String(lb.height + 2), rx: '3' }));
        lines.forEach(function (l, i) {
          grp.append(svg('text', { class: 'lbl', x: String(lb.x + 2), y: String(lb.y + 11 + i * 14) }, l));
        });
      }
      gEdges.append(grp);
      edges.push({ el: grp, source: e.source, target: e.target });
    });
    // Edges over the boxes, nodes' text readable: nodes first, then edges.
    s.append(gNodes, gEdges);
    box.append(s);
    drawn = { machine: g.id, session: session, nodes: nodes, edges: edges, width: g.width, height: g.height };
    sizeChart();
  }

  // Fit: as wide as the card, but never so small that the labels cannot be read (then scroll).
  function sizeChart() {
    var s = $('chart').querySelector('svg');
    if (!s || !drawn.width) return;
    var box = $('chart');
    var availW = box.clientWidth - 16;
    var availH = Math.max(260, window.innerHeight - box.getBoundingClientRect().top - 90);
    var scale = kit.input('fit').checked ? Math.max(0.6, Math.min(1.25, availW / drawn.width, availH / drawn.height)) : 1;
    s.setAttribute('width', String(Math.round(drawn.width * scale)));
    s.setAttribute('height', String(Math.round(drawn.height * scale)));
  }
  window.addEventListener('resize', sizeChart);
  kit.$('fit').addEventListener('change', sizeChart);

  /**
   * @param {SVGElement} edge
   * @param {string} marker
   */
  function markEdge(edge, marker) {
    var path = edge.querySelector('path');
    if (path) path.setAttribute('marker-end', 'url(#' + marker + ')');
  }

  /**
   * @param {string[]} active the active state ids now
   * @param {string[] | null} previous the ones before this snapshot (null: no transition to show)
   */
  function highlight(active, previous) {
    /** @type {Record<string, boolean>} */
    var set = {};
    active.forEach(function (id) {
      set[id] = true;
    });
    Object.entries(drawn.nodes).forEach(function (kv) {
      var on = !!set[kv[0]];
      var node = kv[1];
      if (node.classList.contains('active') && !on) {
        node.classList.add('was');
        setTimeout(function () {
          node.classList.remove('was');
        }, 1200);
      }
      node.classList.toggle('active', on);
    });
    var leaves = active.filter(function (id) {
      return !active.some(function (o) {
        return o !== id && o.indexOf(id + '.') === 0;
      });
    });
    $('chart').dataset.active = leaves.join(' ');
    if (previous) {
      /** @type {Record<string, boolean>} */
      var prev = {};
      previous.forEach(function (id) {
        prev[id] = true;
      });
      drawn.edges.forEach(function (e) {
        if (prev[e.source] && set[e.target] && !prev[e.target]) {
          e.el.classList.add('taken');
          markEdge(e.el, 'arrow-hot');
          setTimeout(function () {
            e.el.classList.remove('taken');
            markEdge(e.el, 'arrow');
          }, 1500);
        }
      });
    }
  }

  window.PickleInspectorChart = {
    draw: draw,
    clear: clear,
    highlight: highlight,
    shows: function () {
      return { machine: drawn.machine, session: drawn.session };
    },
  };
})();
