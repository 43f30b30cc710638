import { describe, expect, it } from 'vitest';
import { afterFailure, enginesToTry } from '../../machines/voiceEngines.ts';

describe('voice engines: the fallback order and what a failure means', () => {
  const order = ['deepgram', 'espeak'];

  it('tries the preferred engine and those after it, skipping engines turned off', () => {
    expect(enginesToTry(order, 'deepgram', new Set())).toEqual(['deepgram', 'espeak']);
    expect(enginesToTry(order, 'espeak', new Set())).toEqual(['espeak']); // a persona asking for the local voice never wakes the cloud one
    expect(enginesToTry(order, 'deepgram', new Set(['deepgram']))).toEqual(['espeak']);
    expect(enginesToTry(order, 'elevenlabs', new Set())).toEqual(order); // an engine that is not configured: the whole list
    expect(enginesToTry([], 'deepgram', new Set())).toEqual([]); // captions only
  });

  it('a refused key or no credit turns the engine off; a 429 is asked again with growing pauses', () => {
    expect(afterFailure({ kind: 'auth', retryable: false }, 1, false, 200)).toEqual({ step: 'next', turnOff: true });
    expect(afterFailure({ kind: 'payment', retryable: false }, 1, false, 200)).toEqual({ step: 'next', turnOff: true });
    expect([1, 2, 3, 4, 5].map((n) => afterFailure({ kind: 'rate-limit', retryable: true }, n, false, 200))).toEqual([
      { step: 'retry', pauseMs: 200 },
      { step: 'retry', pauseMs: 400 },
      { step: 'retry', pauseMs: 800 },
      { step: 'retry', pauseMs: 1600 },
      { step: 'next', turnOff: false },
    ]);
    expect(afterFailure({ kind: 'server', retryable: true }, 1, false, 200)).toEqual({ step: 'retry', pauseMs: 200 });
    expect(afterFailure({ kind: 'server', retryable: true }, 2, false, 200)).toEqual({ step: 'next', turnOff: false });
  });

  it('once part of a sentence was heard it is cut, never repeated; a cut reply stops', () => {
    expect(afterFailure({ kind: 'server', retryable: true }, 1, true, 200)).toEqual({ step: 'cut' });
    expect(afterFailure({ kind: 'auth', retryable: false }, 1, true, 200)).toEqual({ step: 'cut' });
    expect(afterFailure({ kind: 'aborted', retryable: false }, 1, true, 200)).toEqual({ step: 'stop' });
  });
});
