import { describe, expect, it } from 'vitest';
import { DEFAULT_BAITING_RULE, expired, isSilenced, keysFor, lift, noBaiting, strike } from '../../machines/moderation/baiting.ts';

const rule = DEFAULT_BAITING_RULE;
const MIN = 60_000;

describe('baiting rule', () => {
  it('3 blocked replies within 10 minutes silence the viewer for 10 minutes', () => {
    let s = strike(noBaiting, 'twitch:troll', 0, rule).state;
    s = strike(s, 'twitch:troll', 4 * MIN, rule).state;
    expect(isSilenced(s, 'twitch:troll', 4 * MIN)).toBe(false);
    const third = strike(s, 'twitch:troll', 9 * MIN, rule);
    expect(third.silencedUntil).toBe(19 * MIN);
    expect(isSilenced(third.state, 'twitch:troll', 18 * MIN)).toBe(true);
    expect(isSilenced(third.state, 'twitch:troll', 19 * MIN)).toBe(false);
    expect(expired(third.state, 19 * MIN)).toEqual(['twitch:troll']);
    expect(isSilenced(third.state, 'twitch:someone', 10 * MIN)).toBe(false);
  });

  it('strikes older than the window do not count', () => {
    let s = strike(noBaiting, 'twitch:troll', 0, rule).state;
    s = strike(s, 'twitch:troll', 6 * MIN, rule).state;
    const third = strike(s, 'twitch:troll', 11 * MIN, rule);
    expect(third.silencedUntil).toBeUndefined();
  });

  it('the streamer lifts it by login or key; strikes are forgotten', () => {
    let s = noBaiting;
    for (const t of [0, 1, 2]) s = strike(s, 'twitch:troll', t, rule).state;
    expect(keysFor(s, '@Troll')).toEqual(['twitch:troll']);
    expect(keysFor(s, 'twitch:troll')).toEqual(['twitch:troll']);
    s = lift(s, 'twitch:troll');
    expect(isSilenced(s, 'twitch:troll', 3)).toBe(false);
    expect(strike(s, 'twitch:troll', 4, rule).silencedUntil).toBeUndefined();
  });

  it('settings change the numbers', () => {
    const strict = { strikes: 1, windowMs: MIN, silenceMs: 2 * MIN };
    expect(strike(noBaiting, 'youtube:x', 5, strict).silencedUntil).toBe(5 + 2 * MIN);
  });
});
