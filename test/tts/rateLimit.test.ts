/**
 * Deepgram answers 429 above its concurrency limit. Pickle keeps trying with growing pauses
 * (machines/ttsRetry.ts) instead of dropping to the local voice after one retry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RATE_LIMIT_RETRIES, ttsRetryDelayMs } from '../../machines/ttsRetry.ts';
import { silentLogger } from '../../src/log.ts';
import { StatusBoard } from '../../src/status.ts';
import { createDeepgramTts, deepgramSlot } from '../../src/tts/deepgram.ts';
import { espeakSlot } from '../../src/tts/espeak.ts';
import { createSynthesizer } from '../../src/tts/synthesize.ts';
import { startDeepgramStandin, type DeepgramStandin } from '../standins/deepgram.ts';

const KEY = 'rate-test-key';
let dg: DeepgramStandin | undefined;
afterEach(async () => {
  await dg?.close();
  dg = undefined;
});

describe('TTS above the concurrency limit', () => {
  it('five sentences at once against a limit of 2: 429s, then every one spoken by Deepgram', async () => {
    dg = await startDeepgramStandin({ keys: [KEY], maxConcurrent: 2, ttfbMs: 30, msPerChar: 20, realtimeFactor: 4 });
    const status = new StatusBoard();
    const synth = createSynthesizer({
      slots: [deepgramSlot(createDeepgramTts({ apiKey: KEY, url: dg.url })), espeakSlot(undefined)],
      voice: () => ({ model: 'aura-asteria-en', speed: 1, provider: 'deepgram' }),
      status,
      log: silentLogger(),
      retryDelayMs: 100,
    });
    const sentences = ['One, here we go.', 'Two, and so on.', 'Three is a crowd.', 'Four more to come.', 'Five, the last.'];
    const engines = await Promise.all(sentences.map((s) => synth.synthesize(s, new AbortController().signal, () => undefined)));
    expect(engines).toEqual(sentences.map(() => 'deepgram'));
    expect(dg.requests.filter((r) => r.status === 429).length).toBeGreaterThan(0); // the limit did bite
    expect(dg.peakConcurrent).toBeLessThanOrEqual(2);
    for (const s of sentences) expect(dg.requests.filter((r) => r.text === s && r.status === 200)).toHaveLength(1);
    expect(status.get('tts')?.state).toBe('up');
  });

  it('the pauses grow, and give up after a bound; other failures get one retry', () => {
    const pauses = [1, 2, 3, 4, 5].map((n) => ttsRetryDelayMs('rate-limit', true, n, 200));
    expect(pauses).toEqual([200, 400, 800, 1600, null]);
    expect(RATE_LIMIT_RETRIES).toBe(4);
    expect(ttsRetryDelayMs('server', true, 1, 200)).toBe(200);
    expect(ttsRetryDelayMs('server', true, 2, 200)).toBeNull();
    expect(ttsRetryDelayMs('other', false, 1, 200)).toBeNull();
  });
});
