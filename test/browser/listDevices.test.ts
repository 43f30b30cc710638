import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.ts';
import { listBrowserDevices } from '../../src/browser/listDevices.ts';
import { findBrowser } from '../../src/vision/chrome.ts';

const chrome = findBrowser({ platform: process.platform, env: process.env, chromePath: process.env.CHROME_PATH });

describe.runIf(chrome)('--list-devices through the browser (real Chromium, fake devices)', { timeout: 60_000 }, () => {
  it('lists the microphones and speakers the browser sees, by name', async () => {
    const r = await listBrowserDevices(parseEnv({ CHROME_PATH: chrome!.path, CHROME_ARGS: '--use-fake-device-for-media-stream' }));
    expect(r.ok).toBe(true);
    const text = r.lines.join('\n');
    expect(text).toMatch(/Microphones \(AUDIO_INPUT_DEVICE[^\n]*\n {2}Fake Audio Input 1\n {2}Fake Audio Input 2/);
    expect(text).toMatch(/Speakers \(AUDIO_OUTPUT_DEVICE[^\n]*\n {2}Fake Audio Output 1/);
  });

  it('CHROME_PATH pointing nowhere: not ok, with the fix', async () => {
    const r = await listBrowserDevices(parseEnv({ CHROME_PATH: '/nonexistent/chrome' }));
    expect(r.ok).toBe(false);
    expect(r.lines.join('\n')).toMatch(/CHROME_PATH/);
  });
});
