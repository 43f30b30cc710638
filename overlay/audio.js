// Pickle overlay audio: plays the voice from the /avatar stream_* events with Web Audio, so OBS
// captures it with the browser source ("Control audio via OBS"). Owned by the voice work.
// Contract used by overlay.js (keep it):
//   window.PickleAudio.attach(socket) -> {
//     level(): number        current output amplitude 0..1 (lip-sync, read once per animation frame)
//     visemes(): Visemes      the mouth shape (aa, ih, ou, ee, oh) of what plays now (overlay/visemes.js), all 0 in silence
//     blocked(): boolean     true while the browser refuses to play until a user gesture
//     unlock(): Promise<void> call from a click handler to enable audio outside OBS
//   }
// Protocol (socket.io namespace /avatar):
//   server -> page: stream_start {sample_rate, id}   a new reply's audio (PCM16 LE mono)
//                   stream_audio {audio: base64}      chunks, played back to back
//                   stream_end {}                     no more chunks for this stream
//                   stream_stop {}                    stop now and drop what is queued (skip / barge-in)
//   page -> server: audio_state {state: 'running' | 'blocked' | 'unsupported'}  on connect and on change
//                   playback_end {id}                 the stream was heard to its end (speaking ends then)
// Scheduling matches the server's clock (src/audio/player.ts): a chunk starts right after the
// previous one, or START_LEAD after it arrives when nothing is playing.
(function () {
  'use strict';

  var START_LEAD = 0.03; // seconds; the server's startLeadMs
  var DEFAULT_RATE = 24000;
  var RELEASE = 0.05; // seconds: how fast level() falls when the sound stops

  /** @param {string} b64 */
  function decodePcm16(b64) {
    var bin = window.atob(b64);
    var n = bin.length >> 1;
    var out = new Float32Array(n);
    for (var i = 0; i < n; i++) {
      var v = bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8);
      if (v >= 0x8000) v -= 0x10000;
      out[i] = v / 32768;
    }
    return out;
  }

  /**
   * opts.sinkId (optional): play on that output device (AudioContext.setSinkId) instead of the default.
   * @param {AvatarSocket} socket
   * @param {{ sinkId?: string }} [opts]
   * @returns {PickleAudioPlayer}
   */
  function attach(socket, opts) {
    var AC = window.AudioContext || window.webkitAudioContext;
    /** @type {AudioContext | null} */
    var ctx = null;
    /** @type {AnalyserNode | null} */
    var analyser = null;
    var scratch = new Float32Array(0);
    var spectrum = new Float32Array(0);
    var lip = window.PickleVisemes ? window.PickleVisemes.smoother() : null;
    var lastShapeAt = 0;
    if (AC) {
      try {
        var c = new AC({ latencyHint: 'interactive' });
        ctx = c;
        if (opts && opts.sinkId && c.setSinkId) c.setSinkId(opts.sinkId).catch(function () {});
        var a = c.createAnalyser();
        analyser = a;
        a.fftSize = 1024;
        a.smoothingTimeConstant = 0;
        a.connect(c.destination);
        scratch = new Float32Array(a.fftSize);
        spectrum = new Float32Array(a.frequencyBinCount);
      } catch (e) {
        ctx = null;
      }
    }

    var rate = DEFAULT_RATE;
    /** @type {string | null} */
    var streamId = null;
    var ended = false;
    var nextTime = 0;
    /** @type {AudioBufferSourceNode[]} */
    var sources = [];
    var smoothed = 0;
    var lastLevelAt = 0;

    function state() {
      if (!ctx) return 'unsupported';
      return ctx.state === 'running' ? 'running' : 'blocked';
    }
    function reportState() {
      if (socket.connected) socket.emit('audio_state', { state: state() });
    }
    if (ctx) ctx.onstatechange = reportState;

    function stopAll() {
      sources.forEach(function (src) {
        try {
          src.onended = null;
          src.stop();
          src.disconnect();
        } catch (e) {
          /* already stopped */
        }
      });
      sources = [];
      nextTime = 0;
    }

    function maybeEnd() {
      if (!ended || sources.length > 0 || streamId === null) return;
      socket.emit('playback_end', { id: streamId });
      ended = false;
      streamId = null;
    }

    socket.on('connect', reportState);
    socket.on('disconnect', function () {
      stopAll();
      ended = false;
      streamId = null;
    });

    socket.on('stream_start', function (msg) {
      stopAll();
      ended = false;
      var r = Number(msg && msg.sample_rate);
      rate = r >= 8000 && r <= 96000 ? r : DEFAULT_RATE;
      streamId = msg && typeof msg.id === 'string' ? msg.id.slice(0, 100) : '';
    });

    socket.on('stream_audio', function (msg) {
      if (!ctx || !analyser || ctx.state !== 'running' || !msg || typeof msg.audio !== 'string') return;
      var samples;
      try {
        samples = decodePcm16(msg.audio);
      } catch (e) {
        return;
      }
      if (samples.length === 0) return;
      var buffer = ctx.createBuffer(1, samples.length, rate);
      buffer.getChannelData(0).set(samples);
      var src = ctx.createBufferSource();
      src.buffer = buffer;
      src.connect(analyser);
      var at = nextTime > ctx.currentTime ? nextTime : ctx.currentTime + START_LEAD;
      src.onended = function () {
        var i = sources.indexOf(src);
        if (i >= 0) sources.splice(i, 1);
        try {
          src.disconnect();
        } catch (e) {
          /* gone */
        }
        maybeEnd();
      };
      src.start(at);
      nextTime = at + buffer.duration;
      sources.push(src);
    });

    socket.on('stream_end', function () {
      ended = true;
      maybeEnd();
    });

    socket.on('stream_stop', function () {
      stopAll();
      smoothed = 0; // a cut voice shuts the mouth at once
      ended = false;
      streamId = null;
    });

    /** @param {AnalyserNode} a */
    function loudness(a) {
      a.getFloatTimeDomainData(scratch);
      var sum = 0;
      for (var v of scratch) sum += v * v;
      return Math.min(1, Math.sqrt(sum / scratch.length) * 4); // loud speech is ~0.25 RMS
    }

    return {
      visemes: function () {
        var shapes = window.PickleVisemes;
        var none = { aa: 0, ih: 0, ou: 0, ee: 0, oh: 0 };
        if (!shapes || !lip) return none;
        if (!analyser || !ctx || sources.length === 0) {
          lip.reset();
          return none;
        }
        var now = window.performance.now();
        var dt = lastShapeAt ? Math.min(0.25, (now - lastShapeAt) / 1000) : 0.016;
        lastShapeAt = now;
        analyser.getFloatFrequencyData(spectrum);
        return lip.next(shapes.shape(spectrum, ctx.sampleRate / analyser.fftSize, loudness(analyser)), dt);
      },
      level: function () {
        if (!analyser || sources.length === 0) {
          // Nothing queued or playing (also right after stream_stop): the mouth is shut.
          smoothed = 0;
          return 0;
        }
        var target = loudness(analyser);
        // Opens at once, closes over ~50 ms whatever the frame rate: a mouth that does not flicker.
        var now = window.performance.now();
        var dt = Math.max(0, now - lastLevelAt) / 1000;
        lastLevelAt = now;
        smoothed = target >= smoothed ? target : target + (smoothed - target) * Math.exp(-dt / RELEASE);
        return smoothed < 0.005 ? 0 : smoothed;
      },
      blocked: function () {
        return !!ctx && ctx.state !== 'running';
      },
      unlock: function () {
        if (!ctx) return Promise.resolve();
        return ctx.resume().then(reportState, function () {});
      },
    };
  }

  window.PickleAudio = { attach: attach };
})();
