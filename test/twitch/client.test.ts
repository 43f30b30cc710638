/** The Twitch chat adapter with the real tmi.js against the IRC and id.twitch.tv stand-ins. */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { InputEvent } from '../../machines/events.ts';
import { createLogger } from '../../src/log.ts';
import { StatusBoard } from '../../src/status.ts';
import { createTwitchChat, type TwitchChat, type TwitchChatOptions } from '../../src/twitch/client.ts';
import { startTwitchAuthStandin, type TwitchAuthStandin } from '../standins/twitchAuth.ts';
import { startTwitchIrcStandin, type TwitchIrcStandin } from '../standins/twitchIrc.ts';

const TOKEN = 'goodtoken0123456789';
let irc: TwitchIrcStandin | undefined;
let auth: TwitchAuthStandin | undefined;
const chats: TwitchChat[] = [];

afterEach(async () => {
  for (const c of chats.splice(0)) await c.stop();
  await irc?.close();
  await auth?.close();
  irc = auth = undefined;
});

async function until(pred: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function harness(over: Partial<TwitchChatOptions> = {}) {
  const events: InputEvent[] = [];
  const logLines: string[] = [];
  const status = new StatusBoard();
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  const chat = createTwitchChat({
    channel: 'streamer',
    ircUrl: irc!.url,
    status,
    log: createLogger({ level: 'debug', destination: sink }),
    send: (e) => events.push(e),
    backoff: { baseMs: 20, maxMs: 80 },
    random: () => 0.5,
    ...over,
  });
  chats.push(chat);
  const of = <T extends InputEvent['type']>(type: T) =>
    events.filter((e): e is Extract<InputEvent, { type: T }> => e.type === type);
  return { chat, events, status, logLines, of };
}

describe('anonymous (no token)', () => {
  it('reads chat read-only and says how to fix it', async () => {
    irc = await startTwitchIrcStandin();
    const h = harness();
    expect(h.chat.mode).toBe('anonymous');
    await h.chat.start();
    expect(irc.logins).toEqual([expect.objectContaining({ anonymous: true, ok: true })]);
    expect(irc.logins[0]?.nick).toMatch(/^justinfan\d+$/);
    const st = h.status.get('twitch');
    expect(st).toMatchObject({ state: 'up' });
    expect(st?.detail).toContain('read-only');
    expect(st?.fix).toContain('TWITCH_BOT_TOKEN');
    expect(h.of('service.status').map((e) => e.state)).toEqual(['starting', 'up']);

    irc.say('streamer', { user: 'viewer', text: 'hi pickle' });
    await until(() => h.of('chat.message').length === 1, 'message');
    h.chat.say('cannot send this');
    await sleep(30);
    expect(irc.sent).toHaveLength(0);
    expect(irc.dropped).toHaveLength(0); // never even tried
    expect(h.chat.stats().sayRefused).toBe(1);
  });
});

describe('authenticated', () => {
  async function connected(over: Partial<TwitchChatOptions> = {}) {
    irc ??= await startTwitchIrcStandin({ validTokens: [TOKEN] });
    const h = harness({ login: 'picklebot', token: `oauth:${TOKEN}`, ...over });
    await h.chat.start();
    expect(h.status.get('twitch')).toMatchObject({ state: 'up', detail: 'connected to #streamer as picklebot' });
    return h;
  }

  it('turns tagged PRIVMSGs into chat.message (unicode, escaped tags, roles, action)', async () => {
    const h = await connected();
    expect(h.chat.mode).toBe('authenticated');
    expect(irc!.logins).toEqual([expect.objectContaining({ nick: 'picklebot', anonymous: false, ok: true })]);
    const id = irc!.say('streamer', {
      user: 'unicode_fan',
      displayName: 'Zoë 名前; \\o/',
      text: 'hello; pickle \\ 🥒',
      badges: 'moderator/1,subscriber/12',
      ts: 1_700_000_000_123,
    });
    irc!.say('streamer', { user: 'streamer', text: 'owner speaking' });
    irc!.say('streamer', { user: 'dancer', text: 'dances', action: true });
    await until(() => h.of('chat.message').length === 3, '3 messages');
    const [m1, m2, m3] = h.of('chat.message').map((e) => e.message);
    expect(m1).toEqual({
      platform: 'twitch',
      id,
      user: 'unicode_fan',
      displayName: 'Zoë 名前; \\o/',
      text: 'hello; pickle \\ 🥒',
      role: 'moderator',
      ts: 1_700_000_000_123,
    });
    expect(m2).toMatchObject({ user: 'streamer', role: 'broadcaster' });
    expect(m3).toMatchObject({ user: 'dancer', role: 'viewer', text: 'dances' });
  });

  it('a cheer is both a message with bits and a bits event', async () => {
    const h = await connected();
    const id = irc!.say('streamer', { user: 'cheerer', displayName: 'Cheerer', text: 'Cheer100 great stream', bits: 100 });
    await until(() => h.of('stream.event').length === 1, 'bits event');
    expect(h.of('chat.message')[0]?.message).toMatchObject({ id, bits: 100, text: 'Cheer100 great stream' });
    expect(h.of('stream.event')[0]?.event).toMatchObject({ kind: 'bits', id, user: 'cheerer', amount: 100 });
  });

  it('USERNOTICEs become stream.event; announcements do not', async () => {
    const h = await connected();
    irc!.userNotice('streamer', {
      msgId: 'raid',
      user: 'raider',
      params: { displayName: 'Räider', login: 'raider', viewerCount: 42 },
    });
    irc!.userNotice('streamer', { msgId: 'sub', user: 'newsub', displayName: 'NewSub', params: { 'sub-plan': '1000' } });
    irc!.userNotice('streamer', { msgId: 'resub', user: 'oldsub', text: 'two years!', params: { 'cumulative-months': 24 } });
    irc!.userNotice('streamer', {
      msgId: 'subgift',
      user: 'gifter',
      params: { 'recipient-display-name': 'Lucky', 'recipient-user-name': 'lucky', months: 1 },
    });
    irc!.userNotice('streamer', { msgId: 'submysterygift', user: 'gifter', params: { 'mass-gift-count': 5 } });
    irc!.userNotice('streamer', { msgId: 'announcement', user: 'mod1', text: 'hello everyone' });
    irc!.say('streamer', { user: 'marker', text: 'after the notices' });
    await until(() => h.of('chat.message').length === 1, 'marker');
    expect(h.of('stream.event').map((e) => e.event)).toEqual([
      expect.objectContaining({ kind: 'raid', user: 'raider', displayName: 'Räider', amount: 42 }),
      expect.objectContaining({ kind: 'sub', user: 'newsub', displayName: 'NewSub' }),
      expect.objectContaining({ kind: 'resub', user: 'oldsub', amount: 24, text: 'two years!' }),
      expect.objectContaining({ kind: 'subgift', user: 'gifter', recipient: 'Lucky', amount: 1 }),
      expect.objectContaining({ kind: 'submysterygift', user: 'gifter', amount: 5 }),
    ]);
  });

  it('CLEARMSG and CLEARCHAT become chat.deleted / chat.cleared', async () => {
    const h = await connected();
    irc!.clearMsg('streamer', { targetMsgId: 'abc-123', login: 'rude', text: 'bad words' });
    irc!.clearChat('streamer', { user: 'rude', banDuration: 600 });
    irc!.clearChat('streamer', { user: 'worse' });
    irc!.clearChat('streamer');
    await until(() => h.of('chat.cleared').length === 3, 'cleared events');
    expect(h.of('chat.deleted')).toEqual([{ type: 'chat.deleted', platform: 'twitch', messageId: 'abc-123', user: 'rude' }]);
    expect(h.of('chat.cleared')).toEqual([
      { type: 'chat.cleared', platform: 'twitch', user: 'rude', durationSec: 600 },
      { type: 'chat.cleared', platform: 'twitch', user: 'worse' },
      { type: 'chat.cleared', platform: 'twitch' },
    ]);
  });

  it('own messages are sent but not forwarded; a reply with a newline or /command is defused', async () => {
    irc = await startTwitchIrcStandin({ validTokens: [TOKEN], limits: { minIntervalMs: 10 } });
    const h = await connected({ limits: { minIntervalMs: 40 } });
    h.chat.say('hello chat');
    await until(() => irc!.sent.length === 1, 'sent');
    h.chat.say('/ban streamer\r\nPRIVMSG #streamer :injected');
    await until(() => irc!.sent.length === 2, 'second');
    expect(irc!.sent.map((s) => s.text)).toEqual(['hello chat', 'ban streamer PRIVMSG #streamer :injected']);
    expect(irc!.received.filter((l) => l.startsWith('PRIVMSG'))).toHaveLength(2);
    expect(h.of('chat.message')).toHaveLength(0);
  });

  it('paces replies inside the server limits (non-mod) and lifts them as mod', async () => {
    irc = await startTwitchIrcStandin({
      validTokens: [TOKEN],
      limits: { windowMs: 300, normalLimit: 3, modLimit: 10, minIntervalMs: 20 },
    });
    // Client-side margins well above the server's so scheduling jitter cannot make it look too fast.
    const limits = { windowMs: 300, normalLimit: 3, privilegedLimit: 10, minIntervalMs: 60, safetyMs: 80, maxQueue: 20 };
    const h = await connected({ limits });
    for (let i = 0; i < 6; i++) h.chat.say(`reply number ${i}`);
    h.chat.say('reply number 0'); // duplicate
    await until(() => irc!.sent.length === 6, '6 sent', 10_000);
    expect(irc!.dropped).toEqual([]);
    expect(h.chat.stats()).toMatchObject({ sent: 6, rejectedDuplicate: 1, pending: 0 });
    const at = irc!.sent.map((s) => s.at);
    expect(at[3]! - at[0]!).toBeGreaterThanOrEqual(300);

    // The same bot as moderator elsewhere: USERSTATE says so and the 1-per-interval pacing goes.
    await h.chat.stop();
    irc!.setMod('picklebot', true);
    const sentBefore = irc!.sent.length;
    const h2 = harness({ login: 'picklebot', token: TOKEN, limits: { ...limits, minIntervalMs: 5_000 } });
    await h2.chat.start();
    for (let i = 0; i < 5; i++) h2.chat.say(`mod reply ${i}`);
    // Without the lift the 5 s interval would hold these 5 lines for 20 s; a loaded machine still sends them within 4 s.
    await until(() => irc!.sent.length === sentBefore + 5, 'mod sends', 4_000);
    expect(irc!.dropped).toEqual([]);
  });
});

describe('connection trouble', () => {
  it('reconnects with backoff after a dropped connection and keeps delivering', async () => {
    irc = await startTwitchIrcStandin({ validTokens: [TOKEN] });
    const h = harness({ login: 'picklebot', token: TOKEN });
    await h.chat.start();
    irc.refuse(true);
    irc.dropConnections();
    await until(() => irc!.refused >= 2, 'two refused retries');
    expect(h.status.get('twitch')?.state).toBe('down');
    expect(h.status.get('twitch')?.detail).toMatch(/reconnecting in/);
    irc.refuse(false);
    await until(() => h.status.get('twitch')?.state === 'up', 'up again');
    expect(irc.clients).toBe(1);
    expect(irc.joined).toEqual(['streamer']);
    irc.say('streamer', { user: 'viewer', text: 'still there?' });
    await until(() => h.of('chat.message').length === 1, 'message after reconnect');
    const states = h.of('service.status').map((e) => e.state);
    expect(states[0]).toBe('starting');
    expect(states).toContain('down');
    expect(states.at(-1)).toBe('up');
  });

  it('handles RECONNECT: one new connection, no leftover socket, messages flow', async () => {
    irc = await startTwitchIrcStandin({ validTokens: [TOKEN] });
    const h = harness({ login: 'picklebot', token: TOKEN });
    await h.chat.start();
    irc.reconnect();
    await until(() => irc!.logins.filter((l) => l.ok).length === 2 && irc!.joined.length === 1, 'second login');
    await until(() => irc!.clients === 1, 'old socket closed');
    await sleep(100); // tmi's own reconnect timer would fire around here if it were not replaced
    expect(irc.connections).toBe(2);
    irc.say('streamer', { user: 'viewer', text: 'after maintenance' });
    await until(() => h.of('chat.message').length === 1, 'message');
    expect(h.status.get('twitch')?.state).toBe('up');
    // A planned reconnect is not an outage.
    const statuses = h.of('service.status').map((e) => `${e.state}: ${e.detail}`);
    expect(statuses.some((s) => s.startsWith('down'))).toBe(false);
    expect(statuses).toContain('starting: Twitch asked Pickle to reconnect (server maintenance); reconnecting');
  });

  it('renews a rejected token with the refresh token and connects', async () => {
    irc = await startTwitchIrcStandin({ validTokens: [] });
    auth = await startTwitchAuthStandin({
      clientId: 'cid',
      clientSecret: 'csecret',
      refreshTokens: ['refresh-1'],
      onIssued: (t) => irc!.addValidToken(t),
    });
    const tokens: Array<{ accessToken: string; refreshToken?: string }> = [];
    const h = harness({
      login: 'picklebot',
      token: 'expiredtoken999',
      refreshToken: 'refresh-1',
      clientId: 'cid',
      clientSecret: 'csecret',
      authUrl: auth.url,
      onTokens: (t) => tokens.push(t),
    });
    await h.chat.start();
    await until(() => h.status.get('twitch')?.state === 'up', 'up');
    expect(irc.logins.map((l) => l.ok)).toEqual([false, true]);
    expect(tokens).toEqual([{ accessToken: auth.issued[0], refreshToken: auth.issuedRefreshTokens[0] }]);
    expect(tokens[0]?.refreshToken).not.toBe('refresh-1');
    const logs = h.logLines.join('');
    for (const secret of ['expiredtoken999', 'refresh-1', 'csecret', auth.issued[0]!, auth.issuedRefreshTokens[0]!]) {
      expect(logs).not.toContain(secret);
    }
  });

  it('a rejected token without refresh credentials: one clear line, status down, no reconnect storm', async () => {
    irc = await startTwitchIrcStandin({ validTokens: [] });
    const h = harness({ login: 'picklebot', token: 'oauth:deadtoken42' });
    await h.chat.start();
    await sleep(300); // many backoff periods (20-80 ms)
    expect(irc.connections).toBe(1);
    expect(irc.logins).toEqual([expect.objectContaining({ ok: false, failure: 'invalid-token' })]);
    const st = h.status.get('twitch');
    expect(st?.state).toBe('down');
    expect(st?.detail).toContain('rejected the bot token');
    expect(st?.fix).toContain('TWITCH_BOT_TOKEN');
    const errors = h.logLines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toContain('not retrying');
    expect(h.logLines.join('')).not.toContain('deadtoken42');
  });

  it('a refresh token that is refused too: down after one refresh attempt', async () => {
    irc = await startTwitchIrcStandin({ validTokens: [] });
    auth = await startTwitchAuthStandin({ clientId: 'cid', clientSecret: 'csecret', refreshTokens: [] });
    const h = harness({
      login: 'picklebot',
      token: 'deadtoken42',
      refreshToken: 'revoked',
      clientId: 'cid',
      clientSecret: 'csecret',
      authUrl: auth.url,
    });
    await h.chat.start();
    await until(() => h.status.get('twitch')?.state === 'down', 'down');
    await sleep(200);
    expect(irc.connections).toBe(1);
    expect(auth.requests.filter((r) => r.path === '/oauth2/token')).toHaveLength(1);
    expect(h.status.get('twitch')?.detail).toContain('Invalid refresh token');
  });

  it('can fall back to reading anonymously when the token is dead', async () => {
    irc = await startTwitchIrcStandin({ validTokens: [] });
    const h = harness({ login: 'picklebot', token: 'deadtoken42', fallbackToAnonymous: true });
    await h.chat.start();
    await until(() => h.status.get('twitch')?.state === 'up', 'up anonymously');
    expect(h.chat.mode).toBe('anonymous');
    expect(h.status.get('twitch')?.detail).toContain('token was rejected');
    expect(irc.logins.map((l) => [l.anonymous, l.ok])).toEqual([
      [false, false],
      [true, true],
    ]);
  });

  it('looks the login up with /oauth2/validate when none is given', async () => {
    irc = await startTwitchIrcStandin({ validTokens: [TOKEN] });
    auth = await startTwitchAuthStandin({ login: 'TheBot', accessTokens: [TOKEN] });
    const h = harness({ token: TOKEN, authUrl: auth.url });
    await h.chat.start();
    expect(irc.logins).toEqual([expect.objectContaining({ nick: 'thebot', ok: true })]);
    expect(h.status.get('twitch')?.detail).toBe('connected to #streamer as thebot');
  });

  it('re-validates periodically and renews a token that died meanwhile', async () => {
    irc = await startTwitchIrcStandin({ validTokens: [TOKEN] });
    auth = await startTwitchAuthStandin({
      clientId: 'cid',
      clientSecret: 'csecret',
      accessTokens: [TOKEN],
      refreshTokens: ['refresh-1'],
      onIssued: (t) => irc!.addValidToken(t),
    });
    const tokens: string[] = [];
    const h = harness({
      login: 'picklebot',
      token: TOKEN,
      refreshToken: 'refresh-1',
      clientId: 'cid',
      clientSecret: 'csecret',
      authUrl: auth.url,
      validateIntervalMs: 30,
      onTokens: (t) => tokens.push(t.accessToken),
    });
    await h.chat.start();
    auth.revokeAccessToken(TOKEN);
    irc.revokeToken(TOKEN);
    await until(() => tokens.length === 1, 'renewed token');
    // The next connection logs in with the renewed token.
    irc.dropConnections();
    await until(() => irc!.logins.filter((l) => l.ok).length === 2, 'second login');
    expect(irc.logins.every((l) => l.ok)).toBe(true);
  });

  it('stop() closes the socket and nothing reconnects afterwards', async () => {
    irc = await startTwitchIrcStandin({ validTokens: [TOKEN] });
    const h = harness({ login: 'picklebot', token: TOKEN });
    await h.chat.start();
    await h.chat.stop();
    await until(() => irc!.clients === 0, 'closed');
    await sleep(150);
    expect(irc.connections).toBe(1);
    expect(h.status.get('twitch')).toMatchObject({ state: 'down', detail: 'stopped' });
  });
});
