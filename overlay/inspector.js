// Pickle's live statechart inspector: draws each machine (layout computed by Pickle with elkjs
// from machine.toJSON()), highlights the active states as XState inspection events stream in over
// socket.io /inspector, and keeps a filterable log of events with their (elided) payloads.
// Text from the server is untrusted: textContent / SVG text nodes only, never innerHTML.
(function () {
  'use strict';

  /** @typedef {import('../src/screens/payloads.ts').ActorInfo} ActorInfo */
  /** @typedef {import('../src/screens/payloads.ts').InspectorRecord} InspectorRecord */
  /** @typedef {import('../src/screens/payloads.ts').MachineGraph} MachineGraph */

  var kit = window.PickleKit;
  var chart = window.PickleInspectorChart;
  var trail = window.PickleInspectorTrail;
  var leafPath = trail.leafPath;
  var pushTrail = trail.push;
  var $ = kit.$;
  var el = kit.el;

  var params = new URLSearchParams(window.location.search);
  var token = kit.initialToken();

  // ------------------------------------------------------------------ state
  /** @type {Record<string, MachineGraph>} machine id → its drawing */
  var graphs = {};
  /** @type {Record<string, ActorInfo>} session → actor */
  var actors = {};
  var selected = params.get('actor') || 'brain'; // systemId or id
  var received = 0;

  /** @param {{ name?: string, systemId?: string, id: string }} a */
  function nameOf(a) {
    return a.name || a.systemId || a.id;
  }
  function selectedActor() {
    /** @type {ActorInfo | null} */
    var best = null;
    for (var a of Object.values(actors)) {
      if (nameOf(a) === selected && (!best || a.status === 'active')) best = a;
    }
    return best;
  }

  // ------------------------------------------------------------------ tabs and trail
  function renderTabs() {
    var nav = $('tabs');
    nav.replaceChildren();
    var others = $('others');
    others.replaceChildren();
    /** @type {Record<string, boolean>} */
    var seen = {};
    Object.values(actors).forEach(function (a) {
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

  /** @param {ActorInfo} a */
  function updateTab(a) {
    var b = $('tabs').querySelector('[data-actor="' + cssEscape(nameOf(a)) + '"] .st');
    if (b) b.textContent = leafPath(a);
  }
  /** @param {string} s */
  function cssEscape(s) {
    return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/[^\w-]/g, '\\$&');
  }

  function renderTrail() {
    trail.render(selectedActor());
  }

  // ------------------------------------------------------------------ chart
  function renderChart() {
    var a = selectedActor();
    var g = a && a.machine ? graphs[a.machine] : undefined;
    if (!a || !g || !g.nodes || g.nodes.length === 0) {
      chart.clear();
      $('chart-empty').hidden = false;
      $('chart-empty').textContent = a ? (a.machine ? 'Laying out ' + a.machine + '…' : nameOf(a) + ' has no statechart.') : 'Waiting for the machine definitions…';
      renderTrail();
      return;
    }
    $('chart-empty').hidden = true;
    var shown = chart.shows();
    if (shown.machine !== g.id || shown.session !== a.session || !$('chart').firstChild) chart.draw(g, a.session);
    chart.highlight(a.active || [], null);
    renderTrail();
    renderContext(a);
  }

  /** @param {ActorInfo | null} a */
  function renderContext(a) {
    var live = kit.input('k-context').checked;
    $('context').textContent =
      a && a.context !== undefined
        ? JSON.stringify(a.context, null, 2) + (live ? '' : '\n\n(as it was when this page connected: tick "contexts" for live updates)')
        : 'tick "contexts" to see it';
  }


  // ------------------------------------------------------------------ log
  var log = window.PickleInspectorLog({
    nameOf: nameOf,
    leafPath: leafPath,
    selected: function () {
      return selected;
    },
  });

  // ------------------------------------------------------------------ records
  /** @param {InspectorRecord[]} records */
  function onRecords(records) {
    var chartDirty = false;
    var tabsDirty = false;
    var sel = selectedActor();
    records.forEach(function (r) {
      received += 1;
      if (r.kind === 'actor') {
        actors[r.session] = Object.assign({}, actors[r.session], r);
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
        if (sel && a.session === sel.session && chart.shows().session === a.session) {
          chart.highlight(a.active || [], before);
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
  /** @type {InspectorSocket} */
  var socket = window.io('/inspector', { auth: { token: token }, reconnectionDelayMax: 3000 });
  var tokenBox = kit.tokenBox(function (typed) {
    token = typed;
    socket.auth = { token: token };
    socket.disconnect().connect();
  });
  function sendOptions() {
    socket.emit('options', { contexts: kit.input('k-context').checked });
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
