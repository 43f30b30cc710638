/**
 * Eyes: Pickle looks through the streamer's camera.
 *
 * The streamer's Chrome/Chromium/Edge runs headless and opens Pickle's camera page (served
 * by Pickle on 127.0.0.1). The page samples the camera every VISION_INTERVAL_SEC, compares a
 * tiny thumbnail with the last frame that was described, and hands over only frames that
 * changed; Pickle asks the local vision model (OLLAMA_VISION_MODEL) for one sentence and
 * sends it on as a `vision.scene` event. With OVERSHOOT_API_KEY the page runs the Overshoot
 * SDK instead and its descriptions come back the same way.
 *
 * Faults end up on the status board as `vision: down` with the step that fixes them; the
 * browser is restarted when it dies, the camera reopened when it goes away.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { PickleEvent } from '../../machines/events.ts';
import { FRAME_CHANGE } from '../../machines/visionFrames.ts';
import { standaloneChildren, tell, type ChildHost } from '../children.ts';
import type { Env } from '../config/env.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import type { SharedBrowser } from '../browser/shared.ts';
import { createCameraBrowser, type CameraBrowser } from './browser.ts';
import { findBrowser, installHint, isRunnable } from './chrome.ts';
import { cleanScene, createOllamaVision, DEFAULT_VISION_MODEL, SCENE_PROMPT, type SceneDescriber, VisionError } from './ollamaVision.ts';
import type { FrameInfo, PageConfig, PageReport, VisionFault } from './types.ts';
import { cameraFault } from './faults.ts';
import { clip } from '../../machines/text.ts';
import { overshootCsp, urlOrigin } from './csp.ts';

export { overshootCsp };

export { cameraFault } from './faults.ts';

/** How often a missing camera and a missing vision model are looked for again (README "Vision"). */
export const VISION_RETRY = { cameraMs: 10_000, modelMs: 15_000 };
export { DEFAULT_VISION_MODEL } from './ollamaVision.ts';

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));

export interface VisionTuning {
  /** Overrides VISION_INTERVAL_SEC (ms). */
  intervalMs?: number;
  /** How often the page retries a camera that failed. Default 10 000. */
  cameraRetryMs?: number;
  /** Browser relaunch backoff. Default 1 000 → 30 000. */
  backoff?: { baseMs: number; maxMs: number };
  stableMs?: number;
  /** After the vision model failed (missing, Ollama down), frames wait this long. Default 15 000. */
  modelRetryMs?: number;
  analysisTimeoutMs?: number;
  /** Extra browser switches (tests: a fake camera, a denied permission). */
  chromeArgs?: string[];
  /** Page change detection (see PageConfig). */
  page?: Partial<Pick<PageConfig, 'thumbWidth' | 'meanThreshold' | 'cellThreshold' | 'changedShare' | 'maxWidth' | 'jpegQuality' | 'captureWidth' | 'frameRate'>>;
}

export interface VisionOptions {
  env: Env;
  status: StatusBoard;
  log: Logger;
  /** Pickle's server, where the camera page is served (`createVisionRoutes`). */
  baseUrl: string;
  /** Where the scenes go without `children` (the frames' machine sends them to its parent: in Pickle, the orchestrator). */
  send: (event: PickleEvent) => void;
  now?: () => number;
  platform?: NodeJS.Platform;
  tuning?: VisionTuning;
  /** The hidden browser shared with the other senses (default: one of its own). */
  shared?: SharedBrowser;
  /** Eyes are turned off (privacy): no browser, no camera until `resume`. */
  paused?: boolean;
  /** Where the frames' machine runs (in Pickle: the orchestrator's children). */
  children?: ChildHost;
}

export interface VisionStats {
  /** Counted by the camera page: frames looked at, skipped as unchanged, handed to Pickle. */
  page?: Record<string, unknown>;
  /** Frames Pickle received / got a description for / turned away (busy, model down). */
  framesReceived: number;
  framesDescribed: number;
  framesRefused: number;
  analysisErrors: number;
  scenes: number;
  /** Descriptions that said the same as the previous one (not sent on). */
  scenesRepeated: number;
  launches: number;
  browserPid?: number;
}

export interface VisionService {
  readonly backend: 'ollama' | 'overshoot';
  /** Eyes off: the camera page closes (its track stops); `/health` says `paused`. */
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<void>;
  browserPid(): number | undefined;
  stats(): Promise<VisionStats>;
}

/** The camera page and its script. The Overshoot mode lets the page load the SDK and reach the API. */
export function createVisionRoutes(env: Env): express.Router {
  const router = express.Router();
  const overshoot = Boolean(env.OVERSHOOT_API_KEY);
  router.get('/vision/capture', (req, res, next) => {
    if (overshoot) res.set('Content-Security-Policy', overshootCsp(env, req.headers.host ?? '127.0.0.1'));
    res.set('Cache-Control', 'no-store');
    res.sendFile('capture.html', { root: PAGE_DIR }, (err) => err && next(err));
  });
  router.get('/vision/capture.js', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    res.type('text/javascript');
    res.sendFile('capture.js', { root: PAGE_DIR }, (err) => err && next(err));
  });
  return router;
}

/** Pickle's other routes plus the camera page (only when VISION_ENABLED). */
export function withVisionRoutes(env: Env, routes?: express.Router): express.Router | undefined {
  if (!env.VISION_ENABLED) return routes;
  const all = express.Router();
  if (routes) all.use(routes);
  all.use(createVisionRoutes(env));
  return all;
}

/** How the streamer turns eyes back on. */
export const VISION_RESUME = 'turn eyes on in the panel (Senses), type `!privacy off` in chat, or PUT /api/settings/senses {"eyes": true}';


export function startVision(opts: VisionOptions): VisionService {
  const { env, status, send } = opts;
  const log = opts.log.child({ service: 'vision' });
  const now = opts.now ?? (() => Date.now());
  const platform = opts.platform ?? process.platform;
  const tuning = opts.tuning ?? {};
  const backend: VisionService['backend'] = env.OVERSHOOT_API_KEY ? 'overshoot' : 'ollama';
  const intervalMs = tuning.intervalMs ?? Math.round(env.VISION_INTERVAL_SEC * 1000);
  const cameraRetryMs = tuning.cameraRetryMs ?? VISION_RETRY.cameraMs;
  const modelRetryMs = tuning.modelRetryMs ?? VISION_RETRY.modelMs;
  const model = env.OLLAMA_VISION_MODEL ?? DEFAULT_VISION_MODEL;
  const describer: SceneDescriber | undefined =
    backend === 'ollama'
      ? createOllamaVision({ host: env.OLLAMA_HOST!, model, ...(tuning.analysisTimeoutMs ? { timeoutMs: tuning.analysisTimeoutMs } : {}) })
      : undefined;
  const seenBy = backend === 'ollama' ? model : 'Overshoot';
  const ctrl = new AbortController();

  const counters = { framesReceived: 0, framesDescribed: 0, framesRefused: 0, analysisErrors: 0, scenes: 0, scenesRepeated: 0 };
  const faults: { setup?: VisionFault; browser?: VisionFault; camera?: VisionFault; model?: VisionFault } = {};
  let camera: PageReport | undefined;
  let stopped = false;
  // Which frames are described and which scenes go on is the frames' machine's (machines/visionFrames.ts).
  const children = opts.children ?? standaloneChildren(send);
  const frames = children.start({ src: 'visionFrames', systemId: 'visionFrames', input: { modelRetryMs } });
  /** Set while `frame.arrived` is handled: the machine's answer for this frame. */
  let granted = false;
  frames.on('frame.describe', () => (granted = true));
  frames.on('frame.refused', () => counters.framesRefused++);
  frames.on('scene.repeated', () => counters.scenesRepeated++);
  frames.on('scene.new', ({ text }) => {
    if (stopped) return;
    counters.scenes++;
    log.info({ event: 'vision.scene', chars: text.length }, 'scene');
  });
  let paused = opts.paused ?? false;

  function refresh(): void {
    if (stopped) return;
    if (paused) {
      status.set('vision', 'paused', 'eyes off: Pickle is not looking through your camera', { fix: VISION_RESUME });
      return;
    }
    const fault = faults.setup ?? faults.browser ?? faults.camera ?? faults.model;
    if (fault) status.set('vision', 'down', fault.detail, fault.fix ? { fix: fault.fix, lastError: fault.detail } : { lastError: fault.detail });
    else if (!camera) status.set('vision', 'starting', 'opening the camera…');
    else {
      const size = camera.width && camera.height ? ` ${camera.width}×${camera.height}` : '';
      status.set('vision', 'up', `watching "${clip(camera.label ?? 'camera', 60)}"${size} every ${intervalMs / 1000} s with ${seenBy}`);
    }
  }

  /** A description from the page's own model (Overshoot): the machine says whether it is news. */
  function emitScene(raw: string): void {
    const text = cleanScene(raw);
    if (!text || stopped) return;
    tell(frames, { type: 'scene.described', text, ts: now() });
  }

  async function onFrame(b64: string, info: FrameInfo): Promise<{ accepted: boolean }> {
    counters.framesReceived++;
    const jpeg = Buffer.from(b64, 'base64');
    if (!describer || stopped) {
      counters.framesRefused++;
      return { accepted: false };
    }
    if (jpeg.length < 100 || jpeg.length > 8_000_000 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) {
      counters.framesRefused++;
      log.warn({ event: 'vision.frame', bytes: jpeg.length }, 'camera page sent something that is not a JPEG');
      return { accepted: false };
    }
    granted = false;
    tell(frames, { type: 'frame.arrived' });
    if (!granted) return { accepted: false };
    const started = performance.now();
    try {
      const text = cleanScene(await describer.describe(jpeg, ctrl.signal));
      counters.framesDescribed++;
      log.debug({ event: 'vision.frame', bytes: jpeg.length, ms: Math.round(performance.now() - started), diff: info.diff }, 'frame described');
      if (faults.model) {
        faults.model = undefined;
        refresh();
      }
      tell(frames, text ? { type: 'frame.described', text, ts: now() } : { type: 'frame.failed', modelDown: false });
      return { accepted: true };
    } catch (err) {
      if (stopped) return { accepted: false };
      counters.analysisErrors++;
      const e = err instanceof VisionError ? err : new VisionError('server', String(err));
      log.warn({ event: 'vision.frame', kind: e.kind, err: e.message }, 'frame not described');
      const modelDown = e.kind === 'unreachable' || e.kind === 'model-missing' || e.kind === 'not-vision';
      if (modelDown) {
        faults.model = e.fix ? { detail: e.message, fix: e.fix } : { detail: e.message };
        refresh();
      }
      tell(frames, { type: 'frame.failed', modelDown });
      return { accepted: false };
    }
  }

  function onReport(report: PageReport): void {
    if (stopped || paused) return;
    if (report.state === 'up') {
      camera = report;
      faults.camera = undefined;
      log.info({ event: 'vision.camera', label: report.label, width: report.width, height: report.height, fps: report.frameRate }, 'camera open');
    } else if (report.state === 'down') {
      camera = undefined;
      faults.camera = cameraFault(report, {
        platform,
        camera: env.VISION_CAMERA,
        ...(env.OVERSHOOT_SDK_URL ? { sdkUrl: env.OVERSHOOT_SDK_URL } : {}),
        retrySec: Math.round(cameraRetryMs / 1000),
      });
      log.warn({ event: 'vision.camera', reason: report.reason, err: clip(report.message ?? '', 200) }, 'camera down');
    } else {
      log.warn({ event: 'vision.page', reason: report.reason, err: clip(report.message ?? '', 200) }, 'camera page error');
      return;
    }
    refresh();
  }

  let browser: CameraBrowser | undefined;
  status.set('vision', 'starting', 'looking for a browser…');

  // Which browser, and is the camera file there?
  const found = findBrowser({ platform, env: process.env, chromePath: env.CHROME_PATH });
  const extraArgs = [...(tuning.chromeArgs ?? [])];
  if (!found) {
    faults.setup = { detail: 'no Chrome, Chromium or Edge found (Pickle looks through your camera with one)', fix: installHint(platform) };
  } else if (found.source === 'CHROME_PATH' && !isRunnable(found.path)) {
    faults.setup = { detail: `CHROME_PATH is "${clip(found.path, 120)}", which is not a program`, fix: 'set CHROME_PATH to your Chrome/Chromium/Edge executable, or remove it to let Pickle look' };
  } else if (env.VISION_CAMERA_FILE) {
    const file = resolve(env.VISION_CAMERA_FILE);
    if (!existsSync(file)) faults.setup = { detail: `VISION_CAMERA_FILE "${clip(file, 120)}" does not exist`, fix: 'point VISION_CAMERA_FILE to a .y4m or .mjpeg file, or remove it to use the camera' };
    else extraArgs.unshift('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${file}`);
  }

  // Browsers give cameras only to secure pages; a loopback http page counts, a LAN address does not.
  const pageOrigin = urlOrigin(opts.baseUrl);
  if (pageOrigin && !/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(pageOrigin)) {
    extraArgs.unshift(`--unsafely-treat-insecure-origin-as-secure=${pageOrigin}`);
  }

  if (faults.setup) {
    refresh();
    log.warn({ event: 'vision.setup', detail: faults.setup.detail }, 'vision cannot start');
  } else {
    const config: PageConfig = {
      backend,
      camera: env.VISION_CAMERA ?? null,
      intervalMs,
      retryMs: cameraRetryMs,
      captureWidth: 1280,
      frameRate: 5,
      ...FRAME_CHANGE,
      maxWidth: 640,
      jpegQuality: 0.8,
      ...tuning.page,
      ...(backend === 'overshoot'
        ? {
            overshoot: {
              sdkUrl: env.OVERSHOOT_SDK_URL!,
              apiUrl: env.OVERSHOOT_API_URL ?? 'https://api.overshoot.ai',
              apiKey: env.OVERSHOOT_API_KEY!,
              prompt: SCENE_PROMPT,
            },
          }
        : {}),
    };
    browser = createCameraBrowser({
      ...(opts.shared ? { shared: opts.shared } : {}),
      executablePath: found!.path,
      pageUrl: `${opts.baseUrl}/vision/capture`,
      extraArgs,
      config,
      log,
      ...(tuning.backoff ? { backoff: tuning.backoff } : {}),
      ...(tuning.stableMs ? { stableMs: tuning.stableMs } : {}),
      onReport,
      onFrame,
      onScene: (text) => emitScene(text),
      onBrowser: (b) => {
        if (paused) return;
        if (b.state === 'up') faults.browser = undefined;
        else if (b.state === 'launching') {
          if (!faults.browser) status.set('vision', 'starting', 'starting the browser…');
          return;
        } else {
          camera = undefined;
          const wait = b.retryInMs !== undefined ? `; starting it again in ${Math.max(1, Math.round(b.retryInMs / 1000))} s` : '';
          faults.browser = {
            detail: `${b.detail}${b.error ? ` (${clip(b.error, 120)})` : ''}${wait}`,
            fix: b.state === 'failed' ? `check that ${clip(found!.path, 80)} starts (or set CHROME_PATH to another browser)` : 'nothing to do: Pickle restarts it',
          };
        }
        refresh();
      },
    });
    log.info({ event: 'vision.start', backend, browser: found!.path, model: backend === 'ollama' ? model : undefined, intervalMs }, 'vision starting');
    if (paused) refresh();
    else browser.start();
    // Say early when the model is missing, instead of at the first frame.
    if (describer) {
      void describer.check(ctrl.signal).then((e) => {
        if (!e || stopped) return;
        faults.model = e.fix ? { detail: e.message, fix: e.fix } : { detail: e.message };
        refresh();
      });
    }
  }

  return {
    backend,
    async pause() {
      if (paused) return;
      paused = true;
      camera = undefined;
      faults.browser = faults.camera = undefined;
      refresh();
      await browser?.stop();
      refresh();
    },
    resume() {
      if (!paused) return;
      paused = false;
      refresh();
      browser?.start();
    },
    async stop() {
      stopped = true;
      ctrl.abort();
      children.stop('visionFrames');
      await browser?.stop();
    },
    browserPid: () => browser?.pid(),
    async stats() {
      const page = await browser?.pageStats();
      const pid = browser?.pid();
      return { ...counters, ...(page ? { page } : {}), launches: browser?.launches ?? 0, ...(pid ? { browserPid: pid } : {}) };
    },
  };
}
