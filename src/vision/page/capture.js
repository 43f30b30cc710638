// Pickle's camera page. Pickle opens it in its own headless Chrome/Chromium/Edge (served by
// Pickle on 127.0.0.1, CSP: scripts from this origin only) and talks to it through functions
// it exposes on `window` (puppeteer exposeFunction):
//   pickleConfig()            → { backend, camera, intervalMs, ... }
//   pickleStatus(report)      camera up / down (with the browser's error name)
//   pickleFrame(base64, info) → { accepted } a JPEG worth analysing (local vision model)
//   pickleScene(text)         a description made in the page (Overshoot SDK)
// Frames that barely differ from the last one Pickle accepted are never sent: a static scene
// costs one small canvas read every few seconds and nothing else.

/**
 * The part of the Overshoot SDK this page uses (loaded at run time from cfg.overshoot.sdkUrl).
 * @typedef {{ start(): Promise<void>, stop(): Promise<void>, getMediaStream?: () => MediaStream | null }} RealtimeVision
 * @typedef {{ ok?: boolean, result?: unknown, error?: unknown }} RealtimeVisionResult
 * @typedef {new (opts: Record<string, unknown>) => RealtimeVision} RealtimeVisionClass
 */
/** @typedef {import('../types.ts').PageConfig} PageConfig */
/** @typedef {import('../types.ts').PageReport} PageReport */
/** @typedef {{ stream: MediaStream, track: MediaStreamTrack, cameras: string[] }} Camera */

/** @type {CameraPageStats} */
const stats = { captured: 0, skipped: 0, sent: 0, refused: 0, errors: 0, lastDiff: null, lastChanged: null, opened: 0 };
window.__pickleStats = () => ({ ...stats });

/**
 * A browser error (or anything thrown) as a report's reason and message.
 * @param {unknown} err
 * @param {string} [fallback] the reason when the error has no name
 */
function why(err, fallback) {
  const named = err instanceof Error || err instanceof DOMException;
  return { reason: (named && err.name) || fallback || 'Error', message: (named && err.message) || String(err) };
}

/** @param {string} text */
const note = (text) => {
  const el = document.getElementById('note');
  if (el) el.textContent = text;
};

const getConfig = window.pickleConfig;
if (typeof getConfig !== 'function') {
  note("This page is opened by Pickle's own headless browser to look through your camera. Nothing to see here.");
} else {
  main(getConfig).catch((err) => {
    void window.pickleStatus({ state: 'down', ...why(err), reason: 'PageError' });
  });
}

/** @param {() => Promise<PageConfig>} getConfig */
async function main(getConfig) {
  const cfg = await getConfig();
  let generation = 0;

  /** @param {PageReport} r */
  const report = (r) => window.pickleStatus(r).catch(() => {});
  /** @param {string} why what failed (for reading the code: the retry is the same) */
  const retry = (why) => {
    const mine = ++generation;
    setTimeout(() => {
      if (mine === generation) start();
    }, cfg.retryMs);
    return why;
  };

  /** @param {MediaTrackConstraints} [extra] */
  function constraints(extra) {
    // Ask for little: Chrome scales and drops frames for us, so a 1080p60 camera costs what 720p at 5 fps does.
    return { width: { ideal: cfg.captureWidth }, frameRate: { ideal: cfg.frameRate, max: cfg.frameRate }, ...extra };
  }

  /** @param {MediaTrackConstraints} video */
  async function getUserMedia(video) {
    try {
      return await navigator.mediaDevices.getUserMedia({ video, audio: false });
    } catch (err) {
      if ((err instanceof Error || err instanceof DOMException) && err.name === 'OverconstrainedError') return navigator.mediaDevices.getUserMedia({ video: video.deviceId ? { deviceId: video.deviceId } : true, audio: false });
      throw err;
    }
  }

  /**
   * Opens the camera whose label contains cfg.camera (any camera when unset).
   * @returns {Promise<Camera>}
   */
  async function openCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw Object.assign(new Error('this page has no camera access (not a secure context?)'), { name: 'NoMediaDevices' });
    }
    // Labels are only visible once a camera is open: open any, look, then switch if needed.
    let stream = await getUserMedia(constraints());
    const cams = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
    let track = stream.getVideoTracks()[0];
    if (!track) throw Object.assign(new Error('the camera gave no video track'), { name: 'NoVideoTrack' });
    if (cfg.camera) {
      const want = cfg.camera.toLowerCase();
      const match = cams.find((d) => d.label.toLowerCase().includes(want));
      if (!match) {
        stream.getTracks().forEach((t) => t.stop());
        throw Object.assign(new Error(`no camera named like "${cfg.camera}"`), { name: 'CameraNotFound', cameras: cams.map((c) => c.label).filter(Boolean) });
      }
      if (track.getSettings().deviceId !== match.deviceId) {
        stream.getTracks().forEach((t) => t.stop());
        stream = await getUserMedia(constraints({ deviceId: { exact: match.deviceId } }));
        track = stream.getVideoTracks()[0];
        if (!track) throw Object.assign(new Error('the camera gave no video track'), { name: 'NoVideoTrack' });
      }
    }
    stats.opened++;
    return { stream, track, cameras: cams.map((c) => c.label).filter(Boolean) };
  }

  /**
   * @param {MediaStreamTrack} track
   * @param {string[]} cameras
   * @returns {PageReport}
   */
  function upReport(track, cameras) {
    const s = track.getSettings();
    return { state: 'up', label: track.label, width: s.width, height: s.height, frameRate: s.frameRate, cameras };
  }

  /**
   * @param {unknown} err
   * @returns {PageReport}
   */
  function downReport(err) {
    const cameras = err && typeof err === 'object' && 'cameras' in err && Array.isArray(err.cameras) ? err.cameras.map(String) : undefined;
    return { state: 'down', ...why(err), cameras };
  }

  async function start() {
    const mine = ++generation;
    let cam;
    try {
      cam = await openCamera();
    } catch (err) {
      report(downReport(err));
      retry('camera');
      return;
    }
    if (mine !== generation) return cam.stream.getTracks().forEach((t) => t.stop());
    if (cfg.backend === 'overshoot') return startOvershoot(cam, mine);
    return startSampling(cam, mine);
  }

  // ------------------------------------------------------------------ local model: sample, diff, send

  /**
   * @param {Camera} cam
   * @param {number} mine
   */
  async function startSampling(cam, mine) {
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = cam.stream;
    try {
      await video.play();
    } catch (err) {
      report(downReport(err));
      cam.stream.getTracks().forEach((t) => t.stop());
      retry('play');
      return;
    }
    cam.track.addEventListener('ended', () => {
      if (mine !== generation) return;
      report({ state: 'down', reason: 'TrackEnded', message: 'the camera stopped sending pictures (unplugged, or taken by another app?)' });
      retry('ended');
    });
    report(upReport(cam.track, cam.cameras));

    const thumb = document.createElement('canvas');
    const full = document.createElement('canvas');
    const tctx = thumb.getContext('2d', { willReadFrequently: true });
    const fctx = full.getContext('2d');
    if (!tctx || !fctx) throw new Error('this browser has no 2D canvas');
    const thumbCtx = tctx;
    const fullCtx = fctx;
    /**
     * The thumbnail of the last frame Pickle accepted: what "changed" is measured against.
     * @type {Uint8ClampedArray | null}
     */
    let reference = null;

    const tick = async () => {
      if (mine !== generation) return;
      try {
        await sample();
      } catch (err) {
        stats.errors++;
        void report({ state: 'error', ...why(err) });
      }
      if (mine === generation) setTimeout(tick, cfg.intervalMs);
      else {
        video.srcObject = null;
        cam.stream.getTracks().forEach((t) => t.stop());
      }
    };

    async function sample() {
      const vw = video.videoWidth;
      const vh = video.videoHeight;
      if (!vw || !vh) return;
      stats.captured++;
      const tw = cfg.thumbWidth;
      const th = Math.max(1, Math.round((tw * vh) / vw));
      if (thumb.width !== tw || thumb.height !== th) {
        thumb.width = tw;
        thumb.height = th;
      }
      thumbCtx.drawImage(video, 0, 0, tw, th);
      const px = thumbCtx.getImageData(0, 0, tw, th).data;
      if (reference && reference.length === px.length) {
        // Mean absolute difference (0-255) and the share of cells that changed clearly.
        const ref = reference;
        /** @param {number} i */
        const at = (i) => Math.abs((px[i] ?? 0) - (ref[i] ?? 0));
        let sum = 0;
        let changed = 0;
        const cells = px.length / 4;
        for (let i = 0; i < px.length; i += 4) {
          const d = (at(i) + at(i + 1) + at(i + 2)) / 3;
          sum += d;
          if (d > cfg.cellThreshold) changed++;
        }
        const diff = sum / cells;
        const share = changed / cells;
        stats.lastDiff = diff;
        stats.lastChanged = share;
        if (diff < cfg.meanThreshold && share < cfg.changedShare) {
          stats.skipped++;
          return;
        }
      }
      const scale = Math.min(1, cfg.maxWidth / vw);
      full.width = Math.round(vw * scale);
      full.height = Math.round(vh * scale);
      fullCtx.drawImage(video, 0, 0, full.width, full.height);
      /** @type {Blob | null} */
      const blob = await new Promise((resolve) => full.toBlob(resolve, 'image/jpeg', cfg.jpegQuality));
      if (!blob) throw new Error('could not encode the frame as JPEG');
      const b64 = await blobToBase64(blob);
      const answer = await window.pickleFrame(b64, { width: full.width, height: full.height, diff: stats.lastDiff, changed: stats.lastChanged });
      if (answer && answer.accepted) {
        stats.sent++;
        reference = px;
      } else {
        // Pickle is busy with the previous frame (or its model is down): try again next tick.
        stats.refused++;
      }
    }

    setTimeout(tick, 0);
  }

  /**
   * @param {Blob} blob
   * @returns {Promise<string>}
   */
  function blobToBase64(blob) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).slice(String(reader.result).indexOf(',') + 1));
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
  }

  // ------------------------------------------------------------------ Overshoot: its SDK does the looking

  /**
   * @param {Camera} cam
   * @param {number} mine
   */
  async function startOvershoot(cam, mine) {
    const o = cfg.overshoot;
    if (!o) {
      void report({ state: 'down', reason: 'SdkLoadFailed', message: 'no Overshoot settings were given to the camera page' });
      return;
    }
    const deviceId = cam.track.getSettings().deviceId;
    const label = cam.track.label;
    // The SDK opens "a camera facing the user/environment"; make that the camera the streamer chose.
    cam.stream.getTracks().forEach((t) => t.stop());
    const md = navigator.mediaDevices;
    const original = md.__pickleOriginalGetUserMedia || md.getUserMedia.bind(md);
    md.__pickleOriginalGetUserMedia = original;
    md.getUserMedia = (c) => {
      if (c && c.video) {
        const video = typeof c.video === 'object' ? { ...c.video } : {};
        delete video.facingMode;
        return original({ ...c, video: { ...constraints(), ...video, deviceId: { exact: deviceId } } });
      }
      return original(c);
    };

    let mod;
    try {
      mod = await import(o.sdkUrl);
    } catch (err) {
      void report({ state: 'down', reason: 'SdkLoadFailed', message: why(err).message });
      retry('sdk');
      return;
    }
    // The SDK's own shape, as far as this page relies on it: checked to be a class, then trusted.
    /** @type {unknown} */
    const found = mod.RealtimeVision || (mod.default && mod.default.RealtimeVision);
    if (typeof found !== 'function') {
      report({ state: 'down', reason: 'SdkLoadFailed', message: 'the script loaded but has no RealtimeVision class' });
      retry('sdk');
      return;
    }
    /** @type {RealtimeVisionClass} */
    const RealtimeVision = /** @type {RealtimeVisionClass} */ (found);
    /** @type {RealtimeVision | undefined} */
    let vision;
    /** @param {unknown} err */
    const fail = (err) => {
      if (mine !== generation) return;
      void report({ state: 'down', ...why(err, 'OvershootError') });
      if (vision) vision.stop().catch(() => {});
      retry('overshoot');
    };
    try {
      vision = new RealtimeVision({
        apiUrl: o.apiUrl,
        apiKey: o.apiKey,
        prompt: o.prompt,
        ...(o.model ? { model: o.model } : {}),
        source: { type: 'camera', cameraFacing: 'environment' },
        processing: { clip_length_seconds: 1, delay_seconds: Math.max(1, Math.round(cfg.intervalMs / 1000)) },
        onResult: (/** @type {RealtimeVisionResult | null} */ result) => {
          if (mine !== generation) return;
          if (result && result.ok !== false && typeof result.result === 'string' && result.result.trim()) {
            stats.sent++;
            window.pickleScene(result.result).catch(() => {});
          } else if (result && result.ok === false) {
            stats.errors++;
            void report({ state: 'error', reason: 'InferenceError', message: String(result.error || 'inference failed') });
          }
        },
        onError: fail,
      });
      await vision.start();
    } catch (err) {
      fail(err);
      return;
    }
    const stream = vision.getMediaStream && vision.getMediaStream();
    const track = stream && stream.getVideoTracks()[0];
    if (track) {
      track.addEventListener('ended', () => fail(Object.assign(new Error('the camera stopped sending pictures'), { name: 'TrackEnded' })));
    }
    report(track ? upReport(track, cam.cameras) : { state: 'up', label, cameras: cam.cameras });
  }

  start();
}
