import { afterEach, describe, expect, it } from 'vitest';
import { wsText } from '../../src/net/wsText.ts';
import WebSocket from 'ws';
import { startTwitchEventSubStandin, type TwitchEventSubStandin } from './twitchEventSub.ts';

const TOKEN = 'goodtoken';
const CLIENT = 'clientone';
let es: TwitchEventSubStandin | undefined;
afterEach(async () => {
  await es?.close();
  es = undefined;
});

async function start(over: { keepaliveSec?: number; unusedCloseMs?: number; reconnectGraceMs?: number; scopes?: string[] } = {}) {
  es = await startTwitchEventSubStandin({
    validate: (t) => (t === TOKEN ? { clientId: CLIENT, userId: '42', login: 'streamer', scopes: over.scopes ?? ['channel:manage:redemptions', 'moderator:read:followers'] } : undefined),
    users: [{ id: '42', login: 'streamer', display_name: 'Streamer' }],
    ...over,
  });
  return es;
}

interface Frame {
  metadata: { message_id: string; message_type: string; message_timestamp: string; subscription_type?: string };
  payload: { session?: { id: string; keepalive_timeout_seconds: number | null; reconnect_url: string | null }; subscription?: { type: string; status: string }; event?: Record<string, unknown> };
}

function open(url: string) {
  const ws = new WebSocket(url);
  const frames: Frame[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('message', (d) => frames.push(JSON.parse(wsText(d)) as Frame));
  return { ws, frames, closed };
}

async function until(pred: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const api = (s: TwitchEventSubStandin, path: string, init: { method?: string; token?: string; clientId?: string; body?: unknown } = {}) =>
  fetch(`${s.apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${init.token ?? TOKEN}`, 'client-id': init.clientId ?? CLIENT, 'content-type': 'application/json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });

const subscribe = (s: TwitchEventSubStandin, sessionId: string, over: { token?: string; clientId?: string } = {}) =>
  api(s, '/eventsub/subscriptions', {
    method: 'POST',
    ...over,
    body: { type: 'channel.channel_points_custom_reward_redemption.add', version: '1', condition: { broadcaster_user_id: '42' }, transport: { method: 'websocket', session_id: sessionId } },
  });

describe('EventSub stand-in', () => {
  it('welcomes, then sends keepalives every keepalive period', async () => {
    const s = await start({ keepaliveSec: 1, unusedCloseMs: 60_000 });
    const c = open(s.wsUrl);
    await until(() => c.frames.length >= 3, 'two keepalives');
    expect(c.frames[0]!.metadata.message_type).toBe('session_welcome');
    expect(c.frames[0]!.payload.session).toMatchObject({ keepalive_timeout_seconds: 1, reconnect_url: null });
    expect(c.frames.slice(1, 3).map((f) => f.metadata.message_type)).toEqual(['session_keepalive', 'session_keepalive']);
    expect(c.frames[1]!.payload).toEqual({});
    c.ws.close();
  });

  it('closes 4003 when nothing subscribes in time; not once subscribed', async () => {
    // Long enough to subscribe in on a loaded machine; `other` opens after the subscription, so
    // its 4003 comes after `used`'s own window has run out.
    const s = await start({ unusedCloseMs: 2000 });
    const unused = open(s.wsUrl);
    expect(await unused.closed).toBe(4003);
    const used = open(s.wsUrl);
    await until(() => used.frames.length > 0, 'welcome');
    expect((await subscribe(s, used.frames[0]!.payload.session!.id)).status).toBe(202);
    const other = open(s.wsUrl);
    expect(await other.closed).toBe(4003);
    expect(used.ws.readyState).toBe(WebSocket.OPEN);
    used.ws.close();
  });

  it('closes 4001 when the client sends anything', async () => {
    const s = await start();
    const c = open(s.wsUrl);
    await until(() => c.frames.length > 0, 'welcome');
    c.ws.send('{"type":"PING"}');
    expect(await c.closed).toBe(4001);
  });

  it('refuses an unknown session with 400, a bad token or another client id with 401', async () => {
    const s = await start();
    const c = open(s.wsUrl);
    await until(() => c.frames.length > 0, 'welcome');
    const id = c.frames[0]!.payload.session!.id;
    expect((await subscribe(s, 'no-such-session')).status).toBe(400);
    expect((await subscribe(s, id, { token: 'badtoken' })).status).toBe(401);
    expect((await subscribe(s, id, { clientId: 'someoneelse' })).status).toBe(401);
    const ok = await subscribe(s, id);
    expect(ok.status).toBe(202);
    expect(((await ok.json()) as { data: Array<{ status: string; transport: { session_id: string } }> }).data[0]).toMatchObject({ status: 'enabled', transport: { session_id: id } });
    expect((await subscribe(s, id)).status).toBe(409);
    c.ws.close();
  });

  it('delivers notifications in the Twitch envelope and hands a session over on reconnect', async () => {
    const s = await start({ unusedCloseMs: 60_000 });
    const c = open(s.wsUrl);
    await until(() => c.frames.length > 0, 'welcome');
    const id = c.frames[0]!.payload.session!.id;
    await subscribe(s, id);
    s.notify('channel.channel_points_custom_reward_redemption.add', { id: 'r1', user_input: 'hi' });
    await until(() => c.frames.length > 1, 'notification');
    expect(c.frames[1]).toMatchObject({
      metadata: { message_type: 'notification', subscription_type: 'channel.channel_points_custom_reward_redemption.add' },
      payload: { subscription: { type: 'channel.channel_points_custom_reward_redemption.add', status: 'enabled' }, event: { id: 'r1' } },
    });
    s.reconnectAll();
    await until(() => c.frames.length > 2, 'session_reconnect');
    const url = c.frames[2]!.payload.session!.reconnect_url!;
    expect(c.frames[2]!.metadata.message_type).toBe('session_reconnect');
    // Until the new connection is welcomed, events still go to the old one.
    s.notify('channel.channel_points_custom_reward_redemption.add', { id: 'r2' });
    await until(() => c.frames.length > 3, 'notification on the old connection');
    const n = open(url);
    await until(() => n.frames.length > 0, 'welcome on the new connection');
    expect(n.frames[0]!.payload.session!.id).toBe(id);
    expect(await c.closed).toBe(1000);
    s.notify('channel.channel_points_custom_reward_redemption.add', { id: 'r3' });
    await until(() => n.frames.length > 1, 'notification on the new connection');
    expect(n.frames[1]!.payload.event).toMatchObject({ id: 'r3' });
    n.ws.close();
  });

  it('honours keepalive_timeout_seconds (10-600, nearest valid value)', async () => {
    const s = await start({ keepaliveSec: 1 });
    const a = open(`${s.wsUrl}?keepalive_timeout_seconds=3`);
    const b = open(`${s.wsUrl}?keepalive_timeout_seconds=900`);
    await until(() => a.frames.length > 0 && b.frames.length > 0, 'welcomes');
    expect(a.frames[0]!.payload.session!.keepalive_timeout_seconds).toBe(10);
    expect(b.frames[0]!.payload.session!.keepalive_timeout_seconds).toBe(600);
    a.ws.close();
    b.ws.close();
  });

  it('closes the old connection 4004 when the client does not move after session_reconnect', async () => {
    const s = await start({ reconnectGraceMs: 200, unusedCloseMs: 60_000 });
    const c = open(s.wsUrl);
    await until(() => c.frames.length > 0, 'welcome');
    s.reconnectAll();
    expect(await c.closed).toBe(4004);
  });

  it('settles redemptions only for rewards this client id created (403 otherwise)', async () => {
    const s = await start();
    const created = await api(s, '/channel_points/custom_rewards?broadcaster_id=42', { method: 'POST', body: { title: 'Ask Pickle', cost: 100 } });
    expect(created.status).toBe(200);
    const reward = ((await created.json()) as { data: Array<{ id: string }> }).data[0]!;
    expect((await api(s, '/channel_points/custom_rewards?broadcaster_id=42', { method: 'POST', body: { title: 'ask pickle', cost: 100 } })).status).toBe(400);
    s.rewards.push({ id: 'foreign', title: 'Other', cost: 1, broadcasterId: '42', clientId: 'dashboard' });
    s.addRedemption({ id: 'x1', rewardId: reward.id, broadcasterId: '42', status: 'UNFULFILLED' });
    s.addRedemption({ id: 'x2', rewardId: 'foreign', broadcasterId: '42', status: 'UNFULFILLED' });
    const patch = (id: string, rewardId: string) =>
      api(s, `/channel_points/custom_rewards/redemptions?id=${id}&broadcaster_id=42&reward_id=${rewardId}`, { method: 'PATCH', body: { status: 'CANCELED' } });
    expect((await patch('x1', reward.id)).status).toBe(200);
    expect(s.redemptions.get('x1')!.status).toBe('CANCELED');
    expect((await patch('x1', reward.id)).status).toBe(404);
    expect((await patch('x2', 'foreign')).status).toBe(403);
    expect(s.redemptions.get('x2')!.status).toBe('UNFULFILLED');
  });
});
