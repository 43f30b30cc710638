// Panel card "OBS": the overlay's URL and size to copy into a browser source (always, OBS connected
// or not), whether Pickle reaches OBS (version, live scene), why a scene keeps Pickle quiet, and the
// one-click "Add Pickle to OBS" button when OBS is reachable (POST /api/obs/setup). When OBS is not
// set up, the step to set it up is a hint, not an error. Server text goes in with textContent only.
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
    var notSetUp = s.enabled === false;
    pill.className = 'pill ' + (notSetUp ? 'off' : state);
    pill.textContent = state === 'up' ? 'connected' : notSetUp ? 'off' : state;
    var o = s.overlay && typeof s.overlay === 'object' ? /** @type {Record<string, unknown>} */ (s.overlay) : null;
    if (o && typeof o.url === 'string') {
      var urlBox = kit.input('obs-url');
      if (urlBox.value !== o.url) urlBox.value = o.url;
      $('obs-size').textContent = Number(o.width) + '×' + Number(o.height);
    }
    $('obs-detail').textContent = notSetUp
      ? 'In OBS: Sources → + → Browser, paste the URL, set the size above, and tick "Control audio via OBS".'
      : s.detail ? String(s.detail) : '';
    show('obs-muted', s.mutedByScene ? 'Pickle is muted: OBS scene "' + String(s.mutedByScene) + '" is live' : '');
    var fix = state === 'up' ? '' : s.fix ? (notSetUp ? 'One click instead: ' : '→ ') + String(s.fix) : '';
    show('obs-fix', fix);
    $('obs-fix').className = notSetUp ? 'hint' : 'error-text';
    // The one-click button only where it can work: OBS set up and reachable.
    setupButton.hidden = notSetUp;
    setupButton.disabled = state !== 'up';
  }

  kit.byId('obs-copy', HTMLButtonElement).addEventListener('click', function () {
    var urlBox = kit.input('obs-url');
    urlBox.select();
    var done = function () {
      window.PicklePanel.toast('Overlay URL copied', 'ok');
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(urlBox.value).then(done, function () {
        window.PicklePanel.toast('Select the URL and copy it (Ctrl+C)', 'bad');
      });
    } else {
      window.PicklePanel.toast('Select the URL and copy it (Ctrl+C)');
    }
  });

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
        $('obs-fix').className = 'error-text';
      }
      btn.disabled = false;
      refresh();
    });
  });

  refresh();
  setInterval(refresh, 3000);
})();
