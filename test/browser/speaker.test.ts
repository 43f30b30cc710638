import { afterEach, describe, expect, it } from 'vitest';
import { findBrowser } from '../../src/vision/chrome.ts';
import { startRig, type Rig } from '../integration/harness.ts';
import { commandLine, hasProc } from '../vision/procs.ts';

/**
 * AUDIO_OUTPUT=local: the voice plays from a page in Pickle's hidden browser (real Chromium,
 * its fake audio devices), which counts as somebody hearing Pickle.
 */

const chrome = findBrowser({ platform: process.platform, env: process.env, chromePath: process.env.CHROME_PATH });

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const chat = (r: Rig, text: string) =>
  fetch(`${r.pickle.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'sam', text }) });

describe.runIf(chrome)('the voice on this PC through the browser (real Chromium)', { timeout: 60_000 }, () => {
  it('the speaker page plays on the named output; a reply is heard (voice stays up) with no overlay playing', async () => {
    rig = await startRig({
      twitch: false,
      env: { AUDIO_OUTPUT: 'local', AUDIO_OUTPUT_DEVICE: 'output 2', CHROME_PATH: chrome!.path, CHROME_ARGS: '--use-fake-device-for-media-stream' },
    });
    await rig.waitFor(() => rig!.pickle.status.get('audio')?.state === 'up', 20_000, 'the speaker page up');
    expect(rig.pickle.status.get('audio')!.detail).toMatch(/the voice plays on Fake Audio Output 2/);
    await rig.waitFor(() => rig!.pickle.voice.overlay.playing() === 1, 10_000, 'the speaker page playing');
    // Audible: neither Pickle nor puppeteer muted this browser.
    if (hasProc) {
      const cmd = commandLine(rig.pickle.browserPid()!);
      expect(cmd).toMatch(/chrom/i);
      expect(cmd).not.toContain('--mute-audio');
    }
    const spoken: string[] = [];
    rig.pickle.orchestrator.on('reply.spoken', (e) => spoken.push(e.replyId));
    await rig.waitFor(() => rig!.pickle.status.get('llm')?.state === 'up', 5000, 'llm up');
    await chat(rig, 'pickle, can you hear me?');
    await rig.waitFor(() => spoken.length === 1, 15_000, 'a reply spoken');
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.pickle.status.get('voice')).toMatchObject({ state: 'up' });
    expect(rig.pickle.status.get('voice')!.detail).toMatch(/plays in 1 page/);
  });

  it('a speaker name that matches nothing: audio down with the names found and the fix', async () => {
    rig = await startRig({
      twitch: false,
      env: { AUDIO_OUTPUT: 'local', AUDIO_OUTPUT_DEVICE: 'Studio Monitors', CHROME_PATH: chrome!.path, CHROME_ARGS: '--use-fake-device-for-media-stream' },
    });
    await rig.waitFor(() => rig!.pickle.status.get('audio')?.state === 'down', 20_000, 'audio down');
    expect(rig.pickle.status.get('audio')!.detail).toMatch(/no speaker named like "Studio Monitors"/);
    expect(rig.pickle.status.get('audio')!.fix).toMatch(/--list-devices/);
  });
});
