// Pickle's voice on this PC (AUDIO_OUTPUT=local): the overlay's own player (overlay/audio.js) in
// Pickle's hidden browser, on the speaker whose name contains AUDIO_OUTPUT_DEVICE (setSinkId).
// It joins /avatar like the OBS overlay and says whether it plays (audio_state), so Pickle
// knows somebody hears it. Functions from Pickle (puppeteer exposeFunction):
//   pickleSpeakerConfig()        → { device, key } (key: the page's own key for /avatar)
//   pickleSpeakerStatus(report)  up (with the speaker's name) / down (no such speaker)
(function () {
  'use strict';

  var getConfig = window.pickleSpeakerConfig;
  var io = window.io;
  var player = window.PickleAudio;
  if (typeof getConfig !== 'function' || typeof io !== 'function' || !player) return;
  var connect = io;
  var audio = player;

  /** @param {SoundReport} r */
  function report(r) {
    window.pickleSpeakerStatus(r).catch(function () {});
  }

  void getConfig().then(function (cfg) {
    const device = cfg.device;
    var pick = !device
      ? Promise.resolve({ id: '', label: 'the default speaker' })
      : navigator.mediaDevices.enumerateDevices().then(function (all) {
          var outs = all.filter(function (d) {
            return d.kind === 'audiooutput';
          });
          var want = device.toLowerCase();
          var match = outs.filter(function (d) {
            return d.label.toLowerCase().indexOf(want) >= 0;
          })[0];
          if (!match) {
            var names = outs.map(function (d) {
              return d.label;
            }).filter(Boolean);
            throw Object.assign(new Error('no speaker named like "' + device + '"'), { name: 'SpeakerNotFound', devices: names });
          }
          return { id: match.deviceId, label: match.label };
        });
    return pick.then(
      function (out) {
        /** @type {AvatarSocket} */
        var socket = connect('/avatar', { auth: { key: cfg.key }, transports: ['websocket'] });
        audio.attach(socket, out.id ? { sinkId: out.id } : {});
        report({ state: 'up', label: out.label });
      },
      function (/** @type {unknown} */ err) {
        var named = err instanceof Error ? err : new Error(String(err));
        var devices = 'devices' in named && Array.isArray(named.devices) ? named.devices.map(String) : undefined;
        report({ state: 'down', reason: named.name || 'Error', message: named.message || String(err), devices: devices });
      },
    );
  });
})();
