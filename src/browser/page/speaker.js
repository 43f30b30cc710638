// Pickle's voice on this PC (AUDIO_OUTPUT=local): the overlay's own player (overlay/audio.js) in
// Pickle's hidden browser, on the speaker whose name contains AUDIO_OUTPUT_DEVICE (setSinkId).
// It joins /avatar like the OBS overlay and says whether it plays (audio_state), so Pickle
// knows somebody hears it. Functions from Pickle (puppeteer exposeFunction):
//   pickleSpeakerConfig()        → { device }
//   pickleSpeakerStatus(report)  up (with the speaker's name) / down (no such speaker)
(function () {
  'use strict';

  if (typeof window.pickleSpeakerConfig !== 'function' || typeof window.io !== 'function' || !window.PickleAudio) return;

  function report(r) {
    window.pickleSpeakerStatus(r).catch(function () {});
  }

  window.pickleSpeakerConfig().then(function (cfg) {
    var pick = !cfg.device
      ? Promise.resolve({ id: '', label: 'the default speaker' })
      : navigator.mediaDevices.enumerateDevices().then(function (all) {
          var outs = all.filter(function (d) {
            return d.kind === 'audiooutput';
          });
          var want = cfg.device.toLowerCase();
          var match = outs.filter(function (d) {
            return d.label.toLowerCase().indexOf(want) >= 0;
          })[0];
          if (!match) {
            var e = new Error('no speaker named like "' + cfg.device + '"');
            e.name = 'SpeakerNotFound';
            e.devices = outs.map(function (d) {
              return d.label;
            }).filter(Boolean);
            throw e;
          }
          return { id: match.deviceId, label: match.label };
        });
    return pick.then(
      function (out) {
        var socket = window.io('/avatar', { transports: ['websocket'] });
        window.PickleAudio.attach(socket, out.id ? { sinkId: out.id } : {});
        report({ state: 'up', label: out.label });
      },
      function (err) {
        report({ state: 'down', reason: err.name || 'Error', message: String(err.message || err), devices: err.devices });
      },
    );
  });
})();
