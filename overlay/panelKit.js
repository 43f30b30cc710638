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
