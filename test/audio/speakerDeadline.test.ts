import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { startLocalSpeaker } from '../../src/audio/localSpeaker.ts';
import type { SharedBrowser } from '../../src/browser/shared.ts';
import { silentLogger } from '../../src/log.ts';
import { StatusBoard } from '../../src/status.ts';

/**
 * AUDIO_OUTPUT=local whose voice page never answers (a browser that hangs while starting):
 * `audio` leaves `starting` at its deadline with a clear `down`, never sooner, on a fake clock.
 */
describe('the voice page that never answers', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('audio: starting until the deadline, then down saying the page did not answer, with the fix', async () => {
    const hanging: SharedBrowser = {
      executablePath: '/usr/bin/hanging-browser',
      acquire: () => new Promise<Browser>(() => {}),
      release: async () => {},
      holders: () => ['speaker'],
      pid: () => undefined,
      launches: 1,
    };
    const status = new StatusBoard();
    const speaker = startLocalSpeaker({ shared: hanging, baseUrl: 'http://127.0.0.1:1', key: 'k', log: silentLogger(), status, answerMs: 10_000 });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(status.get('audio')).toMatchObject({ state: 'starting' });
    await vi.advanceTimersByTimeAsync(1);
    expect(status.get('audio')).toMatchObject({ state: 'down', detail: 'the voice page did not answer within 10 s: the voice does not play on this PC' });
    expect(status.get('audio')!.fix).toMatch(/npm run doctor/);
    void speaker.stop();
  });
});
