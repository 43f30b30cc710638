import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.ts';
import { launchArgs } from '../../src/vision/browser.ts';
import { browserCandidates, findBrowser } from '../../src/vision/chrome.ts';
import { cameraFault, overshootCsp } from '../../src/vision/index.ts';
import { cleanScene } from '../../src/vision/ollamaVision.ts';
import { rgbToYuv } from '../standins/camera.ts';

describe('finding the streamer\'s browser', () => {
  it('CHROME_PATH wins, even over an installed browser', () => {
    expect(findBrowser({ platform: 'linux', env: { PATH: '/usr/bin' }, chromePath: '/my/chrome', exists: () => true })).toEqual({
      path: '/my/chrome',
      source: 'CHROME_PATH',
    });
  });

  it.each([
    ['linux', { PATH: '/usr/local/bin:/usr/bin' }, ['/usr/bin/chromium'], '/usr/bin/chromium'],
    ['linux', { PATH: '/usr/bin' }, ['/usr/bin/chromium', '/usr/bin/google-chrome'], '/usr/bin/google-chrome'],
    ['linux', { PATH: '/usr/bin' }, ['/snap/bin/chromium'], '/snap/bin/chromium'],
    ['linux', { PATH: '/usr/bin' }, ['/usr/bin/microsoft-edge'], '/usr/bin/microsoft-edge'],
    ['darwin', {}, ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'], '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'],
    ['darwin', {}, ['/Users/sam/Applications/Chromium.app/Contents/MacOS/Chromium'], '/Users/sam/Applications/Chromium.app/Contents/MacOS/Chromium'],
    [
      'win32',
      { PROGRAMFILES: 'C:\\Program Files', 'PROGRAMFILES(X86)': 'C:\\Program Files (x86)', LOCALAPPDATA: 'C:\\Users\\sam\\AppData\\Local' },
      ['C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe'],
      'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
    ],
    [
      'win32',
      { LOCALAPPDATA: 'C:\\Users\\sam\\AppData\\Local' },
      ['C:\\Users\\sam\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe', 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe'],
      'C:\\Users\\sam\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe',
    ],
  ] as const)('%s with %j installed → %s', (platform, env, installed, expected) => {
    const found = findBrowser({ platform, env, home: '/Users/sam', exists: (p) => (installed as readonly string[]).includes(p) });
    expect(found).toEqual({ path: expected, source: 'auto' });
  });

  it('none installed → undefined', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(findBrowser({ platform, env: { PATH: '/usr/bin' }, exists: () => false })).toBeUndefined();
      expect(browserCandidates({ platform, env: { PATH: '/usr/bin' } }).length).toBeGreaterThan(2);
    }
  });
});

describe('camera faults → what the streamer reads', () => {
  const ctx = { platform: 'linux' as const, camera: 'OBS Virtual Camera', sdkUrl: 'https://cdn.example/sdk.mjs', retrySec: 10 };
  it.each([
    ['NotAllowedError', 'camera permission denied', /video/],
    ['NotFoundError', 'no camera found', /OBS Virtual Camera/],
    ['NotReadableError', 'the camera is busy or not responding', /close the other app/],
    ['TrackEnded', 'the camera stopped sending pictures', /retries every 10 s/],
    ['SdkLoadFailed', 'could not load the Overshoot SDK from https://cdn.example/sdk.mjs', /OVERSHOOT_SDK_URL/],
    ['UnauthorizedError', 'Overshoot refused the API key', /OVERSHOOT_API_KEY/],
  ])('%s', (reason, detail, fix) => {
    const f = cameraFault({ state: 'down', reason, message: 'x' }, ctx);
    expect(f.detail).toBe(detail);
    expect(f.fix).toMatch(fix);
  });

  it('a camera name that matches nothing lists the cameras there are', () => {
    const f = cameraFault({ state: 'down', reason: 'CameraNotFound', cameras: ['FaceTime HD Camera', 'Capture Card 4K'] }, ctx);
    expect(f.detail).toBe('no camera named like "OBS Virtual Camera" (found "FaceTime HD Camera", "Capture Card 4K")');
    expect(f.fix).toMatch(/VISION_CAMERA/);
  });

  it('permission advice per OS', () => {
    expect(cameraFault({ state: 'down', reason: 'NotAllowedError' }, { ...ctx, platform: 'darwin' }).fix).toMatch(/Privacy & Security → Camera/);
    expect(cameraFault({ state: 'down', reason: 'NotAllowedError' }, { ...ctx, platform: 'win32' }).fix).toMatch(/desktop apps/);
  });
});

describe('small pieces', () => {
  it('launch switches: the caller\'s version of a switch replaces the default one', () => {
    const args = launchArgs(['--use-fake-ui-for-media-stream=deny', '--use-fake-device-for-media-stream'], { noSandbox: false });
    expect(args.filter((a) => a.startsWith('--use-fake-ui-for-media-stream'))).toEqual(['--use-fake-ui-for-media-stream=deny']);
    expect(args).toContain('--use-fake-device-for-media-stream');
    expect(args).not.toContain('--no-sandbox');
    expect(launchArgs([], { noSandbox: true })).toContain('--no-sandbox');
  });

  it('scene text is one clean, bounded line', () => {
    expect(cleanScene('  "A cat\u0000 on a\n\nmat."\u202e ')).toBe('A cat on a mat.');
    const long = cleanScene('word '.repeat(200));
    expect(long.length).toBeLessThanOrEqual(281);
    expect(long.endsWith('…')).toBe(true);
    expect(cleanScene(' \n ')).toBe('');
  });

  it('VISION_INTERVAL_SEC: 2 by default, seconds within bounds', () => {
    expect(parseEnv({}).VISION_INTERVAL_SEC).toBe(2);
    expect(parseEnv({ VISION_INTERVAL_SEC: '0.5' }).VISION_INTERVAL_SEC).toBe(0.5);
    expect(() => parseEnv({ VISION_INTERVAL_SEC: 'often' })).toThrow(/VISION_INTERVAL_SEC: expected seconds/);
    expect(() => parseEnv({ VISION_INTERVAL_SEC: '0' })).toThrow(/VISION_INTERVAL_SEC/);
  });

  it('the Overshoot page may load the SDK from its CDN and reach only Overshoot', () => {
    const env = parseEnv({ OVERSHOOT_API_KEY: 'k-123456789' });
    const csp = overshootCsp(env, '127.0.0.1:8000');
    expect(csp).toContain("script-src 'self' https://cdn.jsdelivr.net/npm/overshoot@2.0.0-alpha.5/dist/index.mjs;");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:8000 .*wss:\/\/\*\.overshoot\.ai/);
    expect(csp).not.toContain('unsafe-inline');
  });

  it('y4m colours: BT.601 studio swing', () => {
    expect(rgbToYuv({ r: 255, g: 0, b: 0 })).toEqual({ y: 81, u: 90, v: 240 });
    expect(rgbToYuv({ r: 0, g: 0, b: 0 })).toEqual({ y: 16, u: 128, v: 128 });
    expect(rgbToYuv({ r: 255, g: 255, b: 255 })).toEqual({ y: 235, u: 128, v: 128 });
  });
});
