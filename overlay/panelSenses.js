// Control panel: Senses. Ears (microphone → Deepgram) and eyes (camera) on or off, saved by
// Pickle in settings.json (a restart never turns them back on), plus a privacy button for both.
// Reads GET /api/settings/senses and /health; writes PUT /api/settings/senses. Text only.
(function () {
  'use strict';

  var kit = window.PickleKit;
  var $ = kit.$;
  var POLL_MS = 1500;

  function call(method, path, body) {
    var headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    // Read each time: the panel's token box may have been filled in since.
    var token = kit.initialToken();
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' }).then(
      function (res) {
        return res.json().then(
          function (data) {
            return { ok: res.ok, data: data };
          },
          function () {
            return { ok: res.ok, data: null };
          },
        );
      },
      function () {
        return { ok: false, data: null };
      },
    );
  }

  function line(service, services) {
    var s = (services || []).filter(function (x) {
      return x && x.service === service;
    })[0];
    if (!s) return '';
    return s.state + ': ' + s.detail;
  }

  function render(senses, services) {
    if (senses && typeof senses === 'object') {
      $('senses-ears').checked = senses.ears === true;
      $('senses-eyes').checked = senses.eyes === true;
      var off = senses.ears === false && senses.eyes === false;
      $('senses-privacy').textContent = off ? '👁 End privacy (both on)' : '🙈 Privacy (both off)';
      $('senses-privacy').dataset.off = off ? 'true' : 'false';
    }
    $('senses-ears-status').textContent = line('stt', services);
    $('senses-eyes-status').textContent = line('vision', services);
  }

  function refresh() {
    return Promise.all([call('GET', '/api/settings/senses'), call('GET', '/health')]).then(function (r) {
      render(r[0].ok ? r[0].data : null, r[1].data && Array.isArray(r[1].data.services) ? r[1].data.services : []);
    });
  }

  function put(body) {
    $('senses-note').textContent = '';
    return call('PUT', '/api/settings/senses', body).then(function (r) {
      if (!r.ok) $('senses-note').textContent = 'Not saved: ' + (r.data && r.data.error ? r.data.error : 'Pickle is not reachable');
      return refresh();
    });
  }

  function start() {
    if (!$('sec-senses')) return;
    $('senses-ears').addEventListener('change', function () {
      void put({ ears: $('senses-ears').checked });
    });
    $('senses-eyes').addEventListener('change', function () {
      void put({ eyes: $('senses-eyes').checked });
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
