// Pickle's camera page. Pickle opens it in its own headless Chrome/Chromium/Edge (served by
// Pickle on 127.0.0.1, CSP: scripts from this origin only) and talks to it through functions
// it exposes on `window` (puppeteer exposeFunction):
//   pickleConfig()            → { backend, camera, intervalMs, ... }
//   pickleStatus(report)      camera up / down (with the browser's error name)
//   pickleFrame(base64, info) → { accepted } a JPEG worth analysing (local vision model)
//   pickleScene(text)         a description made in the page (Overshoot SDK)
// Frames that barely differ from the last one Pickle accepted are never sent: a static scene
// costs one small canvas read every few seconds and nothing else.

const stats = { captured: 0, skipped: 0, sent: 0, refused: 0, errors: 0, lastDiff: null, lastChanged: null, opened: 0 };
window.__pickleStats = () => ({ ...stats });

const note = (text) => {
  const el = document.getElementById('note');
  if (el) el.textContent = text;
};

if (typeof window.pickleConfig !== 'function') {
  note("This page is opened by Pickle's own headless browser to look through your camera. Nothing to see here.");
} else {
  main().catch((err) => {
    window.pickleStatus({ state: 'down', reason: 'PageError', message: String((err && err.message) || err) });
  });
}

async function main() {
  const cfg = await window.pickleConfig();
  let generation = 0;

  const report = (r) => window.pickleStatus(r).catch(() => {});
  const retry = (why) => {
    const mine = ++generation;
    setTimeout(() => {
      if (mine === generation) start();
    }, cfg.retryMs);
    return why;
  };

  function constraints(extra) {
    // Ask for little: Chrome scales and drops frames for us, so a 1080p60 camera costs what 720p at 5 fps does.
    return { width: { ideal: cfg.captureWidth }, frameRate: { ideal: cfg.frameRate, max: cfg.frameRate }, ...extra };
  }

  async function getUserMedia(video) {
    try {
      return await navigator.mediaDevices.getUserMedia({ video, audio: false });
    } catch (err) {
      if (err && err.name === 'OverconstrainedError') return navigator.mediaDevices.getUserMedia({ video: { deviceId: video.deviceId }, audio: false });
      throw err;
    }
  }

  /** Opens the camera whose label contains cfg.camera (any camera when unset). */
  async function openCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      const e = new Error('this page has no camera access (not a secure context?)');
      e.name = 'NoMediaDevices';
      throw e;
    }
    // Labels are only visible once a camera is open: open any, look, then switch if needed.
    let stream = await getUserMedia(constraints());
    const cams = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
    let track = stream.getVideoTracks()[0];
    if (cfg.camera) {
      const want = cfg.camera.toLowerCase();
      const match = cams.find((d) => d.label.toLowerCase().includes(want));
      if (!match) {
        stream.getTracks().forEach((t) => t.stop());
        const e = new Error(`no camera named like "${cfg.camera}"`);
        e.name = 'CameraNotFound';
        e.cameras = cams.map((c) => c.label).filter(Boolean);
        throw e;
      }
      if (track.getSettings().deviceId !== match.deviceId) {
        stream.getTracks().forEach((t) => t.stop());
        stream = await getUserMedia(constraints({ deviceId: { exact: match.deviceId } }));
        track = stream.getVideoTracks()[0];
      }
    }
    stats.opened++;
    return { stream, track, cameras: cams.map((c) => c.label).filter(Boolean) };
  }

  function upReport(track, cameras) {
    const s = track.getSettings();
    return { state: 'up', label: track.label, width: s.width, height: s.height, frameRate: s.frameRate, cameras };
  }

  function downReport(err) {
    return { state: 'down', reason: (err && err.name) || 'Error', message: String((err && err.message) || err), cameras: err && err.cameras };
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
    const tctx = thumb.getContext('2d', { willReadFrequently: true });
    const full = document.createElement('canvas');
    const fctx = full.getContext('2d');
    /** The thumbnail of the last frame Pickle accepted: what "changed" is measured against. */
    let reference = null;

    const tick = async () => {
      if (mine !== generation) return;
      try {
        await sample();
      } catch (err) {
        stats.errors++;
        report({ state: 'error', reason: (err && err.name) || 'Error', message: String((err && err.message) || err) });
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
      tctx.drawImage(video, 0, 0, tw, th);
      const px = tctx.getImageData(0, 0, tw, th).data;
      if (reference && reference.length === px.length) {
        // Mean absolute difference (0-255) and the share of cells that changed clearly.
        let sum = 0;
        let changed = 0;
        const cells = px.length / 4;
        for (let i = 0; i < px.length; i += 4) {
          const d = (Math.abs(px[i] - reference[i]) + Math.abs(px[i + 1] - reference[i + 1]) + Math.abs(px[i + 2] - reference[i + 2])) / 3;
          sum += d;
          if (d > cfg.cellThreshold) changed++;
        }
        stats.lastDiff = sum / cells;
        stats.lastChanged = changed / cells;
        if (stats.lastDiff < cfg.meanThreshold && stats.lastChanged < cfg.changedShare) {
          stats.skipped++;
          return;
        }
      }
      const scale = Math.min(1, cfg.maxWidth / vw);
      full.width = Math.round(vw * scale);
      full.height = Math.round(vh * scale);
      fctx.drawImage(video, 0, 0, full.width, full.height);
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

  function blobToBase64(blob) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).slice(String(reader.result).indexOf(',') + 1));
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
  }

  // ------------------------------------------------------------------ Overshoot: its SDK does the looking

  async function startOvershoot(cam, mine) {
    const o = cfg.overshoot;
    const deviceId = cam.track.getSettings().deviceId;
    const label = cam.track.label;
    // The SDK opens "a camera facing the user/environment"; make that the camera the streamer chose.
    cam.stream.getTracks().forEach((t) => t.stop());
    const md = navigator.mediaDevices;
    if (!md.__pickleOriginalGetUserMedia) md.__pickleOriginalGetUserMedia = md.getUserMedia.bind(md);
    md.getUserMedia = (c) => {
      if (c && c.video) {
        const video = typeof c.video === 'object' ? { ...c.video } : {};
        delete video.facingMode;
        return md.__pickleOriginalGetUserMedia({ ...c, video: { ...constraints(), ...video, deviceId: { exact: deviceId } } });
      }
      return md.__pickleOriginalGetUserMedia(c);
    };

    let mod;
    try {
      mod = await import(o.sdkUrl);
    } catch (err) {
      report({ state: 'down', reason: 'SdkLoadFailed', message: String((err && err.message) || err) });
      retry('sdk');
      return;
    }
    const RealtimeVision = mod.RealtimeVision || (mod.default && mod.default.RealtimeVision);
    if (typeof RealtimeVision !== 'function') {
      report({ state: 'down', reason: 'SdkLoadFailed', message: 'the script loaded but has no RealtimeVision class' });
      retry('sdk');
      return;
    }
    let vision;
    const fail = (err) => {
      if (mine !== generation) return;
      report({ state: 'down', reason: (err && err.name) || 'OvershootError', message: String((err && err.message) || err) });
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
        onResult: (result) => {
          if (mine !== generation) return;
          if (result && result.ok !== false && typeof result.result === 'string' && result.result.trim()) {
            stats.sent++;
            window.pickleScene(result.result).catch(() => {});
          } else if (result && result.ok === false) {
            stats.errors++;
            report({ state: 'error', reason: 'InferenceError', message: String(result.error || 'inference failed') });
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
