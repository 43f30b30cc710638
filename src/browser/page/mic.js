// Pickle's microphone page. Pickle opens it in its own headless Chrome/Chromium/Edge (served by
// Pickle on 127.0.0.1, CSP: scripts from this origin only) and talks to it through functions it
// exposes on `window` (puppeteer exposeFunction):
//   pickleMicConfig()        → { device, chunkMs, retryMs, listOnly }
//   pickleMicStatus(report)  microphone up / down (with the browser's error name) / the device list
//   pickleMicAudio(base64)   one chunk of 16 kHz mono PCM16 LE
// The browser's echo canceller, noise suppression and auto gain run on the microphone; an
// AudioWorklet (micWorklet.js) turns it into 16 kHz PCM16 off the main thread.

/** How often the audio thread renders (seconds of audio per wake-up). */
const RENDER_PERIOD_S = 0.1;

/** @type {MicPageStats} */
const stats = { chunks: 0, bytes: 0, opened: 0, gumStartedAt: null, firstChunkAt: null };
window.__pickleMicStats = () => ({ ...stats });

/** @param {string} text */
const note = (text) => {
  const el = document.getElementById('note');
  if (el) el.textContent = text;
};

/**
 * A browser error (or anything thrown) as the report's reason and message.
 * @param {unknown} err
 */
function why(err) {
  const reason = err instanceof Error || err instanceof DOMException ? err.name : 'Error';
  const message = err instanceof Error || err instanceof DOMException ? err.message : String(err);
  return { reason: reason || 'Error', message: message || String(err) };
}

/**
 * An error with the device names the browser sees (reported with it).
 * @param {string} name
 * @param {string} message
 * @param {string[]} [devices]
 */
function deviceError(name, message, devices) {
  return Object.assign(new Error(message), { name: name, devices: devices });
}

const getConfig = window.pickleMicConfig;
if (typeof getConfig !== 'function') {
  note("This page is opened by Pickle's own headless browser to hear you. Nothing to see here.");
} else {
  main(getConfig).catch((err) => {
    void window.pickleMicStatus({ state: 'down', ...why(err), reason: 'PageError' });
  });
}

/** @param {Uint8Array} bytes */
function bytesToBase64(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** @param {() => Promise<MicPageConfig>} getConfig */
async function main(getConfig) {
  const cfg = await getConfig();
  /** @param {SoundReport} r */
  const report = (r) => window.pickleMicStatus(r).catch(() => {});
  const processing = { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 };

  async function devices() {
    const all = await navigator.mediaDevices.enumerateDevices();
    /** @param {MediaDeviceKind} kind */
    const labels = (kind) => all.filter((d) => d.kind === kind && d.label && d.deviceId !== 'default' && d.deviceId !== 'communications').map((d) => d.label);
    return { all, inputs: labels('audioinput'), outputs: labels('audiooutput') };
  }

  /** Opens the microphone whose label contains cfg.device (the default one when unset). */
  async function openMicrophone() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw deviceError('NoMediaDevices', 'this page has no microphone access (not a secure context?)');
    }
    stats.gumStartedAt = performance.timeOrigin + performance.now();
    // Labels are only visible once a microphone is open: open the default, look, then switch if needed.
    let stream = await navigator.mediaDevices.getUserMedia({ audio: processing, video: false });
    const list = await devices();
    if (cfg.device) {
      const want = cfg.device.toLowerCase();
      const match = list.all.find((d) => d.kind === 'audioinput' && d.label.toLowerCase().includes(want));
      if (!match) {
        stream.getTracks().forEach((t) => t.stop());
        throw deviceError('MicrophoneNotFound', `no microphone named like "${cfg.device}"`, list.inputs);
      }
      const track = stream.getAudioTracks()[0];
      if (!track || track.getSettings().deviceId !== match.deviceId) {
        stream.getTracks().forEach((t) => t.stop());
        stream = await navigator.mediaDevices.getUserMedia({ audio: { ...processing, deviceId: { exact: match.deviceId } }, video: false });
      }
    }
    stats.opened++;
    return { stream, inputs: list.inputs };
  }

  if (cfg.listOnly) {
    try {
      const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      s.getTracks().forEach((t) => t.stop());
    } catch {
      // Without a microphone the labels stay hidden; the outputs are still listed.
    }
    const list = await devices();
    report({ state: 'devices', inputs: list.inputs, outputs: list.outputs });
    return;
  }

  let generation = 0;
  // Binary frames on Pickle's socket when it gave a key; else base64 through the exposed function.
  // Connected at once, while the microphone opens.
  const socket = cfg.socket && typeof window.io === 'function' ? window.io(cfg.socket.namespace, { auth: { key: cfg.socket.key }, transports: ['websocket'] }) : null;
  /** @param {ArrayBuffer} buffer */
  const send = (buffer) => {
    if (socket) {
      // socket.io keeps what is sent while (re)connecting; past ~5 s of it, drop rather than grow.
      if (socket.connected || socket.sendBuffer.length < 50) socket.emit('pcm', buffer);
    } else window.pickleMicAudio(bytesToBase64(new Uint8Array(buffer))).catch(() => {});
  };

  async function audioContext() {
    let ctx;
    try {
      // Chromium resamples the microphone to the context's rate; 16 kHz is what Deepgram gets.
      // No output device (`sinkId: none`): nothing is played, so no output stream runs in the
      // audio service. A 100 ms render period wakes the audio thread 10 times a second instead
      // of every few ms (measured: about a third less renderer CPU than 'playback'); it adds
      // at most one chunk (100 ms) of delay, and chunks are 100 ms anyway.
      ctx = new AudioContext({ sampleRate: 16000, latencyHint: RENDER_PERIOD_S, sinkId: { type: 'none' } });
    } catch {
      ctx = new AudioContext({ latencyHint: RENDER_PERIOD_S });
    }
    await ctx.audioWorklet.addModule('/senses/micWorklet.js');
    return ctx;
  }

  async function start() {
    const mine = ++generation;
    // The audio graph is prepared while the microphone opens: the first chunk comes sooner.
    const [micResult, ctxResult] = await Promise.allSettled([openMicrophone(), audioContext()]);
    if (micResult.status === 'rejected' || ctxResult.status === 'rejected') {
      if (micResult.status === 'fulfilled') micResult.value.stream.getTracks().forEach((t) => t.stop());
      if (ctxResult.status === 'fulfilled') void ctxResult.value.close();
      /** @type {unknown} */
      const err = micResult.status === 'rejected' ? micResult.reason : ctxResult.status === 'rejected' ? ctxResult.reason : undefined;
      const devices = err && typeof err === 'object' && 'devices' in err && Array.isArray(err.devices) ? err.devices.map(String) : undefined;
      void report({ state: 'down', ...why(err), devices: devices });
      setTimeout(() => mine === generation && start(), cfg.retryMs);
      return;
    }
    const mic = micResult.value;
    const ctx = ctxResult.value;
    const track = mic.stream.getAudioTracks()[0];
    if (!track) throw new Error('the microphone gave no audio track');
    const source = ctx.createMediaStreamSource(mic.stream);
    // No outputs: the node is pulled by the audio thread without playing anything.
    const node = new AudioWorkletNode(ctx, 'pickle-mic', { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: 'explicit', processorOptions: { chunkMs: cfg.chunkMs } });
    node.port.onmessage = (e) => {
      stats.chunks++;
      stats.bytes += e.data.byteLength;
      if (stats.firstChunkAt === null) stats.firstChunkAt = performance.timeOrigin + performance.now();
      send(e.data);
    };
    source.connect(node);
    if (ctx.state !== 'running') await ctx.resume().catch(() => {});
    track.addEventListener('ended', () => {
      if (mine !== generation) return;
      report({ state: 'down', reason: 'TrackEnded', message: 'the microphone stopped sending sound (unplugged, or taken by another app?)' });
      source.disconnect();
      void ctx.close();
      setTimeout(() => mine === generation && start(), cfg.retryMs);
    });
    void report({ state: 'up', label: track.label, inputs: mic.inputs, sampleRate: ctx.sampleRate, ...(stats.gumStartedAt !== null ? { gumStartedAt: stats.gumStartedAt } : {}) });
  }

  start();
}
