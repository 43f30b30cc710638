// Control panel: Senses. Ears (microphone → Deepgram) and eyes (camera) on or off, saved by
// Pickle in settings.json (a restart never turns them back on), plus a privacy button for both.
// Reads GET /api/settings/senses and /health; writes PUT /api/settings/senses. Text only.
(function () {
  'use strict';

  var kit = window.PickleKit;
  var panel = window.PicklePanel;
  var $ = kit.$;
  var input = kit.input;
  var POLL_MS = 1500;

  /**
   * "state: detail" of one service in /health's list (untrusted: read with care).
   * @param {string} service
   * @param {unknown[]} services
   */
  function line(service, services) {
    for (var x of services) {
      if (x && typeof x === 'object' && 'service' in x && x.service === service) {
        return String('state' in x ? x.state : '') + ': ' + String('detail' in x ? x.detail : '');
      }
    }
    return '';
  }

  /**
   * @param {PanelApiBody | null} senses
   * @param {unknown[]} services
   */
  function render(senses, services) {
    if (senses) {
      input('senses-ears').checked = senses.ears === true;
      input('senses-eyes').checked = senses.eyes === true;
      var off = senses.ears === false && senses.eyes === false;
      $('senses-privacy').textContent = off ? '👁 End privacy (both on)' : '🙈 Privacy (both off)';
      $('senses-privacy').dataset.off = off ? 'true' : 'false';
    }
    $('senses-ears-status').textContent = line('stt', services);
    $('senses-eyes-status').textContent = line('vision', services);
  }

  function refresh() {
    return Promise.all([panel.api('GET', '/api/settings/senses'), panel.api('GET', '/health')]).then(function (r) {
      var services = r[1].data ? r[1].data.services : undefined;
      render(r[0].ok ? r[0].data : null, Array.isArray(services) ? services : []);
    });
  }

  /** @param {{ ears?: boolean, eyes?: boolean }} body */
  function put(body) {
    $('senses-note').textContent = '';
    return panel.api('PUT', '/api/settings/senses', body).then(function (r) {
      if (!r.ok) $('senses-note').textContent = 'Not saved: ' + (r.data && r.data.error ? String(r.data.error) : 'Pickle is not reachable');
      return refresh();
    });
  }

  function start() {
    if (!document.getElementById('sec-senses')) return;
    input('senses-ears').addEventListener('change', function () {
      void put({ ears: input('senses-ears').checked });
    });
    input('senses-eyes').addEventListener('change', function () {
      void put({ eyes: input('senses-eyes').checked });
    });
    $('senses-privacy').addEventListener('click', function () {
      var on = $('senses-privacy').dataset.off === 'true';
      void put({ ears: on, eyes: on });
    });
    void refresh();
    setInterval(refresh, POLL_MS);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
