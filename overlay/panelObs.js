// Panel card "OBS": whether Pickle reaches OBS (version, live scene), why a scene keeps Pickle quiet,
// and the "Add Pickle to OBS" button (POST /api/obs/setup). Server text goes in with textContent only.
(function () {
  'use strict';

  var kit = window.PickleKit;
  var $ = kit.$;
  var setupButton = kit.byId('obs-setup', HTMLButtonElement);

  /** @param {boolean} write */
  function headers(write) {
    /** @type {Record<string, string>} */
    var h = { Accept: 'application/json' };
    if (write) h['Content-Type'] = 'application/json';
    // The token as the panel has it now: it may have been typed in the token box after load.
    var token = window.PicklePanel.token();
    if (token) h.Authorization = 'Bearer ' + token;
    return h;
  }

  /**
   * @param {string} id
   * @param {string} text
   */
  function show(id, text) {
    var e = $(id);
    e.textContent = text || '';
    e.hidden = !text;
  }

  /** @param {Record<string, unknown>} s GET /api/obs (untrusted: every field is turned into text) */
  function render(s) {
    var state = s.state ? String(s.state) : 'starting';
    var pill = $('obs-state');
    pill.className = 'pill ' + state;
    pill.textContent = state === 'up' ? 'connected' : state;
    $('obs-detail').textContent = s.detail ? String(s.detail) : '';
    show('obs-muted', s.mutedByScene ? 'Pickle is muted: OBS scene "' + String(s.mutedByScene) + '" is live' : '');
    show('obs-fix', state === 'up' ? '' : s.fix ? '→ ' + String(s.fix) : '');
    setupButton.disabled = s.enabled === false;
  }

  function refresh() {
    fetch('/api/obs', { headers: headers(false), cache: 'no-store' })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (/** @type {unknown} */ s) {
        if (s && typeof s === 'object') render(/** @type {Record<string, unknown>} */ (s));
      })
      .catch(function () {
        /* Pickle unreachable: the header pill says so */
      });
  }

  setupButton.addEventListener('click', function () {
    var btn = setupButton;
    btn.disabled = true;
    show('obs-result', 'Talking to OBS…');
    void window.PicklePanel.api('POST', '/api/obs/setup', {}).then(function (res) {
      var d = res.data || {};
      if (res.ok) {
        show('obs-result', d.message ? String(d.message) : 'Done');
        show('obs-fix', '');
      } else if (res.status === 0) {
        show('obs-result', String(d.error));
      } else {
        show('obs-result', res.status === 401 ? 'Access token needed (see the box at the top)' : d.error ? String(d.error) : 'Failed (' + res.status + ')');
        // A message that already ends with its step (no Browser Source) is not followed by it twice.
        show('obs-fix', d.fix && String(d.error).indexOf(String(d.fix)) < 0 ? '→ ' + String(d.fix) : '');
      }
      btn.disabled = false;
      refresh();
    });
  });

  refresh();
  setInterval(refresh, 3000);
})();
