// What the control panel's section scripts share: the access token and the #token-box, calls to
// Pickle's HTTP API, the toast, clock times, and the panel's one socket (`/panel`). Sections hand
// their listeners to `onSocket`; panel.js, loaded last, connects once every section listens, so no
// message sent on connection (history, status, settings) is missed.
(function () {
  'use strict';

  /** @typedef {import('../src/screens/payloads.ts').PanelServerEvents} PanelServerEvents */

  var kit = window.PickleKit;
  var $ = kit.$;

  var token = kit.initialToken();
  /** @type {Array<(socket: PanelSocket) => void>} */
  var wiring = [];
  /** @type {PanelSocket | null} */
  var socket = null;

  var tokenBox = kit.tokenBox(function (typed) {
    token = typed;
    if (socket) {
      socket.auth = { token: token };
      socket.disconnect().connect();
    }
  });

  /** @type {PicklePanel['api']} */
  function api(method, path, body) {
    /** @type {Record<string, string>} */
    var headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' }).then(
      function (res) {
        return res
          .json()
          .catch(function () {
            return null;
          })
          .then(function (/** @type {unknown} */ data) {
            if (res.status === 401) tokenBox.show();
            return { ok: res.ok, status: res.status, data: data && typeof data === 'object' ? /** @type {PanelApiBody} */ (data) : null };
          });
      },
      function (/** @type {unknown} */ err) {
        var why = err instanceof Error && err.message ? err.message : 'network error';
        return { ok: false, status: 0, data: { error: 'Pickle is not reachable (' + why + ')' } };
      },
    );
  }

  /** @type {PicklePanel['problem']} */
  function problem(r) {
    var d = r.data || {};
    var msg = typeof d.error === 'string' ? d.error : 'request failed (' + r.status + ')';
    var fields = d.fields;
    if (fields && typeof fields === 'object') {
      var parts = Object.entries(fields).map(function (kv) {
        return (kv[0] ? kv[0] + ': ' : '') + String(kv[1]);
      });
      if (parts.length) msg += ' — ' + parts.join('; ');
    }
    if (typeof d.fix === 'string') msg += ' → ' + d.fix;
    if (typeof d.detail === 'string') msg += ' (' + d.detail + ')';
    return msg;
  }

  /** @type {ReturnType<typeof setTimeout> | null} */
  var toastTimer = null;
  /** @type {PicklePanel['toast']} */
  function toast(text, kind) {
    var t = $('toast');
    t.textContent = text;
    t.className = 'toast ' + (kind || '');
    t.hidden = false;
    if (toastTimer) clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      t.hidden = true;
    }, kind === 'bad' ? 6000 : 2500);
  }

  /** @typedef {import('../machines/events.ts').DecisionReason} DecisionReason */
  /** Why Pickle spoke or stayed quiet, in words (the transcript and Rehearse). @type {Record<DecisionReason, string>} */
  var REASONS = {
    mention: 'named Pickle',
    question: 'a question',
    spontaneous: 'spontaneous',
    streamer: 'you spoke to Pickle',
    event: 'stream event',
    'pending-mention': 'addressed to Pickle',
    'not-addressed': 'not addressed to Pickle',
    cooldown: 'cooldown',
    busy: 'busy replying',
    muted: 'muted',
    blocked: 'dropped by moderation',
    silenced: 'kept baiting: not answered for a while',
    moderated: 'removed by a moderator',
    skipped: 'skipped',
    'event-off': 'this event is not acknowledged (persona)',
    failed: 'failed',
    redemption: 'channel-point question',
    recap: 'asked what chat said',
    idle: 'quiet stream: starting a topic',
    stale: 'waited too long (45 s)',
    'queue-full': 'queue full (5 waiting)',
    replaced: 'replaced by a newer or higher-ranked input',
  };
  /** @type {PicklePanel['reasonText']} */
  function reasonText(reason) {
    return Object.prototype.hasOwnProperty.call(REASONS, reason) ? REASONS[/** @type {DecisionReason} */ (reason)] : String(reason || '');
  }

  /** @type {PicklePanel['clock']} */
  function clock(ts) {
    var d = new Date(typeof ts === 'number' ? ts : Date.now());
    /** @param {number} n */
    var p = function (n) {
      return n < 10 ? '0' + n : String(n);
    };
    return p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
  }

  window.PicklePanel = {
    api: api,
    problem: problem,
    toast: toast,
    clock: clock,
    reasonText: reasonText,
    personaName: 'Pickle',
    token: function () {
      return token;
    },
    showTokenBox: function () {
      tokenBox.show();
    },
    onSocket: function (wire) {
      if (socket) wire(socket);
      else wiring.push(wire);
    },
    connect: function () {
      if (socket || typeof window.io !== 'function') return null;
      /** @type {PanelSocket} */
      var s = window.io('/panel', { auth: { token: token }, reconnectionDelayMax: 3000, autoConnect: false });
      socket = s;
      wiring.splice(0).forEach(function (wire) {
        wire(s);
      });
      s.connect();
      return s;
    },
  };
})();
