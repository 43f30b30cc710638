// Control panel: a banner when nobody hears Pickle (the voice played in no page: no overlay in
// OBS, or its audio blocked, and no AUDIO_OUTPUT=local). Reads /health's `voice` line. Text only.
(function () {
  'use strict';

  var kit = window.PickleKit;
  var $ = kit.$;
  var POLL_MS = 2000;

  function check() {
    var headers = { Accept: 'application/json' };
    // Read each time: the panel's token box may have been filled in since.
    var token = kit.initialToken();
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch('/health', { headers: headers, cache: 'no-store' })
      .then(function (res) {
        return res.json();
      })
      .then(
        function (h) {
          var voice = (h && Array.isArray(h.services) ? h.services : []).filter(function (s) {
            return s && s.service === 'voice';
          })[0];
          var banner = $('voice-banner');
          if (voice && voice.state === 'degraded') {
            $('voice-banner-text').textContent = voice.detail;
            $('voice-banner-fix').textContent = voice.fix ? '→ ' + voice.fix : '';
            banner.hidden = false;
          } else banner.hidden = true;
        },
        function () {
          /* Pickle not reachable: the connection pill already says so */
        },
      );
  }

  function start() {
    if (!$('voice-banner')) return;
    void check();
    setInterval(check, POLL_MS);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
