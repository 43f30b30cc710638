import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { eventFeedMachine, keepaliveDeadline, type EventFeedCommand } from '../../machines/eventsub.ts';

function start() {
  const actor = createActor(eventFeedMachine, { input: { url: 'wss://feed/ws', backoff: { baseMs: 1000, maxMs: 8000 }, random: () => 0 } });
  const out: EventFeedCommand[] = [];
  actor.on('*', (e) => out.push(e));
  actor.start();
  actor.send({ type: 'feed.start' });
  const of = <T extends EventFeedCommand['type']>(type: T) => out.filter((e): e is Extract<EventFeedCommand, { type: T }> => e.type === type);
  return { actor, out, of };
}

/** Connects conn 1, welcomes it and confirms the subscriptions. */
function goLive(h: ReturnType<typeof start>, sessionId = 's1', conn = 1) {
  h.actor.send({ type: 'socket.welcome', conn, sessionId, keepaliveSec: 10 });
  h.actor.send({ type: 'subscribe.done', sessionId });
}

describe('event feed connection machine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('connects, subscribes once welcomed, then reports up', () => {
    const h = start();
    expect(h.of('feed.connect')).toEqual([{ type: 'feed.connect', conn: 1, url: 'wss://feed/ws' }]);
    expect(h.of('feed.subscribe')).toEqual([]);
    h.actor.send({ type: 'socket.welcome', conn: 1, sessionId: 's1', keepaliveSec: 10 });
    expect(h.of('feed.subscribe')).toEqual([{ type: 'feed.subscribe', sessionId: 's1' }]);
    h.actor.send({ type: 'subscribe.done', sessionId: 's1' });
    expect(h.of('feed.status').at(-1)).toMatchObject({ state: 'up' });
  });

  it('a silent connection is dropped after the keepalive deadline, then reconnects and subscribes again', () => {
    const h = start();
    goLive(h);
    // Keepalives keep it alive well past the deadline.
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(10_000);
      h.actor.send({ type: 'socket.activity', conn: 1 });
    }
    expect(h.of('feed.disconnect')).toEqual([]);
    vi.advanceTimersByTime(keepaliveDeadline(10_000) - 1);
    expect(h.of('feed.disconnect')).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(h.of('feed.disconnect')[0]).toEqual({ type: 'feed.disconnect', conn: 1 });
    expect(h.of('feed.status').at(-1)).toMatchObject({ state: 'down', detail: expect.stringContaining('keepalive') });
    vi.advanceTimersByTime(500); // backoff with random 0: half of 1 s
    expect(h.of('feed.connect').at(-1)).toEqual({ type: 'feed.connect', conn: 2, url: 'wss://feed/ws' });
    h.actor.send({ type: 'socket.welcome', conn: 2, sessionId: 's2', keepaliveSec: 10 });
    expect(h.of('feed.subscribe').at(-1)).toEqual({ type: 'feed.subscribe', sessionId: 's2' });
  });

  it('activity from an old connection does not keep a new one alive', () => {
    const h = start();
    goLive(h);
    vi.advanceTimersByTime(keepaliveDeadline(10_000));
    vi.advanceTimersByTime(500);
    goLive(h, 's2', 2);
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(5_000);
      h.actor.send({ type: 'socket.activity', conn: 1 });
    }
    expect(h.of('feed.disconnect').at(-1)).toEqual({ type: 'feed.disconnect', conn: 2 });
  });

  it('session_reconnect: opens the new URL, keeps the old until welcomed, does not resubscribe', () => {
    const h = start();
    goLive(h);
    h.actor.send({ type: 'socket.reconnect', conn: 1, url: 'wss://feed/ws?reconnect=s1' });
    expect(h.of('feed.connect').at(-1)).toEqual({ type: 'feed.connect', conn: 2, url: 'wss://feed/ws?reconnect=s1' });
    expect(h.of('feed.disconnect')).toEqual([]);
    h.actor.send({ type: 'socket.activity', conn: 1 }); // a notification still arriving on the old one
    h.actor.send({ type: 'socket.welcome', conn: 2, sessionId: 's1', keepaliveSec: 10 });
    expect(h.of('feed.disconnect')).toEqual([{ type: 'feed.disconnect', conn: 1 }]);
    // The old connection closing now is expected, not a loss.
    h.actor.send({ type: 'socket.closed', conn: 1, code: 1000, reason: '' });
    expect(h.of('feed.subscribe')).toHaveLength(1);
    expect(h.of('feed.connect')).toHaveLength(2);
    // The new connection is the one watched now.
    vi.advanceTimersByTime(keepaliveDeadline(10_000));
    expect(h.of('feed.disconnect').at(-1)).toEqual({ type: 'feed.disconnect', conn: 2 });
  });

  it('a handover that is never welcomed falls back to a fresh connection', () => {
    const h = start();
    goLive(h);
    h.actor.send({ type: 'socket.reconnect', conn: 1, url: 'wss://feed/ws?reconnect=s1' });
    h.actor.send({ type: 'socket.closed', conn: 2, code: 4007, reason: 'invalid reconnect' });
    expect(h.of('feed.status').at(-1)).toMatchObject({ state: 'down', detail: expect.stringContaining('4007') });
    vi.advanceTimersByTime(500);
    expect(h.of('feed.connect').at(-1)).toMatchObject({ url: 'wss://feed/ws' });
  });

  it('a refused token stops with the fix; a lost session retries', () => {
    const h = start();
    h.actor.send({ type: 'socket.welcome', conn: 1, sessionId: 's1', keepaliveSec: 10 });
    h.actor.send({ type: 'subscribe.failed', sessionId: 's1', kind: 'session', detail: 'session gone' });
    vi.advanceTimersByTime(500);
    expect(h.of('feed.connect')).toHaveLength(2);
    h.actor.send({ type: 'socket.welcome', conn: 2, sessionId: 's2', keepaliveSec: 10 });
    h.actor.send({ type: 'subscribe.failed', sessionId: 's2', kind: 'auth', detail: 'token refused', fix: 'set TWITCH_BROADCASTER_TOKEN' });
    expect(h.of('feed.status').at(-1)).toEqual({ type: 'feed.status', state: 'down', detail: 'token refused', fix: 'set TWITCH_BROADCASTER_TOKEN' });
    vi.advanceTimersByTime(120_000);
    expect(h.of('feed.connect')).toHaveLength(2);
    expect(h.actor.getSnapshot().value).toBe('failed');
  });

  it('backs off exponentially while the server keeps closing, and resets once live', () => {
    const h = start();
    const delays: number[] = [];
    for (let conn = 1; conn <= 4; conn++) {
      h.actor.send({ type: 'socket.closed', conn, code: 1006, reason: '' });
      let waited = 0;
      while (h.of('feed.connect').length === conn) {
        vi.advanceTimersByTime(100);
        waited += 100;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000]);
    goLive(h, 's5', 5);
    h.actor.send({ type: 'socket.closed', conn: 5, code: 1006, reason: '' });
    vi.advanceTimersByTime(500);
    expect(h.of('feed.connect')).toHaveLength(6);
  });

  it('reports a revocation with the fix', () => {
    const h = start();
    goLive(h);
    h.actor.send({ type: 'subscription.revoked', subscriptionType: 'channel.follow', status: 'authorization_revoked' });
    expect(h.of('feed.status').at(-1)).toMatchObject({
      state: 'down',
      detail: expect.stringContaining('revoked the channel.follow subscription (authorization_revoked)'),
      fix: expect.stringContaining('TWITCH_BROADCASTER_TOKEN'),
    });
  });

  it('gives up on a connection that is never welcomed', () => {
    const h = start();
    vi.advanceTimersByTime(10_000);
    expect(h.of('feed.disconnect')).toEqual([{ type: 'feed.disconnect', conn: 1 }]);
    vi.advanceTimersByTime(500);
    expect(h.of('feed.connect')).toHaveLength(2);
  });
});
