import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PickleEvent } from '../../machines/events.ts';
import { findBrowser } from '../../src/vision/chrome.ts';
import { startRig, type Rig } from '../integration/harness.ts';
import { RED, writeY4m } from '../standins/camera.ts';
import { startOvershootStandin, type OvershootStandin } from '../standins/overshoot.ts';

/**
 * The Overshoot path: with OVERSHOOT_API_KEY the camera page loads Overshoot's SDK from its CDN
 * and the SDK does the looking; its results are bridged to Pickle as scenes. Here the CDN and
 * the API are a local stand-in (the real ones cannot be reached from this machine).
 */

const chrome = findBrowser({ platform: process.platform, env: process.env, chromePath: process.env.CHROME_PATH });
const dir = mkdtempSync(join(tmpdir(), 'pickle-overshoot-'));
const camera = join(dir, 'studio-cam.y4m');
const KEY = 'ovs-test-key-123456';

beforeAll(() => writeY4m(camera, { width: 160, height: 120, fps: 4, frames: [RED] }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let rig: Rig | undefined;
let overshoot: OvershootStandin | undefined;
afterEach(async () => {
  await rig?.stop();
  await overshoot?.close();
  rig = undefined;
  overshoot = undefined;
});

async function overshootRig(env: Record<string, string>) {
  const r = await startRig({
    twitch: false,
    env: {
      VISION_ENABLED: 'true',
      VISION_CAMERA_FILE: camera,
      VISION_CAMERA: 'studio-cam',
      OVERSHOOT_API_KEY: KEY,
      ...(chrome ? { CHROME_PATH: chrome.path } : {}),
      ...env,
    },
    tuning: { vision: { cameraRetryMs: 500, backoff: { baseMs: 300, maxMs: 1000 } } },
  });
  const events: PickleEvent[] = [];
  r.pickle.orchestrator.on('*', (e) => events.push(e as PickleEvent));
  return { rig: r, events };
}

describe.runIf(chrome)('eyes: the Overshoot SDK in the camera page (CDN + API stand-in)', { timeout: 90_000 }, () => {
  it('loads the SDK from OVERSHOOT_SDK_URL, authenticates with the key, and its results become scenes', async () => {
    overshoot = await startOvershootStandin({ apiKeys: [KEY] });
    const v = await overshootRig({ OVERSHOOT_SDK_URL: overshoot.sdkUrl, OVERSHOOT_API_URL: overshoot.url });
    rig = v.rig;
    await rig.waitFor(() => v.events.some((e) => e.type === 'vision.scene'), 20_000, 'a scene from Overshoot');
    const scene = v.events.find((e) => e.type === 'vision.scene') as { text: string };
    expect(scene.text).toBe('The view is filled by a plain red surface.');
    expect(overshoot.sdkLoads).toBe(1);
    expect(overshoot.streams[0]).toMatchObject({ authorization: `Bearer ${KEY}` });
    expect(overshoot.streams[0]!.prompt).toMatch(/live stream camera/);
    await rig.waitFor(() => rig!.pickle.status.get('vision')?.state === 'up', 10_000, 'status up');
    expect(rig.pickle.status.get('vision')!.detail).toMatch(/studio-cam\.y4m.*Overshoot/);
    // The same result every second is one scene, not a stream of them; nothing went to Ollama.
    await rig.waitFor(() => overshoot!.results.length >= 3, 10_000, 'more results');
    expect(v.events.filter((e) => e.type === 'vision.scene')).toHaveLength(1);
    expect(rig.ollama.images).toHaveLength(0);
    // The page may load the SDK and talk to the API, and nothing else.
    const csp = (await fetch(`${rig.pickle.url}/vision/capture`)).headers.get('content-security-policy')!;
    expect(csp).toContain(`script-src 'self' ${overshoot.sdkUrl};`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(overshoot.url.replace('http', 'ws'));
  });

  it('the SDK cannot be loaded: status down saying so, with the fix', async () => {
    overshoot = await startOvershootStandin({ apiKeys: [KEY] });
    const gone = overshoot.sdkUrl;
    await overshoot.close();
    overshoot = undefined;
    const v = await overshootRig({ OVERSHOOT_SDK_URL: gone, OVERSHOOT_API_URL: gone.replace(/\/sdk.*$/, '') });
    rig = v.rig;
    await rig.waitFor(() => rig!.pickle.status.get('vision')?.state === 'down', 20_000, 'down');
    expect(rig.pickle.status.get('vision')).toMatchObject({ detail: `could not load the Overshoot SDK from ${gone}` });
    expect(rig.pickle.status.get('vision')!.fix).toMatch(/internet connection .*OVERSHOOT_SDK_URL/);
  });

  it('a key Overshoot refuses: status down, "check OVERSHOOT_API_KEY"', async () => {
    overshoot = await startOvershootStandin({ apiKeys: ['another-key-000000'] });
    const v = await overshootRig({ OVERSHOOT_SDK_URL: overshoot.sdkUrl, OVERSHOOT_API_URL: overshoot.url });
    rig = v.rig;
    await rig.waitFor(() => rig!.pickle.status.get('vision')?.state === 'down', 20_000, 'down');
    expect(rig.pickle.status.get('vision')).toMatchObject({ detail: 'Overshoot refused the API key', fix: 'check OVERSHOOT_API_KEY (https://overshoot.ai)' });
    expect(v.events.filter((e) => e.type === 'vision.scene')).toHaveLength(0);
  });
});
