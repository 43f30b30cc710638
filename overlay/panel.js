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
   * @param {string} text
   * @param {'ok' | 'bad' | 'warn'} kind
   */
  function pill(text, kind) {
    var conn = $('conn');
    conn.textContent = text;
    conn.className = 'pill ' + kind;
  }

  panel.onSocket(function (socket) {
    socket.on('connect', function () {
      pill('live', 'ok');
      document.body.dataset.connected = 'true';
    });
    socket.on('disconnect', function () {
      pill('reconnecting', 'bad');
      document.body.dataset.connected = 'false';
    });
    socket.on('connect_error', function (err) {
      pill('offline', 'bad');
      if (err && err.message === 'unauthorized') panel.showTokenBox();
    });
  });
  if (!panel.connect()) pill('no socket.io', 'bad');
})();
