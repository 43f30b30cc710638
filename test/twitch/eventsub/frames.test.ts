import { describe, expect, it } from 'vitest';
import { parseFrame, readFollow, readRedemption } from '../../../src/twitch/eventsub/frames.ts';

const frame = (type: string, payload: unknown, extra: Record<string, string> = {}) =>
  JSON.stringify({ metadata: { message_id: 'm1', message_type: type, message_timestamp: '2026-11-30T12:00:00.123456789Z', ...extra }, payload });

describe('EventSub frames', () => {
  it('reads the message types Twitch sends', () => {
    expect(parseFrame(frame('session_welcome', { session: { id: 's1', status: 'connected', keepalive_timeout_seconds: 10, reconnect_url: null } }))).toEqual({ kind: 'welcome', messageId: 'm1', sessionId: 's1', keepaliveSec: 10 });
    expect(parseFrame(frame('session_keepalive', {}))).toEqual({ kind: 'keepalive', messageId: 'm1' });
    expect(parseFrame(frame('session_reconnect', { session: { id: 's1', status: 'reconnecting', keepalive_timeout_seconds: null, reconnect_url: 'wss://x/ws?id=1' } }))).toEqual({ kind: 'reconnect', messageId: 'm1', url: 'wss://x/ws?id=1' });
    expect(parseFrame(frame('notification', { subscription: { type: 'channel.follow' }, event: { user_id: '1' } }, { subscription_type: 'channel.follow' }))).toEqual({ kind: 'notification', messageId: 'm1', subscriptionType: 'channel.follow', event: { user_id: '1' } });
    expect(parseFrame(frame('revocation', { subscription: { type: 'channel.follow', status: 'authorization_revoked' } }))).toEqual({ kind: 'revocation', messageId: 'm1', subscriptionType: 'channel.follow', status: 'authorization_revoked' });
  });

  it('anything malformed is unknown, never a throw', () => {
    for (const bad of ['', 'not json', '[]', 'null', frame('session_welcome', { session: {} }), frame('session_reconnect', {}), frame('something_new', {})]) {
      expect(parseFrame(bad)).toEqual({ kind: 'unknown' });
    }
  });

  it('reads redemptions and follows; incomplete ones are dropped', () => {
    expect(readRedemption({ id: 'r', user_id: '7', user_login: 'Ana', user_name: 'Ána', user_input: 'hi', reward: { id: 'w', title: 'Ask Pickle' }, redeemed_at: 't' })).toEqual({
      id: 'r', userId: '7', userLogin: 'ana', userName: 'Ána', userInput: 'hi', rewardId: 'w', rewardTitle: 'Ask Pickle', redeemedAt: 't',
    });
    expect(readRedemption({ id: 'r', user_login: 'ana' })).toBeUndefined();
    expect(readFollow({ user_id: '1', user_login: 'Bo', user_name: 'Bo', followed_at: 't' })).toEqual({ userId: '1', userLogin: 'bo', userName: 'Bo', followedAt: 't' });
    expect(readFollow({ user_login: 'bo' })).toBeUndefined();
  });
});
