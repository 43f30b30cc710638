// Control panel: the header's brain pill with Skip and Mute, and the Status card (one line per
// service, problems open with their fix; each actor's state). Server text: textContent only.
(function () {
  'use strict';

  /** @typedef {import('../src/screens/payloads.ts').ServiceStatus} ServiceStatus */
  /** @typedef {import('../src/screens/payloads.ts').BrainStatePayload} BrainStatePayload */

  var kit = window.PickleKit;
  var panel = window.PicklePanel;
  var $ = kit.$;
  var el = kit.el;

  var ORDER = ['llm', 'twitch', 'twitch-events', 'youtube', 'kick', 'tts', 'voice', 'stt', 'memory', 'vision', 'moderation', 'obs'];
  var STATES = ['up', 'starting', 'degraded', 'paused', 'down', 'disabled'];
  /** @type {Record<string, boolean>} the lines the streamer opened or closed, kept across updates */
  var statusOpen = {};

  /** @param {ServiceStatus[]} list */
  function renderStatus(list) {
    if (!Array.isArray(list)) return;
    var sorted = list.slice().sort(function (a, b) {
      var ia = ORDER.indexOf(a.service);
      var ib = ORDER.indexOf(b.service);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || String(a.service).localeCompare(String(b.service));
    });
    var ul = $('status-list');
    ul.replaceChildren();
    /** @type {Record<string, number>} */
    var counts = {};
    sorted.forEach(function (s) {
      var state = STATES.indexOf(s.state) >= 0 ? s.state : 'disabled';
      counts[state] = (counts[state] || 0) + 1;
      var name = String(s.service);
      // One line each; problems open by default, the rest on a click (and stay as the streamer left them).
      var li = el('li', 'status-item ' + state);
      li.dataset.service = name;
      var d = el('details');
      var kept = statusOpen[name];
      d.open = kept !== undefined ? kept : state === 'down' || state === 'degraded' || state === 'starting';
      d.addEventListener('toggle', function () {
        statusOpen[name] = d.open;
      });
      var sum = el('summary');
      sum.append(el('span', 'name', name), el('span', 'brief', s.detail || ''), el('span', 'state', state));
      d.append(sum);
      if (s.detail) d.append(el('div', 'detail', s.detail));
      if (s.fix && state !== 'up') d.append(el('div', 'fix', s.fix));
      if (s.lastError && (state === 'down' || state === 'degraded')) d.append(el('div', 'err', s.lastError));
      li.append(d);
      ul.append(li);
    });
    $('status-summary').textContent = STATES.filter(function (k) {
      return counts[k];
    })
      .map(function (k) {
        return counts[k] + ' ' + k;
      })
      .join(' · ');
  }

  /** @param {Record<string, string> | undefined} actors */
  function renderActors(actors) {
    if (!actors || typeof actors !== 'object') return;
    var box = $('actors');
    box.replaceChildren();
    Object.keys(actors).forEach(function (k) {
      var p = el('span', 'pill plain');
      p.append(el('b', null, k + ' '), document.createTextNode(String(actors[k])));
      box.append(p);
    });
  }

  // ------------------------------------------------------------------ brain state, skip, mute
  var muted = false;
  /** @param {BrainStatePayload | undefined} b */
  function renderBrain(b) {
    if (!b || typeof b !== 'object') return;
    var state = ['idle', 'thinking', 'speaking', 'cooldown'].indexOf(b.state) >= 0 ? b.state : 'idle';
    muted = b.muted === true;
    var pill = $('brain-state');
    pill.textContent = muted ? state + ' · muted' : state;
    pill.className = 'pill plain brain-' + (muted ? 'muted' : state);
    pill.dataset.state = state;
    var mb = $('btn-mute');
    mb.textContent = muted ? '🔊 Unmute' : '🔇 Mute';
    mb.classList.toggle('on', muted);
  }
  $('btn-skip').addEventListener('click', function () {
    void panel.api('POST', '/api/control/skip').then(function (r) {
      if (!r.ok) panel.toast(panel.problem(r), 'bad');
    });
  });
  $('btn-mute').addEventListener('click', function () {
    void panel.api('POST', '/api/control/' + (muted ? 'unmute' : 'mute')).then(function (r) {
      if (!r.ok) panel.toast(panel.problem(r), 'bad');
    });
  });

  panel.onSocket(function (socket) {
    socket.on('status', renderStatus);
    socket.on('brain', renderBrain);
    socket.on('history', function (h) {
      if (h && h.latest) renderBrain(h.latest.brain);
    });
    socket.on('analytics', function (p) {
      if (p && typeof p === 'object') renderActors(p.actors);
    });
  });
})();
