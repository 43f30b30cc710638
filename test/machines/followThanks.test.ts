import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { harness } from './harness.ts';
import { followThanksMachine, followersPhrase } from '../../machines/followThanks.ts';

describe('follow thanks batching', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('names two followers and counts the rest', () => {
    expect(followersPhrase(['Ana'])).toBe('Ana');
    expect(followersPhrase(['Ana', 'Bo'])).toBe('Ana and Bo');
    expect(followersPhrase(['Ana', 'Bo', 'Cy'])).toBe('Ana, Bo and 1 other');
    expect(followersPhrase(['Ana', 'Bo', 'Cy', 'Di', 'Ed'])).toBe('Ana, Bo and 3 others');
  });

  it('thanks a burst once, after the window from the first follow', () => {
    // Run under a recording parent: the thanks are sent to the orchestrator.
    const h = harness(followThanksMachine, { windowMs: 5_000 });
    const out = h.out;
    const follow = (name: string, ts: number) =>
      h.send({ type: 'follow.received', follower: { platform: 'twitch', id: `f-${name}`, user: name.toLowerCase(), displayName: name, ts } });
    ['Ana', 'Bo', 'Cy', 'Di', 'Ed'].forEach((n, i) => follow(n, i));
    follow('Ana', 9); // refollow: thanked once
    vi.advanceTimersByTime(4_999);
    expect(out).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(out).toEqual([
      { type: 'stream.event', event: { platform: 'twitch', kind: 'follow', id: 'follows-f-Ana', user: 'ana', displayName: 'Ana, Bo and 3 others', ts: 4, amount: 5 } },
    ]);
    follow('Fay', 20);
    vi.advanceTimersByTime(5_000);
    expect(h.of('stream.event')[1]?.event).toMatchObject({ displayName: 'Fay', amount: 1 });
  });
});
