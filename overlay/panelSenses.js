// Control panel: Senses. Ears (microphone → Deepgram) and eyes (camera) on or off, saved by
// Pickle in settings.json (a restart never turns them back on), plus a privacy button for both.
// A sense Pickle does not have (no key, turned off in .env, no browser) is shown off and cannot be
// ticked, with the reason and the step that turns it on.
// Reads GET /api/settings/senses and /health; writes PUT /api/settings/senses. Text only.
(function () {
  'use strict';

  var kit = window.PickleKit;
  var panel = window.PicklePanel;
  var $ = kit.$;
  var input = kit.input;
  var POLL_MS = 1500;

  /**
   * One service's entry in /health's list (untrusted: read with care).
   * @param {string} service
   * @param {unknown[]} services
   * @returns {{ state: string, detail: string, fix: string } | null}
   */
  function entry(service, services) {
    for (var x of services) {
      if (x && typeof x === 'object' && 'service' in x && x.service === service) {
        return {
          state: String('state' in x ? x.state : ''),
          detail: String('detail' in x ? x.detail : ''),
          fix: 'fix' in x && typeof x.fix === 'string' ? x.fix : '',
        };
      }
    }
    return null;
  }

  /**
   * A sense's checkbox as it really is: ticked only when it is on and Pickle has it.
   * @param {string} box
   * @param {string} line
   * @param {boolean | undefined} wanted the saved choice
   * @param {{ state: string, detail: string, fix: string } | null} s
   */
  function sense(box, line, wanted, s) {
    var unavailable = !!s && s.state === 'disabled';
    var cb = input(box);
    cb.disabled = unavailable;
    if (unavailable) cb.checked = false;
    else if (typeof wanted === 'boolean') cb.checked = wanted;
    var label = cb.closest('label');
    if (label) label.classList.toggle('unavailable', unavailable);
    var text = !s ? '' : unavailable ? 'Unavailable: ' + s.detail + (s.fix ? ' → ' + s.fix : '') : s.state + ': ' + s.detail;
    $(line).textContent = text;
  }

  /**
   * @param {PanelApiBody | null} senses
   * @param {unknown[]} services
   */
  function render(senses, services) {
    // Pickle unreachable: the checkboxes stay as they were (panel.js greys them out while offline).
    if (!senses && services.length === 0) return;
    var ears = entry('stt', services);
    var eyes = entry('vision', services);
    sense('senses-ears', 'senses-ears-status', senses ? senses.ears === true : undefined, ears);
    sense('senses-eyes', 'senses-eyes-status', senses ? senses.eyes === true : undefined, eyes);
    if (senses) {
      var off = senses.ears === false && senses.eyes === false;
      var label = $('senses-privacy').querySelector('.label');
      if (label) label.textContent = off ? 'End privacy (both on)' : 'Privacy (both off)';
      $('senses-privacy').dataset.off = off ? 'true' : 'false';
    }
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
