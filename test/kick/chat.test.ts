/** The Kick chat adapter: the real pusher-js against the Pusher stand-in, its reconnect machine on its own clock. */
import { afterEach, describe, expect, it } from 'vitest';
import { OAuthToken } from '../../src/chat/oauthToken.ts';
import { standaloneChildren } from '../../src/children.ts';
import { KickChat, type KickChatOptions } from '../../src/kick/chat.ts';
import { adapterHarness, until } from '../chat/adapterHarness.ts';
import { startKickStandin } from '../standins/kick.ts';

type Standin = Awaited<ReturnType<typeof startKickStandin>>;
let kick: Standin | undefined;
const chats: KickChat[] = [];
afterEach(async () => {
  for (const c of chats.splice(0)) c.stop();
  await kick?.close();
  kick = undefined;
});

function start(over: Partial<KickChatOptions> = {}) {
  const h = adapterHarness();
  const chat = new KickChat({
    channel: kick!.slug,
    apiUrl: kick!.apiUrl,
    pusherUrl: kick!.pusherUrl,
    publicApiUrl: kick!.publicApiUrl,
    children: standaloneChildren(),
    status: h.status,
    log: h.log,
    send: h.send,
    backoff: { baseMs: 20, maxMs: 80 },
    random: () => 0.5,
    ...over,
  });
  chats.push(chat);
  chat.start();
  return { ...h, chat, state: () => h.status.get('kick') };
}

describe('kick chat adapter', () => {
  it('looks the chatroom up, subscribes, and forwards lines with roles from badges, deletions and bans as Kick\'s', async () => {
    kick = await startKickStandin();
    const t = start();
    await until(() => kick!.listeners() === 1, 'the subscription');
    await until(() => t.state()?.state === 'up', 'up');
    const modLine = kick.message({ username: 'ModMax', badges: ['moderator', 'subscriber'] }, 'hey Pickle');
    const bad = kick.message({ username: 'Alice', badges: ['subscriber'] }, 'something awful');
    kick.message({ username: 'streamer', badges: ['broadcaster'] }, 'welcome all');
    kick.deleteMessage(bad);
    kick.ban('Alice');
    kick.ban('Bob', false);
    await until(() => t.of('chat.cleared').length === 2, 'the bans');
    const lines = t.of('chat.message').map((e) => e.message);
    expect(lines.map((m) => [m.user, m.role, m.text])).toEqual([
      ['modmax', 'moderator', 'hey Pickle'],
      ['alice', 'viewer', 'something awful'],
      ['streamer', 'broadcaster', 'welcome all'],
    ]);
    expect(lines[0]).toMatchObject({ platform: 'kick', id: modLine, displayName: 'ModMax' });
    expect(t.of('chat.deleted')).toEqual([{ type: 'chat.deleted', platform: 'kick', messageId: bad }]);
    expect(t.of('chat.cleared')).toEqual([
      { type: 'chat.cleared', platform: 'kick', user: 'alice' },
      { type: 'chat.cleared', platform: 'kick', user: 'bob', durationSec: 600 },
    ]);
  });

  it('a dropped socket is reconnected and the chatroom resubscribed', async () => {
    kick = await startKickStandin();
    const t = start();
    await until(() => kick!.listeners() === 1, 'the subscription');
    kick.drop();
    await until(() => t.chat.counters.subscribed === 2, 'the second subscription');
    kick.message({ username: 'Alice' }, 'still here?');
    await until(() => t.of('chat.message').length === 1, 'a line after the drop');
    // No stray client of pusher-js's own: the machine's one connection, subscribed once.
    expect(kick.stats.connections).toBe(2);
    expect(kick.listeners()).toBe(1);
  });

  it('answers pings; malformed frames, double-encoded data that fails to parse and long lines are logged once each, and the connection stays', async () => {
    kick = await startKickStandin();
    const t = start();
    await until(() => kick!.listeners() === 1, 'the subscription');
    kick.serverPing();
    await until(() => kick!.stats.pongs === 1, 'the pong');
    const room = `chatrooms.${kick.chatroomId}.v2`;
    for (let i = 0; i < 3; i++) {
      kick.raw('{"event": "App\\\\Events\\\\ChatMessageEvent", "data": ');
      kick.raw(JSON.stringify({ event: 'App\\Events\\ChatMessageEvent', channel: room, data: JSON.stringify('{"id": "x", "content": broken') }));
      kick.message({ username: 'Alice' }, 'z'.repeat(800));
    }
    // Double-encoded and valid: read.
    kick.raw(JSON.stringify({ event: 'App\\Events\\ChatMessageEvent', channel: room, data: JSON.stringify(JSON.stringify({ id: 'dbl', content: 'double encoded hello', sender: { username: 'Carl', slug: 'carl' } })) }));
    await until(() => t.of('chat.message').some((e) => e.message.id === 'dbl'), 'the double-encoded line');
    expect(t.of('chat.message').map((e) => e.message.text.length)).toEqual([500, 500, 500, 'double encoded hello'.length]);
    const warned = (s: string) => t.logLines.filter((l) => l.includes(s)).length;
    expect(warned('malformed Pusher frame')).toBe(1);
    expect(warned('event data that is not JSON')).toBe(1);
    expect(warned('oversized')).toBe(1);
    expect(kick.stats.connections).toBe(1);
  });

  it('the lookup blocked by Cloudflare (403) is down, saying to set KICK_CHATROOM_ID; with it, chat is read', async () => {
    kick = await startKickStandin({ cloudflare: true });
    const t = start();
    await until(() => t.state()?.state === 'down', 'down');
    expect(t.state()).toMatchObject({ detail: expect.stringContaining('403'), fix: expect.stringContaining('KICK_CHATROOM_ID') });
    t.chat.stop();
    const u = start({ channel: undefined, chatroomId: kick.chatroomId });
    await until(() => u.state()?.state === 'up', 'up with KICK_CHATROOM_ID');
    expect(kick.listeners()).toBe(1);
  });

  it('a wrong app key (Pusher 4001) is not retried', async () => {
    kick = await startKickStandin();
    const t = start({ pusherUrl: kick.pusherUrl.replace('32cbd69e4b950bf97679', 'wrongkey') });
    await until(() => t.state()?.state === 'down', 'down');
    expect(t.state()!.detail).toContain('4001');
    expect(kick.stats.connections).toBe(0);
  });

  it('a reply names the message it answers (reply_to_message_id); Kick refuses an id that is not one of its messages', async () => {
    kick = await startKickStandin();
    const token = new OAuthToken(undefined, 'kick-token');
    const t = start({ token });
    await until(() => t.state()?.state === 'up', 'up');
    const question = kick.message({ username: 'Alice' }, 'pickle what is up?');
    await until(() => t.of('chat.message').length === 1, 'the question');
    t.chat.say('not much, Alice', t.of('chat.message')[0]!.message.id);
    await until(() => kick!.posted.length === 1, 'the reply');
    expect(kick.posted[0]!.body).toMatchObject({ content: 'not much, Alice', reply_to_message_id: question });
    t.chat.say('a line that answers nothing');
    await until(() => kick!.posted.length === 2, 'the plain line');
    expect(kick.posted[1]!.body).not.toHaveProperty('reply_to_message_id');
    t.chat.say('an answer to nothing Kick knows', 'not-a-kick-id');
    await until(() => t.logLines.some((l) => l.includes('could not post a chat reply') && l.includes('HTTP 400')), 'the refusal, logged');
    expect(kick.posted).toHaveLength(2);
  });

  it('replies go out through the official API with a refreshed token and are not read back as input', async () => {
    kick = await startKickStandin();
    const token = new OAuthToken({ tokenUrl: kick.tokenUrl, clientId: 'cid', clientSecret: 'sec', refreshToken: 'kick-refresh' }, 'expired-token');
    const t = start({ token });
    await until(() => t.state()?.state === 'up', 'up');
    t.chat.say('hi from Pickle');
    await until(() => kick!.posted.length === 1, 'the post');
    expect(kick.posted[0]!.body).toMatchObject({ type: 'user', broadcaster_user_id: 777, content: 'hi from Pickle' });
    kick.message({ username: 'Alice' }, 'after');
    await until(() => t.of('chat.message').length === 1, 'alice');
    expect(t.of('chat.message')[0]!.message.text).toBe('after');
  });
});
