/** The Twitch IRC stand-in itself, driven by a bare WebSocket client: framing, login, limits. */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { escapeTagValue, startTwitchIrcStandin, type TwitchIrcStandin } from '../standins/twitchIrc.ts';

interface Raw {
  ws: WebSocket;
  frames: string[];
  lines: string[];
  closed: Promise<void>;
  send(...lines: string[]): void;
  waitLine(pred: (l: string) => boolean, what: string): Promise<string>;
}

async function rawClient(url: string): Promise<Raw> {
  const ws = new WebSocket(url, 'irc');
  const frames: string[] = [];
  const lines: string[] = [];
  ws.on('message', (d) => {
    const s = Buffer.isBuffer(d) ? d.toString('utf8') : Buffer.from(d as ArrayBuffer).toString('utf8');
    frames.push(s);
    lines.push(...s.split('\r\n').filter(Boolean));
  });
  const closed = new Promise<void>((r) => ws.on('close', () => r()));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    frames,
    lines,
    closed,
    send: (...ls) => ws.send(ls.join('\r\n') + '\r\n'),
    async waitLine(pred, what) {
      const deadline = Date.now() + 2_000;
      for (;;) {
        const hit = lines.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no line: ${what}; got ${JSON.stringify(lines)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

async function login(irc: TwitchIrcStandin, nick: string, pass: string, channel = 'streamer'): Promise<Raw> {
  const c = await rawClient(irc.url);
  c.send('CAP REQ :twitch.tv/tags twitch.tv/commands', `PASS ${pass}`, `NICK ${nick}`);
  await c.waitLine((l) => l.includes(' 376 '), 'end of MOTD');
  c.send(`JOIN #${channel}`);
  await c.waitLine((l) => l.includes('ROOMSTATE'), 'ROOMSTATE');
  return c;
}

let irc: TwitchIrcStandin | undefined;
const raws: Raw[] = [];
afterEach(async () => {
  for (const r of raws.splice(0)) r.ws.terminate();
  await irc?.close();
  irc = undefined;
});

describe('twitch IRC stand-in', () => {
  it('logs in anonymously with numerics batched in one frame', async () => {
    irc = await startTwitchIrcStandin();
    const c = await rawClient(irc.url);
    raws.push(c);
    c.send('CAP REQ :twitch.tv/tags twitch.tv/commands', 'PASS SCHMOOPIIE', 'NICK justinfan12345');
    await c.waitLine((l) => l.includes(' 376 '), '376');
    expect(c.lines[0]).toBe(':tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands');
    expect(c.lines.map((l) => l.split(' ')[1])).toEqual(['CAP', '001', '002', '003', '004', '375', '372', '376']);
    expect(c.frames.length).toBeLessThan(c.lines.length); // several lines per frame
    expect(c.frames.every((f) => f.endsWith('\r\n'))).toBe(true);
    expect(irc.logins).toEqual([expect.objectContaining({ nick: 'justinfan12345', anonymous: true, ok: true })]);
    // An anonymous JOIN gets no USERSTATE.
    c.send('JOIN #streamer');
    await c.waitLine((l) => l.includes('ROOMSTATE #streamer'), 'roomstate');
    expect(c.lines.some((l) => l.includes('USERSTATE'))).toBe(false);
    expect(irc.joined).toEqual(['streamer']);
  });

  it.each([
    ['unknown token', 'oauth:wrong', 'Login authentication failed', 'invalid-token'],
    ['no oauth: prefix', 'goodtoken', 'Improperly formatted auth', 'improperly-formatted'],
  ])('%s: NOTICE then close, token never recorded', async (_n, pass, text, failure) => {
    irc = await startTwitchIrcStandin({ validTokens: ['goodtoken'] });
    const c = await rawClient(irc.url);
    raws.push(c);
    c.send(`PASS ${pass}`, 'NICK picklebot');
    await c.closed;
    expect(c.lines).toContain(`:tmi.twitch.tv NOTICE * :${text}`);
    expect(irc.logins).toEqual([expect.objectContaining({ nick: 'picklebot', ok: false, failure })]);
    const dump = JSON.stringify([irc.logins, irc.received]);
    expect(dump).not.toContain('wrong');
    expect(dump).not.toContain('goodtoken');
  });

  it('NAKs an unknown capability', async () => {
    irc = await startTwitchIrcStandin();
    const c = await rawClient(irc.url);
    raws.push(c);
    c.send('CAP REQ :twitch.tv/tags example.com/nope');
    expect(await c.waitLine((l) => l.includes('CAP'), 'cap')).toBe(':tmi.twitch.tv CAP * NAK :twitch.tv/tags example.com/nope');
  });

  it('answers PINGs like Twitch and counts PONGs to its own', async () => {
    irc = await startTwitchIrcStandin();
    const c = await login(irc, 'justinfan1', 'x');
    raws.push(c);
    c.send('PING');
    await c.waitLine((l) => l === 'PONG :tmi.twitch.tv', 'bare pong');
    c.send('PING :hello there');
    await c.waitLine((l) => l === ':tmi.twitch.tv PONG tmi.twitch.tv :hello there', 'pong with arg');
    irc.ping();
    await c.waitLine((l) => l === 'PING :tmi.twitch.tv', 'server ping');
    c.send('PONG :tmi.twitch.tv');
    await irc.waitFor(() => irc!.pongs === 1, 1_000, 'pong');
  });

  it('escapes tags like Twitch and leaves the text as is', async () => {
    irc = await startTwitchIrcStandin();
    const c = await login(irc, 'justinfan2', 'x');
    raws.push(c);
    const id = irc.say('streamer', { user: 'viewer_1', displayName: 'Ä b;c\\d', text: 'semi; colon \\ back', bits: 50 });
    const line = await c.waitLine((l) => l.includes('PRIVMSG'), 'privmsg');
    expect(line).toContain('display-name=Ä\\sb\\:c\\\\d;');
    expect(line).toContain(`;id=${id};`);
    expect(line).toContain(';bits=50;');
    expect(line.endsWith(' :viewer_1!viewer_1@viewer_1.tmi.twitch.tv PRIVMSG #streamer :semi; colon \\ back')).toBe(true);
    expect(escapeTagValue('a b;c\\d\r\n')).toBe('a\\sb\\:c\\\\d\\r\\n');
    expect(() => irc!.say('streamer', { user: 'x', text: 'two\r\nlines' })).toThrow();
    expect(() => irc!.say('streamer', { user: 'Not A Login', text: 'x' })).toThrow();
  });

  it('strips tags for a client without the tags capability', async () => {
    irc = await startTwitchIrcStandin();
    const c = await rawClient(irc.url);
    raws.push(c);
    c.send('PASS x', 'NICK justinfan3', 'JOIN #streamer');
    await irc.waitFor(() => irc!.joined.includes('streamer'), 1_000, 'join');
    irc.say('streamer', { user: 'someone', text: 'hi' });
    const line = await c.waitLine((l) => l.includes('PRIVMSG'), 'privmsg');
    expect(line).toBe(':someone!someone@someone.tmi.twitch.tv PRIVMSG #streamer :hi');
  });

  it('applies the send limits to a non-mod bot', async () => {
    // The stand-in's own clock, moved by hand: the limits are judged on it, never on the wall clock.
    let clock = 1_000_000;
    irc = await startTwitchIrcStandin({
      validTokens: ['tok'],
      limits: { windowMs: 500, normalLimit: 3, minIntervalMs: 50, duplicateWindowMs: 500, maxChars: 10 },
      now: () => clock,
    });
    const bot = await login(irc, 'picklebot', 'oauth:tok');
    const viewer = await login(irc, 'justinfan9', 'x');
    raws.push(bot, viewer);
    const handled = (n: number) => irc!.waitFor(() => irc!.sent.length + irc!.dropped.length === n, 2_000, `${n} handled`);
    bot.send('PRIVMSG #streamer :first');
    bot.send('PRIVMSG #streamer :too soon'); // inside the 1 "s" slow mode
    await bot.waitLine((l) => l.startsWith('@msg-id=msg_ratelimit '), 'msg_ratelimit');
    clock += 70;
    bot.send('PRIVMSG #streamer :first'); // same as the last delivered one
    await bot.waitLine((l) => l.startsWith('@msg-id=msg_duplicate '), 'msg_duplicate');
    clock += 70;
    bot.send('PRIVMSG #streamer :0123456789abc'); // 4th attempt: the bucket of 3 is empty
    await handled(4);
    expect(irc.sent.map((s) => s.text)).toEqual(['first']);
    expect(irc.dropped.map((d) => d.reason)).toEqual(['slow', 'duplicate', 'bucket']);
    clock += 520; // window over
    bot.send('PRIVMSG #streamer :0123456789abc');
    await irc.waitFor(() => irc!.sent.length === 2, 1_000, 'second delivery');
    expect(irc.sent[1]).toMatchObject({ text: '0123456789', truncated: true });
    // Delivered lines reach the other viewers, not the sender; the sender gets a USERSTATE.
    await viewer.waitLine((l) => l.endsWith('PRIVMSG #streamer :0123456789'), 'viewer sees it');
    expect(bot.lines.some((l) => l.includes('PRIVMSG'))).toBe(false);
    expect(bot.lines.filter((l) => l.includes('USERSTATE #streamer')).length).toBe(3); // JOIN + 2 sends
  });

  it('lets a moderator bot send back to back', async () => {
    irc = await startTwitchIrcStandin({ validTokens: ['tok'], mods: ['picklebot'], limits: { normalLimit: 1, modLimit: 5 } });
    const bot = await login(irc, 'picklebot', 'oauth:tok');
    raws.push(bot);
    expect(bot.lines.find((l) => l.includes('USERSTATE #streamer'))).toContain('badges=moderator/1;');
    for (let i = 0; i < 7; i++) bot.send(`PRIVMSG #streamer :same`);
    await irc.waitFor(() => irc!.sent.length + irc!.dropped.length === 7, 1_000, 'all handled');
    expect(irc.sent).toHaveLength(5);
    expect(irc.dropped.map((d) => d.reason)).toEqual(['bucket', 'bucket']);
  });

  it('refuses connections while asked to, then accepts again', async () => {
    irc = await startTwitchIrcStandin();
    irc.refuse(true);
    await expect(rawClient(irc.url)).rejects.toThrow();
    expect(irc.refused).toBe(1);
    irc.refuse(false);
    const c = await rawClient(irc.url);
    raws.push(c);
    expect(irc.connections).toBe(1);
  });

  it('floods pre-built lines in batched frames', async () => {
    irc = await startTwitchIrcStandin();
    const c = await login(irc, 'justinfan4', 'x');
    raws.push(c);
    const before = c.frames.length;
    const msgs = Array.from({ length: 500 }, (_, i) => ({ user: `u${i % 50}`, text: `message ${i}` }));
    const ids = irc.sayMany('streamer', msgs, { perFrame: 25 });
    expect(new Set(ids).size).toBe(500);
    await irc.waitFor(() => c.lines.filter((l) => l.includes('PRIVMSG')).length === 500, 2_000, 'flood');
    expect(c.frames.length - before).toBe(20);
  });
});
