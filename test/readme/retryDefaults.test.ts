/**
 * The retry figures the README promises, read from the README itself and held against the
 * defaults in code: a change to either without the other fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ttsRetryDelayMs } from '../../machines/ttsRetry.ts';
import { DEEPGRAM_STT_BACKOFF } from '../../src/stt/deepgram.ts';
import { TTS_RETRY_BASE_MS } from '../../src/tts/synthesize.ts';
import { PAGE_BACKOFF, reopenDelay } from '../../machines/browserPage.ts';
import { reconnectDelayMs } from '../../machines/reconnect.ts';
import { VISION_RETRY } from '../../src/vision/index.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');

function figures(re: RegExp): string[] {
  const m = re.exec(readme);
  if (!m) throw new Error(`README no longer says ${re}`);
  return m.slice(1);
}
const seconds = (s: string) => Math.round(Number(s) * 1000);

describe('retry intervals: README = code', () => {
  it('vision: camera every 10 s, model every 15 s', () => {
    const [camera, model] = figures(/camera is retried every (\d+) s and the model every (\d+) s/);
    expect(VISION_RETRY.cameraMs).toBe(seconds(camera!));
    expect(VISION_RETRY.modelMs).toBe(seconds(model!));
  });

  it('a crashed browser: 1 s, 2 s, 4 s… up to 30 s', () => {
    const [a, b, c, max] = figures(/browser that crashes is started again \((\d+) s, (\d+) s, (\d+) s… up to (\d+) s\)/);
    // The browser's backoff has no jitter: base × 2^(failures − 1), capped.
    const delays = [1, 2, 3, 11].map((failures) => reopenDelay(PAGE_BACKOFF, failures));
    expect(delays).toEqual([a, b, c, max].map((s) => seconds(s!)));
  });

  it('TTS: a 429 after 0.2, 0.4, 0.8 and 1.6 s; other failures once after 0.2 s', () => {
    const [p1, p2, p3, p4, once] = figures(/retried up to 4 times after ([\d.]+), ([\d.]+), ([\d.]+) and ([\d.]+) s; server errors and timeouts once after ([\d.]+) s/);
    const pauses = [1, 2, 3, 4, 5].map((n) => ttsRetryDelayMs('rate-limit', true, n, TTS_RETRY_BASE_MS));
    expect(pauses.slice(0, 4)).toEqual([p1, p2, p3, p4].map((s) => seconds(s!)));
    expect(pauses[4]).toBeNull(); // then the local voice
    expect(ttsRetryDelayMs('server', true, 1, TTS_RETRY_BASE_MS)).toBe(seconds(once!));
    expect(ttsRetryDelayMs('timeout', true, 2, TTS_RETRY_BASE_MS)).toBeNull();
  });

  it('hearing: a dropped connection reconnects "within a second or two"', () => {
    expect(readme).toContain('a dropped connection reconnects within a second or two');
    for (const r of [0, 0.5, 1]) {
      expect(reconnectDelayMs(0, DEEPGRAM_STT_BACKOFF, r)).toBeLessThanOrEqual(2_000);
      expect(reconnectDelayMs(1, DEEPGRAM_STT_BACKOFF, r)).toBeLessThanOrEqual(2_000);
    }
  });
});
