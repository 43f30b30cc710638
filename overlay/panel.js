// Pickle control panel: live status, transcript with the brain's decisions, controls (through the
// settings API, persisted by Pickle), rehearsal chat, memory browser and live charts, each card in
// its own script (panel*.js, sharing panelKit.js). This one, loaded last, shows the connection and
// connects the panel's socket once every card listens on it.
// Works at 320 px wide (OBS custom dock). Everything from the server is untrusted text and is only
// ever written with textContent; no innerHTML anywhere.
(function () {
  'use strict';

  var $ = window.PickleKit.$;
  var panel = window.PicklePanel;

  /**
   * The small connection dot (the header's verdict says what it means for replies).
   * @param {string} text
   * @param {'ok' | 'bad' | 'warn'} kind
   */
  function dot(text, kind) {
    var conn = $('conn');
    conn.className = 'conn ' + kind;
    conn.title = 'connection to Pickle: ' + text;
    conn.setAttribute('aria-label', text);
  }

  /**
   * Offline, every control that talks to Pickle is disabled (and greyed by panel.css) until the
   * page has Pickle back; those a card disabled for its own reason stay as the card left them.
   * @param {boolean} offline
   */
  function controlsOffline(offline) {
    var all = document.querySelectorAll('header button, main button, main input, main select, main textarea');
    all.forEach(function (e) {
      var c = /** @type {HTMLButtonElement | HTMLInputElement} */ (e);
      if (offline && !c.disabled) {
        c.disabled = true;
        c.dataset.offline = 'true';
      } else if (!offline && c.dataset.offline === 'true') {
        c.disabled = false;
        delete c.dataset.offline;
      }
    });
  }

  panel.onSocket(function (socket) {
    socket.on('connect', function () {
      dot('connected', 'ok');
      document.body.dataset.connected = 'true';
      controlsOffline(false);
    });
    socket.on('disconnect', function () {
      dot('reconnecting', 'bad');
      document.body.dataset.connected = 'false';
      controlsOffline(true);
    });
    socket.on('connect_error', function (err) {
      dot('offline', 'bad');
      document.body.dataset.connected = 'false';
      controlsOffline(true);
      if (err && err.message === 'unauthorized') panel.showTokenBox();
    });
  });
  if (!panel.connect()) dot('no socket.io', 'bad');
})();
