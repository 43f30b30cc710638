import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import type { PickleEvent } from '../../machines/events.ts';
import { findBrowser } from '../../src/vision/chrome.ts';
import { startRig, type Rig, type RigOptions } from '../integration/harness.ts';
import { BLUE, colourDistance, RED, writeY4m, type Rgb } from '../standins/camera.ts';
import { browserDescendants, hasProc } from './procs.ts';

/**
 * Eyes, end to end: Pickle in-process, the system Chromium headless with a y4m file as its
 * camera, the real `ollama` client against the Ollama stand-in (which decodes the JPEGs it is
 * sent, as a vision model would look at them).
 */

const chrome = findBrowser({ platform: process.platform, env: process.env, chromePath: process.env.CHROME_PATH });
const dir = mkdtempSync(join(tmpdir(), 'pickle-vision-'));
const files = {
  /** The scene changes every 1.5 s: red, blue, red… (4 fps, 6 frames per colour, looped by Chromium). */
  redBlue: join(dir, 'red-blue.y4m'),
  /** A wall that never changes. */
  red: join(dir, 'red.y4m'),
};

beforeAll(() => {
  writeY4m(files.redBlue, { width: 320, height: 240, fps: 4, frames: [...Array(6).fill(RED), ...Array(6).fill(BLUE)] });
  writeY4m(files.red, { width: 320, height: 240, fps: 4, frames: [RED] });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

function meanColour(data: Buffer): Rgb {
  const img = jpeg.decode(data, { useTArray: true });
  let r = 0;
  let g = 0;
  let b = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    r += img.data[i * 4]!;
    g += img.data[i * 4 + 1]!;
    b += img.data[i * 4 + 2]!;
  }
  return { r: r / n, g: g / n, b: b / n };
}

const colourName = (c: Rgb) => (colourDistance(c, RED) < 40 ? 'red' : colourDistance(c, BLUE) < 40 ? 'blue' : `other(${Math.round(c.r)},${Math.round(c.g)},${Math.round(c.b)})`);

async function visionRig(opts: { file?: string; env?: Record<string, string>; vision?: NonNullable<RigOptions['tuning']>['vision']; ollama?: RigOptions['ollama'] } = {}) {
  const r = await startRig({
    twitch: false,
    ...(opts.ollama ? { ollama: opts.ollama } : {}),
    env: {
      VISION_ENABLED: 'true',
      VISION_INTERVAL_SEC: '0.25',
      OLLAMA_VISION_MODEL: 'moondream',
      ...(opts.file ? { VISION_CAMERA_FILE: opts.file } : {}),
      ...(chrome ? { CHROME_PATH: chrome.path } : {}),
      ...opts.env,
    },
    tuning: { vision: { cameraRetryMs: 500, modelRetryMs: 300, backoff: { baseMs: 300, maxMs: 1000 }, ...opts.vision } },
  });
  const events: PickleEvent[] = [];
  r.pickle.orchestrator.on('*', (e) => events.push(e as PickleEvent));
  return { rig: r, events };
}

const visionStatus = (r: Rig) => r.pickle.status.get('vision');

describe.runIf(chrome)('eyes: camera → local vision model (real Chromium, y4m camera)', { timeout: 90_000 }, () => {
  it('a red scene then a blue one reach the model as JPEGs of those colours; an unchanged scene is not sent again', async () => {
    const v = await visionRig({ file: files.redBlue });
    rig = v.rig;
    const colours = () => rig!.ollama.images.map((i) => colourName(meanColour(i.data)));
    // Red, then blue, then red again: two scene changes seen.
    await rig.waitFor(() => colours().length >= 3, 20_000, 'three frames at the model');
    const seen = colours();
    // (Which colour comes first depends on when the page's first look falls in the 3 s loop.)
    expect(seen.every((c) => c === 'red' || c === 'blue')).toBe(true);
    expect(seen.join(',')).toMatch(/red,blue/);
    // Never the same scene twice in a row: the frames in between were compared and skipped.
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1]);
    const stats = await rig.pickle.vision!.stats();
    const page = stats.page as { captured: number; skipped: number; sent: number };
    expect(page.skipped).toBeGreaterThan(0);
    expect(page.captured).toBeGreaterThan(page.sent);
    // What Ollama was asked: the vision model, one image, plain base64 (the stand-in decodes it strictly).
    const req = rig.ollama.chatRequests().find((b) => b.model === 'moondream')!;
    const msgs = req.messages as Array<{ images?: string[] }>;
    expect(msgs[0]!.images).toHaveLength(1);
    expect(msgs[0]!.images![0]).not.toMatch(/^data:/);
    // The descriptions became scenes, and the status says what is watched.
    await rig.waitFor(() => v.events.filter((e) => e.type === 'vision.scene').length >= 2, 10_000, 'two scenes');
    const scenes = v.events.filter((e) => e.type === 'vision.scene').map((e) => (e as { text: string }).text);
    expect(scenes.slice(0, 2).map((t) => /red/.test(t) ? 'red' : /blue/.test(t) ? 'blue' : t)).toEqual(seen.slice(0, 2));
    expect(visionStatus(rig)).toMatchObject({ state: 'up' });
    expect(visionStatus(rig)!.detail).toMatch(/red-blue\.y4m.*moondream/);
  });

  it('a static scene is sent once', async () => {
    const v = await visionRig({ file: files.red });
    rig = v.rig;
    await rig.waitFor(() => rig!.ollama.images.length >= 1, 20_000, 'the first frame');
    // Wait for a dozen more looks at the camera.
    const looked = async () => ((await rig!.pickle.vision!.stats()).page as { captured?: number } | undefined)?.captured ?? 0;
    const start = await looked();
    for (let i = 0; i < 200 && (await looked()) < start + 12; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await looked()).toBeGreaterThanOrEqual(start + 12);
    expect(rig.ollama.images).toHaveLength(1);
    expect(v.events.filter((e) => e.type === 'vision.scene')).toHaveLength(1);
  });

  it('the browser killed mid-run is launched again and frames flow again', async () => {
    const v = await visionRig({ file: files.redBlue });
    rig = v.rig;
    await rig.waitFor(() => rig!.ollama.images.length >= 1, 20_000, 'frames before the kill');
    const pid = rig.pickle.vision!.browserPid()!;
    expect(pid).toBeGreaterThan(0);
    const downs: string[] = [];
    rig.pickle.status.on('change', (s) => s.service === 'vision' && s.state === 'down' && downs.push(s.detail));
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    await rig.waitFor(() => downs.some((d) => /closed unexpectedly.*starting it again/.test(d)), 10_000, 'status down: browser crashed');
    await rig.waitFor(() => rig!.pickle.vision!.browserPid() && rig!.pickle.vision!.browserPid() !== pid, 20_000, 'a new browser');
    await rig.waitFor(() => rig!.ollama.images.some((i) => i.at > killedAt + 100), 20_000, 'frames after the relaunch');
    await rig.waitFor(() => visionStatus(rig!)?.state === 'up', 10_000, 'status up again');
    expect((await rig.pickle.vision!.stats()).launches).toBeGreaterThanOrEqual(2);
  });

  it('no camera, a denied permission, a camera name that matches nothing: status down with the fix', async () => {
    // No fake device: this machine has no camera at all.
    let v = await visionRig();
    rig = v.rig;
    await rig.waitFor(() => visionStatus(rig!)?.state === 'down', 20_000, 'down: no camera');
    expect(visionStatus(rig)).toMatchObject({ detail: 'no camera found' });
    expect(visionStatus(rig)!.fix).toMatch(/OBS Virtual Camera/);
    await rig.stop();

    v = await visionRig({ file: files.red, vision: { chromeArgs: ['--use-fake-ui-for-media-stream=deny'] } });
    rig = v.rig;
    await rig.waitFor(() => visionStatus(rig!)?.state === 'down', 20_000, 'down: permission denied');
    expect(visionStatus(rig)!.detail).toBe('camera permission denied');
    expect(visionStatus(rig)!.fix).toBeTruthy();
    await rig.stop();

    v = await visionRig({ file: files.red, env: { VISION_CAMERA: 'OBS Virtual Camera' } });
    rig = v.rig;
    await rig.waitFor(() => visionStatus(rig!)?.state === 'down', 20_000, 'down: camera name');
    expect(visionStatus(rig)!.detail).toMatch(/no camera named like "OBS Virtual Camera" \(found ".*red\.y4m"\)/);
    expect(visionStatus(rig)!.fix).toMatch(/VISION_CAMERA/);
    expect(rig.ollama.images).toHaveLength(0);
  });

  it('the vision model missing: down with "run `ollama pull moondream`", and up once it is there', async () => {
    const v = await visionRig({ file: files.redBlue, ollama: { models: ['phi3.5:latest'] } });
    rig = v.rig;
    await rig.waitFor(() => visionStatus(rig!)?.state === 'down', 20_000, 'down: model missing');
    expect(visionStatus(rig)!.fix).toBe('run `ollama pull moondream`');
    rig.ollama.models = ['phi3.5:latest', 'moondream:latest'];
    await rig.waitFor(() => rig!.ollama.images.length >= 1, 20_000, 'frames once the model is there');
    await rig.waitFor(() => visionStatus(rig!)?.state === 'up', 10_000, 'status up');
  });

  it('CHROME_PATH pointing nowhere: down with the fix, no browser started', async () => {
    const v = await visionRig({ env: { CHROME_PATH: join(dir, 'no-such-chrome') } });
    rig = v.rig;
    expect(visionStatus(rig)).toMatchObject({ state: 'down' });
    expect(visionStatus(rig)!.detail).toMatch(/CHROME_PATH .* not a program/);
    expect(rig.pickle.vision!.browserPid()).toBeUndefined();
  });
});

describe.runIf(hasProc)('eyes off', () => {
  it('VISION_ENABLED=false (the default) starts no browser', async () => {
    rig = await startRig({ twitch: false });
    await new Promise((r) => setTimeout(r, 1000));
    expect(rig.pickle.vision).toBeUndefined();
    expect(visionStatus(rig)).toMatchObject({ state: 'disabled' });
    expect(browserDescendants(process.pid)).toEqual([]);
    // The camera page is not served either.
    expect((await fetch(`${rig.pickle.url}/vision/capture`)).status).toBe(404);
    expect(existsSync(files.red)).toBe(true);
  });
});
