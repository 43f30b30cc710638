// Control panel: the header (can Pickle reply now, as Pickle decided it; rehearsal and privacy; the
// brain pill with Skip and Mute; offline when the page lost Pickle) and the Status card (one line
// first, then one row per service on demand: an optional feature nobody set up is a grey `off`, a
// configured one that fails is orange or red, with its fix). Server text: textContent only.
(function () {
  'use strict';

  /** @typedef {import('../src/screens/payloads.ts').ServiceStatus} ServiceStatus */
  /** @typedef {import('../src/screens/payloads.ts').BrainStatePayload} BrainStatePayload */
  /** @typedef {import('../src/screens/payloads.ts').Readiness} Readiness */

  var kit = window.PickleKit;
  var panel = window.PicklePanel;
  var $ = kit.$;
  var el = kit.el;

  var ORDER = ['llm', 'twitch', 'twitch-events', 'youtube', 'kick', 'tts', 'voice', 'avatar', 'vts', 'stt', 'memory', 'vision', 'moderation', 'obs'];
  var STATES = ['up', 'starting', 'degraded', 'paused', 'down', 'disabled', 'off'];
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
      /** @type {string} */
      var state = STATES.indexOf(s.state) >= 0 ? s.state : 'disabled';
      // Not set up is a choice (grey `off`); `disabled` stays for something configured that cannot work.
      if (s.configured === false && (state === 'disabled' || state === 'paused')) state = 'off';
      counts[state] = (counts[state] || 0) + 1;
      var name = String(s.service);
      // One line each; problems open by default, the rest on a click (and stay as the streamer left them).
      var li = el('li', 'status-item ' + state);
      li.dataset.service = name;
      var d = el('details');
      var kept = statusOpen[name];
      d.open = kept !== undefined ? kept : state === 'down';
      d.addEventListener('toggle', function () {
        statusOpen[name] = d.open;
      });
      var sum = el('summary');
      sum.append(el('span', 'name', name), el('span', 'brief', s.detail || ''), el('span', 'state', state));
      d.append(sum);
      if (s.detail) d.append(shortened('div', 'detail', s.detail));
      if (s.fix) d.append(shortened('div', 'fix', s.fix));
      if (s.lastError && (state === 'down' || state === 'degraded')) d.append(shortened('div', 'err', s.lastError));
      li.append(d);
      ul.append(li);
    });
    $('status-counts').textContent = STATES.filter(function (k) {
      return counts[k];
    })
      .map(function (k) {
        return counts[k] + ' ' + k;
      })
      .join(' · ');
  }

  /**
   * Text with long file paths cut to their last two parts ("…/Xenova/all-MiniLM-L6-v2"); the whole
   * text stays in the tooltip.
   * @param {'div'} tag
   * @param {string} cls
   * @param {string} text
   */
  function shortened(tag, cls, text) {
    var e = el(tag, cls, shortPaths(text));
    if (e.textContent !== text) e.title = text;
    return e;
  }
  /** @param {string} text */
  function shortPaths(text) {
    return String(text).replace(/(?<![\w:/.])(?:[A-Za-z]:)?(?:[\\/][^\s\\/:;,()'"`]+){4,}/g, function (path) {
      var parts = path.split(/[\\/]/).filter(Boolean);
      return '…/' + parts.slice(-2).join('/');
    });
  }

  // ------------------------------------------------------------------ can Pickle reply now
  /** @type {Readiness | null} */
  var readiness = null;
  var online = false;
  function renderVerdict() {
    var v = $('verdict');
    var reason = $('verdict-reason');
    var r = readiness;
    var verdict = !online ? 'offline' : r ? r.verdict : 'connecting';
    v.dataset.verdict = verdict;
    v.textContent = verdict === 'cant-reply' ? "can't reply" : verdict;
    var why = !online ? 'the page lost Pickle: is it still running?' : r && r.reason ? r.reason : '';
    reason.textContent = verdict === 'ready' ? '' : why;
    v.title = why ? v.textContent + ': ' + why : 'Pickle can reply now';
    $('tag-rehearsal').hidden = !(online && r && r.rehearsal);
    $('tag-privacy').hidden = !(online && r && r.privacy);
    var sum = $('status-summary');
    sum.textContent = !online ? 'Offline: ' + why : r ? shortPaths(r.summary) : 'Waiting for Pickle…';
    sum.classList.toggle('bad', verdict !== 'ready');
  }
  /** @param {Readiness | undefined} r */
  function onReadiness(r) {
    if (!r || typeof r !== 'object') return;
    readiness = r;
    renderVerdict();
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
    var label = mb.querySelector('.label');
    if (label) label.textContent = muted ? 'Unmute' : 'Mute';
    mb.setAttribute('aria-label', muted ? 'Unmute' : 'Mute');
    mb.title = muted ? 'answer again (!unmute)' : 'stop answering (!mute)';
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
      if (h && h.latest) {
        renderBrain(h.latest.brain);
        onReadiness(h.latest.readiness);
      }
    });
    socket.on('readiness', onReadiness);
    socket.on('connect', function () {
      online = true;
      renderVerdict();
    });
    socket.on('disconnect', function () {
      online = false;
      renderVerdict();
    });
    socket.on('connect_error', function () {
      online = false;
      renderVerdict();
    });
    socket.on('analytics', function (p) {
      if (p && typeof p === 'object') renderActors(p.actors);
    });
  });
})();
