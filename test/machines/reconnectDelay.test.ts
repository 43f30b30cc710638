import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from '../../machines/reconnect.ts';

describe('reconnectDelayMs', () => {
  const opts = { baseMs: 1_000, maxMs: 30_000 };
  it.each([
    // attempt, random, expected
    [0, 0, 500],
    [0, 1, 1_000],
    [1, 0.5, 1_500],
    [3, 0, 4_000],
    [10, 1, 30_000], // capped
    [10, 0, 15_000], // jitter never collapses to zero
    [1_000, 1, 30_000], // no overflow
  ])('attempt %i with jitter %f -> %i ms', (attempt, r, expected) => {
    expect(reconnectDelayMs(attempt, opts, r)).toBe(expected);
  });

  it('never exceeds the cap whatever jitter it is given', () => {
    for (let a = 0; a < 50; a++) expect(reconnectDelayMs(a, opts, 5)).toBeLessThanOrEqual(30_000);
  });
});
