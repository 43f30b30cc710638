// Panel card "OBS": whether Pickle reaches OBS (version, live scene), why a scene keeps Pickle quiet,
// and the "Add Pickle to OBS" button (POST /api/obs/setup). Server text goes in with textContent only.
(function () {
  'use strict';

  var kit = window.PickleKit;
  var $ = kit.$;
  var token = kit.initialToken();

  function headers(write) {
    var h = { Accept: 'application/json' };
    if (write) h['Content-Type'] = 'application/json';
    // The panel's token box stores the token for the tab; read it fresh in case it was typed after load.
    try {
      token = window.sessionStorage.getItem('pickle-token') || token;
    } catch (e) {
      /* storage blocked: keep the one from the URL */
    }
    if (token) h.Authorization = 'Bearer ' + token;
    return h;
  }

  function show(id, text) {
    var e = $(id);
    e.textContent = text || '';
    e.hidden = !text;
  }

  function render(s) {
    var pill = $('obs-state');
    pill.className = 'pill ' + (s.state || 'starting');
    pill.textContent = s.state === 'up' ? 'connected' : s.state || 'starting';
    $('obs-detail').textContent = s.detail || '';
    show('obs-muted', s.mutedByScene ? 'Pickle is muted: OBS scene "' + s.mutedByScene + '" is live' : '');
    show('obs-fix', s.state === 'up' ? '' : s.fix ? '→ ' + s.fix : '');
    $('obs-setup').disabled = s.enabled === false;
  }

  function refresh() {
    fetch('/api/obs', { headers: headers(false), cache: 'no-store' })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (s) {
        if (s) render(s);
      })
      .catch(function () {
        /* Pickle unreachable: the header pill says so */
      });
  }

  $('obs-setup').addEventListener('click', function () {
    var btn = $('obs-setup');
    btn.disabled = true;
    show('obs-result', 'Talking to OBS…');
    fetch('/api/obs/setup', { method: 'POST', headers: headers(true), body: '{}', cache: 'no-store' })
      .then(function (r) {
        return r.json().then(
          function (d) {
            return { ok: r.ok, status: r.status, d: d || {} };
          },
          function () {
            return { ok: r.ok, status: r.status, d: {} };
          },
        );
      })
      .then(function (res) {
        if (res.ok) {
          show('obs-result', res.d.message || 'Done');
          show('obs-fix', '');
        } else {
          show('obs-result', res.status === 401 ? 'Access token needed (see the box at the top)' : res.d.error || 'Failed (' + res.status + ')');
          show('obs-fix', res.d.fix ? '→ ' + res.d.fix : '');
        }
      })
      .catch(function (err) {
        show('obs-result', 'Pickle is not reachable (' + (err && err.message ? err.message : 'network error') + ')');
      })
      .then(function () {
        btn.disabled = false;
        refresh();
      });
  });

  refresh();
  setInterval(refresh, 3000);
})();
