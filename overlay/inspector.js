// Pickle's live statechart inspector: draws each machine (layout computed by Pickle with elkjs
// from machine.toJSON()), highlights the active states as XState inspection events stream in over
// socket.io /inspector, and keeps a filterable log of events with their (elided) payloads.
// Text from the server is untrusted: textContent / SVG text nodes only, never innerHTML.
(function () {
  'use strict';

  var kit = window.PickleKit;
  var $ = kit.$;
  var el = kit.el;
  var svg = kit.svg;

  var params = new URLSearchParams(window.location.search);
  var token = kit.initialToken();

  // ------------------------------------------------------------------ state
  var graphs = {}; // machine id -> graph
  var actors = {}; // session -> info
  var trails = {}; // session -> [state path]
  var selected = params.get('actor') || 'brain'; // systemId or id
  var drawn = { machine: null, session: null, nodes: {}, edges: [] };
  var received = 0;

  function nameOf(a) {
    return a.name || a.systemId || a.id;
  }
  function selectedActor() {
    var best = null;
    Object.keys(actors).forEach(function (s) {
      var a = actors[s];
      if (nameOf(a) === selected && (!best || a.status === 'active')) best = a;
    });
    return best;
  }

  /** `brain.replying.thinking` → `replying.thinking` (the path inside its machine). */
  function leafPath(a) {
    if (!a || !Array.isArray(a.active) || a.active.length === 0) return a && a.status && a.status !== 'active' ? a.status : '';
    var root = a.active[0];
    var leaves = a.active.filter(function (id) {
      return !a.active.some(function (other) {
        return other !== id && other.indexOf(id + '.') === 0;
      });
    });
    if (leaves.length === 1 && leaves[0] === root) return a.status || 'active';
    return leaves
      .map(function (id) {
        return id.indexOf(root + '.') === 0 ? id.slice(root.length + 1) : id;
      })
      .join(' | ');
  }

  // ------------------------------------------------------------------ tabs and trail
  function renderTabs() {
    var nav = $('tabs');
    nav.replaceChildren();
    var others = $('others');
    others.replaceChildren();
    var seen = {};
    Object.keys(actors).forEach(function (s) {
      var a = actors[s];
      var name = nameOf(a);
      if (!a.machine) {
        if (a.status === 'active' || !a.status) {
          var p = el('span', 'pill plain', name + (a.status ? ' · ' + a.status : ''));
          p.title = 'actor without a statechart (' + (a.id || '') + ')';
          others.append(p);
        }
        return;
      }
      if (seen[name] && a.status !== 'active') return;
      seen[name] = true;
      var b = el('button', 'tab' + (name === selected ? ' selected' : '') + (a.status && a.status !== 'active' ? ' stopped' : ''));
      b.type = 'button';
      b.dataset.actor = name;
      b.append(el('span', 'n', name), el('span', 'st', leafPath(a)));
      b.addEventListener('click', function () {
        selected = name;
        renderTabs();
        renderChart();
        log.refilter();
      });
      nav.append(b);
    });
  }

  function updateTab(a) {
    var b = $('tabs').querySelector('[data-actor="' + cssEscape(nameOf(a)) + '"] .st');
    if (b) b.textContent = leafPath(a);
  }
  function cssEscape(s) {
    return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/[^\w-]/g, '\\$&');
  }

  function pushTrail(a) {
    var path = leafPath(a);
    if (!path) return;
    var t = trails[a.session] || (trails[a.session] = []);
    if (t[t.length - 1] === path) return;
    t.push(path);
    if (t.length > 40) t.shift();
  }

  function renderTrail() {
    var a = selectedActor();
    var box = $('trail');
    box.replaceChildren();
    var t = a ? trails[a.session] || [] : [];
    var shown = t.slice(-12);
    shown.forEach(function (p, i) {
      if (i) box.append(el('span', 'sep', '→'));
      box.append(el('span', i === shown.length - 1 ? 'now' : '', p));
    });
    box.dataset.trail = t.join(' > ');
  }

  // ------------------------------------------------------------------ chart
  function renderChart() {
    var a = selectedActor();
    var g = a && a.machine ? graphs[a.machine] : null;
    var box = $('chart');
    if (!g || !g.nodes || g.nodes.length === 0) {
      box.replaceChildren();
      drawn = { machine: null, session: null, nodes: {}, edges: [] };
      $('chart-empty').hidden = false;
      $('chart-empty').textContent = a ? (a.machine ? 'Laying out ' + a.machine + '…' : nameOf(a) + ' has no statechart.') : 'Waiting for the machine definitions…';
      renderTrail();
      return;
    }
    $('chart-empty').hidden = true;
    if (drawn.machine !== g.id || drawn.session !== a.session || !box.firstChild) draw(g, a.session);
    highlight(a.active || [], null);
    renderTrail();
    renderContext(a);
  }

  function renderContext(a) {
    var live = $('k-context').checked;
    $('context').textContent =
      a && a.context !== undefined
        ? JSON.stringify(a.context, null, 2) + (live ? '' : '\n\n(as it was when this page connected: tick "contexts" for live updates)')
        : 'tick "contexts" to see it';
  }

  function draw(g, session) {
    var box = $('chart');
    box.replaceChildren();
    var s = svg('svg', { viewBox: '0 0 ' + g.width + ' ' + g.height, width: String(g.width), height: String(g.height), role: 'img', 'aria-label': 'statechart of ' + g.id });
    s.dataset.machine = g.id;
    var defs = svg('defs');
    [['arrow', ''], ['arrow-hot', '']].forEach(function (m) {
      var marker = svg('marker', { id: m[0], viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' });
      marker.append(svg('path', { d: 'M0 0 L10 5 L0 10 z' }));
      defs.append(marker);
    });
    s.append(defs);
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
      var lines = (n.lines || []).slice(0, 4);
      if ((n.lines || []).length > 4) lines.push('+' + (n.lines.length - 4) + ' more');
      lines.forEach(function (l, i) {
        var t = svg('text', { class: 'line', x: String(n.x + 10), y: String(n.y + 38 + i * 14) }, l.length > 40 ? l.slice(0, 39) + '…' : l);
        grp.append(t);
      });
      gNodes.append(grp);
      nodes[n.id] = grp;
    });
    var gEdges = svg('g');
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
      if (e.label && e.labelBox) {
        var lines = String(e.label).split('\n');
        grp.append(svg('rect', { class: 'lbl-bg', x: String(e.labelBox.x - 2), y: String(e.labelBox.y - 1), width: String(e.labelBox.width + 4), height: String(e.labelBox.height + 2), rx: '3' }));
        lines.forEach(function (l, i) {
          grp.append(svg('text', { class: 'lbl', x: String(e.labelBox.x + 2), y: String(e.labelBox.y + 11 + i * 14) }, l));
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
    var scale = $('fit').checked ? Math.max(0.6, Math.min(1.25, availW / drawn.width, availH / drawn.height)) : 1;
    s.setAttribute('width', String(Math.round(drawn.width * scale)));
    s.setAttribute('height', String(Math.round(drawn.height * scale)));
  }
  window.addEventListener('resize', sizeChart);

  function highlight(active, previous) {
    var set = {};
    active.forEach(function (id) {
      set[id] = true;
    });
    Object.keys(drawn.nodes).forEach(function (id) {
      var on = !!set[id];
      var node = drawn.nodes[id];
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
      var prev = {};
      previous.forEach(function (id) {
        prev[id] = true;
      });
      drawn.edges.forEach(function (e) {
        if (prev[e.source] && set[e.target] && !prev[e.target]) {
          e.el.classList.add('taken');
          e.el.querySelector('path').setAttribute('marker-end', 'url(#arrow-hot)');
          setTimeout(function () {
            e.el.classList.remove('taken');
            e.el.querySelector('path').setAttribute('marker-end', 'url(#arrow)');
          }, 1500);
        }
      });
    }
  }

  $('fit').addEventListener('change', sizeChart);

  // ------------------------------------------------------------------ log
  var log = window.PickleInspectorLog({
    nameOf: nameOf,
    leafPath: leafPath,
    selected: function () {
      return selected;
    },
  });

  // ------------------------------------------------------------------ records
  function onRecords(records) {
    var chartDirty = false;
    var tabsDirty = false;
    var sel = selectedActor();
    records.forEach(function (r) {
      received += 1;
      if (r.kind === 'actor') {
        var known = actors[r.session];
        actors[r.session] = Object.assign({}, known || {}, r);
        tabsDirty = true;
      } else if (r.kind === 'snapshot') {
        var a = actors[r.session] || (actors[r.session] = { session: r.session, id: r.actorId, name: r.actorId });
        var before = a.active || [];
        var wasStatus = a.status;
        if (r.value !== undefined) a.value = r.value;
        if (r.active) a.active = r.active;
        if (r.status) a.status = r.status;
        if (r.context !== undefined) a.context = r.context;
        if (r.machine) a.machine = r.machine;
        pushTrail(a);
        if (wasStatus !== a.status) tabsDirty = true;
        else updateTab(a);
        if (sel && a.session === sel.session && drawn.session === a.session) {
          highlight(a.active || [], before);
          chartDirty = true;
        }
      }
    });
    log.append(records);
    if (tabsDirty) {
      renderTabs();
      renderChart();
    } else if (chartDirty) {
      renderTrail();
      renderContext(selectedActor());
    }
    $('counter').textContent = received + ' events';
  }

  // ------------------------------------------------------------------ socket
  if (typeof window.io !== 'function') {
    $('conn').textContent = 'no socket.io';
    $('conn').className = 'pill bad';
    return;
  }
  var socket = window.io('/inspector', { auth: { token: token }, reconnectionDelayMax: 3000 });
  var tokenBox = kit.tokenBox(function (typed) {
    token = typed;
    socket.auth = { token: token };
    socket.disconnect().connect();
  });
  function sendOptions() {
    socket.emit('options', { contexts: $('k-context').checked });
  }
  $('k-context').addEventListener('change', sendOptions);
  socket.on('connect', function () {
    sendOptions();
    $('conn').textContent = 'live';
    $('conn').className = 'pill ok';
    document.body.dataset.connected = 'true';
  });
  socket.on('disconnect', function () {
    $('conn').textContent = 'reconnecting';
    $('conn').className = 'pill bad';
    document.body.dataset.connected = 'false';
  });
  socket.on('connect_error', function (err) {
    $('conn').textContent = 'offline';
    $('conn').className = 'pill bad';
    if (err && err.message === 'unauthorized') tokenBox.show();
  });
  socket.on('actors', function (msg) {
    if (!msg || !Array.isArray(msg.actors)) return;
    actors = {};
    msg.actors.forEach(function (a) {
      actors[a.session] = a;
      pushTrail(a);
    });
    renderTabs();
    renderChart();
  });
  socket.on('machines', function (list) {
    if (!Array.isArray(list)) return;
    list.forEach(function (g) {
      if (g && g.id) graphs[g.id] = g;
    });
    document.body.dataset.machines = Object.keys(graphs).join(' ');
    renderChart();
  });
  socket.on('machine', function (g) {
    if (g && g.id) {
      graphs[g.id] = g;
      renderChart();
    }
  });
  socket.on('batch', function (b) {
    if (b && Array.isArray(b.records)) onRecords(b.records);
  });
})();
