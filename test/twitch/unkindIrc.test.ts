/**
 * The Twitch chat adapter (real tmi.js) against the IRC stand-in at its unkindest: server PINGs
 * with a disconnect when no PONG comes, the JOIN rate limit, and every NOTICE by which Twitch
 * refuses the bot's messages. Waits are generous polls, never a timing window.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { InputEvent } from '../../machines/events.ts';
import { chatRefusalVerdict } from '../../machines/chatRefusal.ts';
import { createLogger } from '../../src/log.ts';
import { StatusBoard } from '../../src/status.ts';
import { createTwitchChat, type TwitchChat, type TwitchChatOptions } from '../../src/twitch/client.ts';
import { startTwitchIrcStandin, type RefusalNotice, type TwitchIrcLimits, type TwitchIrcStandin } from '../standins/twitchIrc.ts';

const TOKEN = 'goodtoken0123456789';
let irc: TwitchIrcStandin | undefined;
const chats: TwitchChat[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const c of chats.splice(0)) await c.stop();
  for (const s of sockets.splice(0)) s.terminate();
  await irc?.close();
  irc = undefined;
});

async function until(pred: () => boolean, what: string, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function connected(limits: Partial<TwitchIrcLimits> = {}, over: Partial<TwitchChatOptions> = {}) {
  irc = await startTwitchIrcStandin({ validTokens: [TOKEN], limits });
  const events: InputEvent[] = [];
  const status = new StatusBoard();
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const chat = createTwitchChat({
    channel: 'streamer',
    ircUrl: irc.url,
    login: 'picklebot',
    token: `oauth:${TOKEN}`,
    status,
    log: createLogger({ level: 'debug', destination: sink }),
    send: (e) => events.push(e),
    backoff: { baseMs: 20, maxMs: 80 },
    random: () => 0.5,
    ...over,
  });
  chats.push(chat);
  await chat.start();
  await until(() => status.get('twitch')?.state === 'up', 'joined');
  return { chat, status, events };
}

describe('server PING', () => {
  it('tmi.js answers the server PINGs itself, so the connection stays', async () => {
    const h = await connected({ pingIntervalMs: 50, pongTimeoutMs: 5_000 });
    await until(() => irc!.pongs >= 5, 'five PONGs');
    expect(irc!.pingTimeouts).toBe(0);
    expect(irc!.connections).toBe(1);
    expect(h.status.get('twitch')?.state).toBe('up');
  });

  it('drops a connection that never answers PING', async () => {
    irc = await startTwitchIrcStandin({ limits: { pingIntervalMs: 50, pongTimeoutMs: 100 } });
    const ws = new WebSocket(irc.url, 'irc');
    sockets.push(ws);
    const closed = new Promise<void>((r) => ws.on('close', () => r()));
    await new Promise<void>((r) => ws.once('open', () => r()));
    ws.send('NICK justinfan123\r\n');
    await closed;
    expect(irc.pingTimeouts).toBe(1);
  });
});

describe('JOIN rate limit', () => {
  it('asks again when Twitch ignores a JOIN over the limit, and joins once the window passes', async () => {
    const h = await connected({ joinLimit: 1, joinWindowMs: 1_500 }, { joinTimeoutMs: 200 });
    irc!.dropConnections();
    // The reconnect logs in, but its JOIN is over the limit and gets no answer.
    await until(() => irc!.joinsRefused >= 1, 'a refused JOIN');
    await until(() => h.status.get('twitch')?.state === 'degraded', 'degraded while not joined');
    expect(h.status.get('twitch')?.detail).toContain('could not join #streamer');
    await until(() => h.status.get('twitch')?.state === 'up', 'joined after the window', 10_000);
    expect(irc!.joined).toEqual(['streamer']);
  });
});

describe('refusal NOTICEs', () => {
  const cases: Array<[RefusalNotice | 'msg_slowmode' | 'msg_ratelimit', RegExp, RegExp]> = [
    ['msg_banned', /banned from #streamer/, /\/unban picklebot/],
    ['msg_channel_suspended', /does not exist or is suspended/, /TWITCH_CHANNEL/],
    ['msg_slowmode', /slow mode/, /\/mod picklebot/],
    ['msg_ratelimit', /sending too fast/, /\/mod picklebot/],
  ];
  for (const [msgId, detail, fix] of cases) {
    it(`${msgId}: degraded with the fix, up again once a reply is delivered`, async () => {
      const h = await connected({ minIntervalMs: 0, duplicateWindowMs: 0 });
      if (msgId === 'msg_slowmode') irc!.setSlowMode('streamer', 3600);
      else if (msgId !== 'msg_ratelimit') irc!.refuseBotMessages(msgId);
      if (msgId === 'msg_ratelimit') {
        // Pickle's own limiter keeps under Twitch's; the NOTICE comes when another client shares the bot account.
        irc!.notice('streamer', 'msg_ratelimit', 'Your message was not sent because you are sending messages too quickly.');
      } else {
        h.chat.say('first reply');
        // In slow mode the first reply passes and the next one is refused.
        if (msgId === 'msg_slowmode') h.chat.say('second reply');
      }
      await until(() => h.status.get('twitch')?.state === 'degraded', 'degraded');
      const st = h.status.get('twitch');
      expect(st?.detail).toMatch(detail);
      expect(st?.fix).toMatch(fix);
      expect(h.events.some((e) => e.type === 'service.status' && e.state === 'degraded')).toBe(true);
      irc!.refuseBotMessages(null);
      irc!.setSlowMode('streamer', 0);
      h.chat.say('third reply, allowed');
      await until(() => h.status.get('twitch')?.state === 'up', 'up again');
      expect(irc!.sent.map((s) => s.text)).toContain('third reply, allowed');
    });
  }

  it('maps each NOTICE to degraded, dropped or nothing', () => {
    expect(chatRefusalVerdict('msg_banned', 'c', 'b').kind).toBe('degraded');
    expect(chatRefusalVerdict('msg_duplicate', 'c', 'b').kind).toBe('dropped');
    expect(chatRefusalVerdict('host_on', 'c', 'b').kind).toBe('other');
  });
});
