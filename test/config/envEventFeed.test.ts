import { describe, expect, it } from 'vitest';
import { parseEnv, secretsOf } from '../../src/config/env.ts';

describe('event feed settings', () => {
  it("default to Twitch's servers; the broadcaster's tokens are secrets", () => {
    const env = parseEnv({ TWITCH_BROADCASTER_TOKEN: 'oauth:abc123', TWITCH_BROADCASTER_REFRESH_TOKEN: 'ref456' });
    expect(env.TWITCH_EVENTSUB_URL).toBe('wss://eventsub.wss.twitch.tv/ws');
    expect(env.TWITCH_API_URL).toBe('https://api.twitch.tv/helix');
    expect(env.TWITCH_BROADCASTER_TOKEN).toBe('abc123');
    expect(secretsOf(env)).toEqual(expect.arrayContaining(['abc123', 'ref456']));
  });

  it('a malformed URL is one line naming the variable', () => {
    expect(() => parseEnv({ TWITCH_EVENTSUB_URL: 'not a url' })).toThrow(/^TWITCH_EVENTSUB_URL: /);
    expect(() => parseEnv({ TWITCH_API_URL: 'nope' })).toThrow(/^TWITCH_API_URL: /);
  });
});
