// Control panel: a banner when nobody hears Pickle (the voice played in no page: no overlay in
// OBS, or its audio blocked, and no AUDIO_OUTPUT=local). Reads /health's `voice` line. Text only.
(function () {
  'use strict';

  var kit = window.PickleKit;
  var $ = kit.$;
  var POLL_MS = 2000;

  function check() {
    return window.PicklePanel.api('GET', '/health').then(function (h) {
      // Pickle not reachable: the connection pill already says so.
      if (!h.ok || !h.data || !Array.isArray(h.data.services)) return;
      /** @type {Record<string, unknown> | undefined} */
      var voice = undefined;
      for (var s of h.data.services) if (s && typeof s === 'object' && s.service === 'voice') voice = s;
      var banner = $('voice-banner');
      if (voice && voice.state === 'degraded') {
        $('voice-banner-text').textContent = String(voice.detail);
        $('voice-banner-fix').textContent = voice.fix ? '→ ' + String(voice.fix) : '';
        banner.hidden = false;
      } else banner.hidden = true;
    });
  }

  function start() {
    if (!document.getElementById('voice-banner')) return;
    void check();
    setInterval(check, POLL_MS);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
