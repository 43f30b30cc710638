/**
 * Stand-in for Twitch chat (IRC over WebSocket, irc-ws.chat.twitch.tv), speaking the wire
 * protocol so the real tmi.js client can run against it (see shared PROTOCOLS.md "Twitch chat").
 *
 * What it imitates: CAP/PASS/NICK login (anonymous `justinfan<digits>` or `oauth:<token>`),
 * the 001..376 welcome, GLOBALUSERSTATE, JOIN replies (353/366/USERSTATE/ROOMSTATE), PING/PONG
 * both ways, RECONNECT, several `\r\n`-separated lines per frame, fully tagged PRIVMSG /
 * USERNOTICE / CLEARMSG / CLEARCHAT with IRCv3 tag escaping, and the send limits Twitch applies
 * to a bot's PRIVMSGs (per-user bucket dropped silently, 1 s per-channel slow mode and the 30 s
 * duplicate rule with NOTICEs, 500-character trim), its own PING every few minutes with a
 * disconnect when no PONG comes, the JOIN rate limit (excess JOINs ignored), channel slow mode
 * (msg_slowmode) and a barred bot (msg_banned, msg_channel_suspended...). Rules taken from Twitch's docs and
 * pajbot/tmi-rate-limits; time windows are options so tests can use milliseconds.
 *
 * Tokens are never kept in any record: `logins` says only whether the token was accepted.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, WebSocket } from 'ws';

export interface TwitchIrcLimits {
  /** Refill period of the per-user PRIVMSG buckets (Twitch: 30 s). */
  windowMs: number;
  /** Bucket size for a user with no badge in the channel (Twitch: 20). */
  normalLimit: number;
  /** Bucket size when the user is moderator/VIP/broadcaster there (Twitch: 100). */
  modLimit: number;
  /** Minimum slow mode every channel has for non-mods (Twitch: 1 s, NOTICE msg_ratelimit). */
  minIntervalMs: number;
  /** Identical to your previous message in the channel within this window: NOTICE msg_duplicate. */
  duplicateWindowMs: number;
  /** Longer messages are trimmed to this many characters (Twitch: 500). */
  maxChars: number;
  /** The server sends `PING :tmi.twitch.tv` this often on each logged-in connection (Twitch: about every 5 min). */
  pingIntervalMs: number;
  /** No PONG this long after a server PING: the connection is closed (Twitch: about 10 s). */
  pongTimeoutMs: number;
  /** JOINs per user accepted per `joinWindowMs` (Twitch: 20 per 10 s); more are ignored without a reply. */
  joinLimit: number;
  joinWindowMs: number;
}

export const TWITCH_IRC_LIMITS: TwitchIrcLimits = {
  windowMs: 30_000,
  normalLimit: 20,
  modLimit: 100,
  minIntervalMs: 1_000,
  duplicateWindowMs: 30_000,
  maxChars: 500,
  pingIntervalMs: 300_000,
  pongTimeoutMs: 10_000,
  joinLimit: 20,
  joinWindowMs: 10_000,
};

/** NOTICE ids Twitch answers a refused PRIVMSG with when the bot or channel is barred. */
export type RefusalNotice = 'msg_banned' | 'msg_channel_suspended' | 'msg_timedout' | 'msg_suspended';

const REFUSAL_TEXT: Record<RefusalNotice, string> = {
  msg_banned: 'You are permanently banned from talking in {channel}.',
  msg_channel_suspended: 'This channel does not exist or has been suspended.',
  msg_timedout: 'You are timed out for 600 more seconds.',
  msg_suspended: "You don't have permission to perform that action.",
};

export interface TwitchIrcStandinOptions {
  /** Access tokens (without `oauth:`) that log in; anything else gets "Login authentication failed". */
  validTokens?: Iterable<string>;
  /** Logins holding a moderator badge in every channel. The channel's owner is always broadcaster. */
  mods?: Iterable<string>;
  limits?: Partial<TwitchIrcLimits>;
  now?: () => number;
}

/** A chat line to inject as if a viewer typed it. */
export interface InjectedChat {
  /** Login: lowercase ASCII, as in the IRC prefix. */
  user: string;
  /** Any Unicode (escaped on the wire). Default: the login. */
  displayName?: string;
  text: string;
  /** Raw `badges` tag, e.g. `moderator/1,subscriber/12`. Default from `mod` / channel owner. */
  badges?: string;
  mod?: boolean;
  bits?: number;
  id?: string;
  userId?: string;
  color?: string;
  /** `/me` message (CTCP ACTION). */
  action?: boolean;
  /** tmi-sent-ts; default now. */
  ts?: number;
  /** Added after the standard tags; a key here replaces the standard one. */
  extraTags?: Record<string, string>;
}

export type UserNoticeId = 'sub' | 'resub' | 'subgift' | 'submysterygift' | 'raid' | 'announcement';

export interface InjectedUserNotice {
  msgId: UserNoticeId;
  /** Login of the user the notice is about (the raider, the gifter...). */
  user: string;
  displayName?: string;
  /** The viewer's own message (resub, announcement). */
  text?: string;
  /** `msg-param-*` tags without the prefix, e.g. `{ viewerCount: 12, displayName: 'Foo' }`. */
  params?: Record<string, string | number>;
  badges?: string;
  id?: string;
  systemMsg?: string;
  ts?: number;
  extraTags?: Record<string, string>;
}

export interface LoginRecord {
  connectionId: number;
  nick: string;
  anonymous: boolean;
  ok: boolean;
  /** Why a login failed; the token itself is never recorded. */
  failure?: 'invalid-token' | 'improperly-formatted';
  at: number;
}

export interface SentRecord {
  channel: string;
  login: string;
  /** As it would arrive in chat (trimmed, spaces collapsed, cut at maxChars). */
  text: string;
  at: number;
  truncated: boolean;
}

export type DropReason = 'bucket' | 'slow' | 'duplicate' | 'anonymous' | 'slowmode' | 'refused';

export interface DroppedRecord extends SentRecord {
  reason: DropReason;
}

export interface TwitchIrcStandin {
  readonly url: string;
  readonly port: number;
  /** Open connections. */
  readonly clients: number;
  /** Connections accepted since start (to count reconnect attempts). */
  readonly connections: number;
  /** Upgrades turned away while `refuse(true)`. */
  readonly refused: number;
  /** Channels (without `#`) joined by at least one connection. */
  readonly joined: string[];
  readonly sent: readonly SentRecord[];
  readonly dropped: readonly DroppedRecord[];
  readonly logins: readonly LoginRecord[];
  /** PONGs received from clients (answers to `ping()`). */
  readonly pongs: number;
  /** Lines received from clients, `PASS` redacted. */
  readonly received: readonly string[];
  setValidTokens(tokens: Iterable<string>): void;
  addValidToken(token: string): void;
  revokeToken(token: string): void;
  setMod(login: string, isMod: boolean): void;
  /** Inject a viewer's chat line into a channel; returns its `id`. */
  say(channel: string, msg: InjectedChat): string;
  userNotice(channel: string, notice: InjectedUserNotice): string;
  clearMsg(channel: string, opts: { targetMsgId: string; login: string; text?: string }): void;
  clearChat(channel: string, opts?: { user?: string; banDuration?: number }): void;
  /** Server-initiated keepalive `PING :tmi.twitch.tv` (also sent every `pingIntervalMs`). */
  ping(): void;
  /** Connections closed because no PONG came in time. */
  readonly pingTimeouts: number;
  /** JOINs ignored because the user was over the JOIN rate limit. */
  readonly joinsRefused: number;
  /** Send a NOTICE with this msg-id to every connection in the channel. */
  notice(channel: string, msgId: string, text?: string): void;
  /** Refuse every PRIVMSG the bots send, with this NOTICE (null: accept again). */
  refuseBotMessages(msgId: RefusalNotice | null): void;
  /** Channel slow mode (ROOMSTATE slow=N): non-mods get msg_slowmode when they send faster (0: off). */
  setSlowMode(channel: string, seconds: number): void;
  /** Send RECONNECT (maintenance); optionally close the sockets after a delay like Twitch does. */
  reconnect(opts?: { closeAfterMs?: number }): void;
  /** Fault knob: terminate every socket without a close frame. */
  dropConnections(): void;
  /** Fault knob: turn new connections away (the TCP socket is destroyed during the upgrade). */
  refuse(on: boolean): void;
  /** Build a tagged PRIVMSG line without sending it (for pre-built floods). */
  buildPrivmsg(channel: string, msg: InjectedChat): string;
  /** Fast path: send raw lines to every logged-in connection, `perFrame` lines per WebSocket frame. */
  broadcast(lines: string | readonly string[], opts?: { perFrame?: number }): number;
  /** Build and broadcast many chat lines at once; returns their ids. */
  sayMany(channel: string, msgs: readonly InjectedChat[], opts?: { perFrame?: number }): string[];
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- wire helpers

/** IRCv3 tag value escaping, as Twitch does it. Backslash first so later escapes are not doubled. */
export function escapeTagValue(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\:')
    .replace(/ /g, '\\s')
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n');
}

function formatTags(tags: ReadonlyArray<readonly [string, string]>): string {
  return '@' + tags.map(([k, v]) => `${k}=${escapeTagValue(v)}`).join(';');
}

function mergeTags(base: Array<[string, string]>, extra?: Record<string, string>): Array<[string, string]> {
  if (!extra) return base;
  const out = base.map(([k, v]): [string, string] => [k, k in extra ? (extra[k] ?? v) : v]);
  for (const [k, v] of Object.entries(extra)) if (!base.some(([bk]) => bk === k)) out.push([k, v]);
  return out;
}

/** Stable fake numeric id for a login or channel (Twitch ids are decimal strings). */
function fakeId(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return String(10_000_000 + (h % 900_000_000));
}

function chanName(channel: string): string {
  return channel.replace(/^#/, '').toLowerCase();
}

const LOGIN_RE = /^[a-z0-9_]{1,25}$/;
function assertLogin(login: string): void {
  if (!LOGIN_RE.test(login)) throw new Error(`stand-in: "${login}" is not a Twitch login (lowercase a-z0-9_)`);
}
function assertOneLine(text: string): void {
  if (/[\r\n]/.test(text)) throw new Error('stand-in: chat text cannot contain CR/LF (Twitch never sends that)');
}

/** Lines only sent to connections that requested twitch.tv/commands. */
const COMMANDS_CAP_ONLY = new Set([
  'USERNOTICE',
  'CLEARCHAT',
  'CLEARMSG',
  'ROOMSTATE',
  'USERSTATE',
  'GLOBALUSERSTATE',
  'RECONNECT',
  'HOSTTARGET',
  'WHISPER',
]);
const KNOWN_CAPS = new Set(['twitch.tv/tags', 'twitch.tv/commands', 'twitch.tv/membership']);

function commandOf(line: string): string {
  let rest = line;
  if (rest.startsWith('@')) rest = rest.slice(rest.indexOf(' ') + 1);
  if (rest.startsWith(':')) rest = rest.slice(rest.indexOf(' ') + 1);
  const sp = rest.indexOf(' ');
  return sp === -1 ? rest : rest.slice(0, sp);
}

interface Conn {
  id: number;
  ws: WebSocket;
  caps: Set<string>;
  pass?: string;
  nick?: string;
  anonymous: boolean;
  registered: boolean;
  channels: Set<string>;
  outbox: string[];
  flushScheduled: boolean;
  pingTimer?: NodeJS.Timeout;
  pongTimer?: NodeJS.Timeout;
}

// ---------------------------------------------------------------- the server

export async function startTwitchIrcStandin(opts: TwitchIrcStandinOptions = {}): Promise<TwitchIrcStandin> {
  const limits: TwitchIrcLimits = { ...TWITCH_IRC_LIMITS, ...opts.limits };
  const now = opts.now ?? Date.now;
  let validTokens = new Set(opts.validTokens ?? []);
  const mods = new Set(opts.mods ?? []);
  const conns = new Set<Conn>();
  const sent: SentRecord[] = [];
  const dropped: DroppedRecord[] = [];
  const logins: LoginRecord[] = [];
  const received: string[] = [];
  /** Attempt times per login (Twitch buckets are per user, across connections). */
  const buckets = new Map<string, number[]>();
  /** Last delivered message per `login#channel`: slow mode and duplicate rule. */
  const lastDelivered = new Map<string, { text: string; at: number }>();
  let nextId = 1;
  let connections = 0;
  let refusedCount = 0;
  let pongs = 0;
  let refusing = false;
  let pingTimeouts = 0;
  let joinsRefused = 0;
  let refusal: RefusalNotice | null = null;
  /** JOIN times per login, for the JOIN rate limit. */
  const joinTimes = new Map<string, number[]>();
  /** Slow mode per channel, in ms (absent: off). */
  const slowMode = new Map<string, number>();

  const wss = new WebSocketServer({ noServer: true });
  const server: Server = createServer((_req, res) => {
    // Twitch's endpoint answers plain HTTP with 426 too.
    res.writeHead(426, { 'content-type': 'text/plain' }).end('Upgrade Required');
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (refusing) {
      refusedCount++;
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('stand-in: no port');
  const port = address.port;

  // ---------------------------------------------------------------- sending

  function queue(conn: Conn, line: string): void {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    const cmd = commandOf(line);
    if (COMMANDS_CAP_ONLY.has(cmd) && !conn.caps.has('twitch.tv/commands')) return;
    const out = line.startsWith('@') && !conn.caps.has('twitch.tv/tags') ? line.slice(line.indexOf(' ') + 1) : line;
    conn.outbox.push(out);
    // Lines produced in the same tick leave in one frame, `\r\n`-separated, as Twitch batches them.
    if (!conn.flushScheduled) {
      conn.flushScheduled = true;
      setImmediate(() => flush(conn));
    }
  }

  function flush(conn: Conn): void {
    conn.flushScheduled = false;
    if (conn.outbox.length === 0) return;
    const frame = conn.outbox.join('\r\n') + '\r\n';
    conn.outbox = [];
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(frame);
  }

  function toChannel(channel: string, line: string): void {
    for (const c of conns) if (c.registered && c.channels.has(channel)) queue(c, line);
  }

  function notice(conn: Conn, channel: string, msgId: string, text: string): void {
    queue(conn, `@msg-id=${msgId} :tmi.twitch.tv NOTICE #${channel} :${text}`);
  }

  // ---------------------------------------------------------------- connection handling

  function onConnection(ws: WebSocket): void {
    connections++;
    const conn: Conn = {
      id: nextId++,
      ws,
      caps: new Set(),
      anonymous: false,
      registered: false,
      channels: new Set(),
      outbox: [],
      flushScheduled: false,
    };
    conns.add(conn);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
      for (const line of text.split(/\r?\n/)) if (line.length > 0) onLine(conn, line);
    });
    ws.on('close', () => forget(conn));
    ws.on('error', () => forget(conn));
  }

  function forget(conn: Conn): void {
    clearInterval(conn.pingTimer);
    clearTimeout(conn.pongTimer);
    conns.delete(conn);
  }

  function serverPing(conn: Conn): void {
    if (!conn.registered || conn.ws.readyState !== WebSocket.OPEN) return;
    queue(conn, 'PING :tmi.twitch.tv');
    if (conn.pongTimer) return; // already waiting for an answer
    conn.pongTimer = setTimeout(() => {
      pingTimeouts++;
      forget(conn);
      conn.ws.terminate();
    }, limits.pongTimeoutMs);
  }

  function onLine(conn: Conn, line: string): void {
    received.push(line.startsWith('PASS ') ? 'PASS ***' : line);
    if (received.length > 10_000) received.splice(0, received.length - 10_000);
    const sp = line.indexOf(' ');
    const cmd = (sp === -1 ? line : line.slice(0, sp)).toUpperCase();
    const rest = sp === -1 ? '' : line.slice(sp + 1);
    switch (cmd) {
      case 'CAP':
        return onCap(conn, rest);
      case 'PASS':
        conn.pass = rest.trim();
        return;
      case 'NICK':
        return onNick(conn, rest.trim().toLowerCase());
      case 'USER':
        return;
      case 'PING': {
        // Twitch answers a bare PING with `PONG :tmi.twitch.tv`, otherwise echoes the first argument.
        if (rest.trim() === '') return queue(conn, 'PONG :tmi.twitch.tv');
        const arg = rest.startsWith(':') ? rest.slice(1) : (rest.split(' ')[0] ?? '');
        return queue(conn, `:tmi.twitch.tv PONG tmi.twitch.tv :${arg}`);
      }
      case 'PONG':
        pongs++;
        clearTimeout(conn.pongTimer);
        conn.pongTimer = undefined;
        return;
      case 'QUIT':
        conn.ws.close();
        return;
    }
    if (!conn.registered) return; // Twitch ignores commands before login
    switch (cmd) {
      case 'JOIN':
        for (const ch of rest.trim().split(',')) if (ch) onJoin(conn, chanName(ch));
        return;
      case 'PART':
        for (const ch of rest.trim().split(',')) if (ch) onPart(conn, chanName(ch));
        return;
      case 'PRIVMSG': {
        const colon = rest.indexOf(' :');
        if (colon === -1) return;
        return onPrivmsg(conn, chanName(rest.slice(0, colon)), rest.slice(colon + 2));
      }
      default:
        queue(conn, `:tmi.twitch.tv 421 ${conn.nick} ${cmd} :Unknown command`);
    }
  }

  function onCap(conn: Conn, rest: string): void {
    const [sub, ...more] = rest.split(' ');
    const arg = more.join(' ').replace(/^:/, '');
    if (sub?.toUpperCase() === 'LS') {
      queue(conn, `:tmi.twitch.tv CAP * LS :${[...KNOWN_CAPS].join(' ')}`);
      return;
    }
    if (sub?.toUpperCase() !== 'REQ') return;
    const caps = arg.split(' ').filter(Boolean);
    // IRCv3: the request is granted or refused as a whole.
    if (caps.every((c) => KNOWN_CAPS.has(c))) {
      for (const c of caps) conn.caps.add(c);
      queue(conn, `:tmi.twitch.tv CAP * ACK :${caps.join(' ')}`);
    } else {
      queue(conn, `:tmi.twitch.tv CAP * NAK :${caps.join(' ')}`);
    }
  }

  function failLogin(conn: Conn, nick: string, failure: LoginRecord['failure'], text: string): void {
    logins.push({ connectionId: conn.id, nick, anonymous: false, ok: false, failure, at: now() });
    queue(conn, `:tmi.twitch.tv NOTICE * :${text}`);
    flush(conn);
    conn.ws.close();
  }

  function onNick(conn: Conn, nick: string): void {
    if (conn.registered) return;
    const anonymous = /^justinfan\d+$/.test(nick);
    if (!anonymous) {
      const pass = conn.pass ?? '';
      if (!pass.startsWith('oauth:')) return failLogin(conn, nick, 'improperly-formatted', 'Improperly formatted auth');
      if (!validTokens.has(pass.slice('oauth:'.length))) {
        return failLogin(conn, nick, 'invalid-token', 'Login authentication failed');
      }
    }
    conn.pass = undefined; // not kept once checked
    conn.nick = nick;
    conn.anonymous = anonymous;
    conn.registered = true;
    logins.push({ connectionId: conn.id, nick, anonymous, ok: true, at: now() });
    conn.pingTimer = setInterval(() => serverPing(conn), limits.pingIntervalMs);
    for (const l of [
      `:tmi.twitch.tv 001 ${nick} :Welcome, GLHF!`,
      `:tmi.twitch.tv 002 ${nick} :Your host is tmi.twitch.tv`,
      `:tmi.twitch.tv 003 ${nick} :This server is rather new`,
      `:tmi.twitch.tv 004 ${nick} :-`,
      `:tmi.twitch.tv 375 ${nick} :-`,
      `:tmi.twitch.tv 372 ${nick} :You are in a maze of twisty passages, all alike.`,
      `:tmi.twitch.tv 376 ${nick} :>`,
    ])
      queue(conn, l);
    if (!anonymous) {
      queue(
        conn,
        formatTags([
          ['badge-info', ''],
          ['badges', ''],
          ['color', ''],
          ['display-name', nick],
          ['emote-sets', '0'],
          ['user-id', fakeId(nick)],
          ['user-type', ''],
        ]) + ' :tmi.twitch.tv GLOBALUSERSTATE',
      );
    }
  }

  function botBadges(login: string, channel: string): { badges: string; mod: boolean; privileged: boolean } {
    if (login === channel) return { badges: 'broadcaster/1', mod: false, privileged: true };
    if (mods.has(login)) return { badges: 'moderator/1', mod: true, privileged: true };
    return { badges: '', mod: false, privileged: false };
  }

  function userstate(conn: Conn, channel: string): string {
    const nick = conn.nick ?? '';
    const b = botBadges(nick, channel);
    return (
      formatTags([
        ['badge-info', ''],
        ['badges', b.badges],
        ['color', ''],
        ['display-name', nick],
        ['emote-sets', '0'],
        ['mod', b.mod ? '1' : '0'],
        ['subscriber', '0'],
        ['user-type', b.mod ? 'mod' : ''],
      ]) + ` :tmi.twitch.tv USERSTATE #${channel}`
    );
  }

  function onJoin(conn: Conn, channel: string): void {
    if (!/^[a-z0-9_]{1,25}$/.test(channel)) return;
    const nick = conn.nick ?? '';
    const at = now();
    const recent = (joinTimes.get(nick) ?? []).filter((t) => at - t < limits.joinWindowMs);
    joinTimes.set(nick, recent);
    if (recent.length >= limits.joinLimit) {
      // Twitch ignores JOINs over the limit: no reply at all.
      joinsRefused++;
      return;
    }
    recent.push(at);
    conn.channels.add(channel);
    queue(conn, `:${nick}!${nick}@${nick}.tmi.twitch.tv JOIN #${channel}`);
    queue(conn, `:${nick}.tmi.twitch.tv 353 ${nick} = #${channel} :${nick}`);
    queue(conn, `:${nick}.tmi.twitch.tv 366 ${nick} #${channel} :End of /NAMES list`);
    if (!conn.anonymous) queue(conn, userstate(conn, channel));
    queue(
      conn,
      formatTags([
        ['emote-only', '0'],
        ['followers-only', '-1'],
        ['r9k', '0'],
        ['room-id', fakeId(channel)],
        ['slow', String(Math.round((slowMode.get(channel) ?? 0) / 1000))],
        ['subs-only', '0'],
      ]) + ` :tmi.twitch.tv ROOMSTATE #${channel}`,
    );
  }

  function onPart(conn: Conn, channel: string): void {
    if (!conn.channels.delete(channel)) return;
    const nick = conn.nick ?? '';
    queue(conn, `:${nick}!${nick}@${nick}.tmi.twitch.tv PART #${channel}`);
  }

  function onPrivmsg(conn: Conn, channel: string, raw: string): void {
    const login = conn.nick ?? '';
    const at = now();
    // Twitch trims, collapses neighbouring spaces and cuts at 500 characters before any filter.
    const normalised = raw.trim().replace(/ {2,}/g, ' ');
    const chars = Array.from(normalised);
    const truncated = chars.length > limits.maxChars;
    const text = truncated ? chars.slice(0, limits.maxChars).join('') : normalised;
    const record: SentRecord = { channel, login, text, at, truncated };
    if (conn.anonymous) {
      dropped.push({ ...record, reason: 'anonymous' });
      return;
    }
    const { privileged } = botBadges(login, channel);
    const bucket = (buckets.get(login) ?? []).filter((t) => at - t < limits.windowMs);
    buckets.set(login, bucket);
    const limit = privileged ? limits.modLimit : limits.normalLimit;
    if (bucket.length >= limit) {
      // Over the limit the real server drops silently (and may lock the account out).
      dropped.push({ ...record, reason: 'bucket' });
      return;
    }
    bucket.push(at); // messages dropped by the filters below still consume the bucket
    if (refusal && login !== channel) {
      dropped.push({ ...record, reason: 'refused' });
      notice(conn, channel, refusal, REFUSAL_TEXT[refusal].replace('{channel}', channel));
      return;
    }
    const key = `${login}#${channel}`;
    const last = lastDelivered.get(key);
    const slowMs = slowMode.get(channel) ?? 0;
    if (!privileged && last && slowMs > 0 && at - last.at < slowMs) {
      dropped.push({ ...record, reason: 'slowmode' });
      const wait = Math.ceil((slowMs - (at - last.at)) / 1000);
      notice(conn, channel, 'msg_slowmode', `This room is in slow mode and you are sending messages too quickly. You will be able to talk again in ${wait} seconds.`);
      return;
    }
    if (!privileged && last && at - last.at < limits.minIntervalMs) {
      dropped.push({ ...record, reason: 'slow' });
      notice(conn, channel, 'msg_ratelimit', 'Your message was not sent because you are sending messages too quickly.');
      return;
    }
    if (!privileged && last && last.text === text && at - last.at < limits.duplicateWindowMs) {
      dropped.push({ ...record, reason: 'duplicate' });
      notice(
        conn,
        channel,
        'msg_duplicate',
        'Your message was not sent because it is identical to the previous one you sent, less than 30 seconds ago.',
      );
      return;
    }
    lastDelivered.set(key, { text, at });
    sent.push(record);
    // Twitch answers every PRIVMSG with a USERSTATE and does not echo the line to its sender.
    queue(conn, userstate(conn, channel));
    const b = botBadges(login, channel);
    const line = buildPrivmsg(channel, { user: login, text, badges: b.badges, mod: b.mod, ts: at });
    for (const c of conns) if (c !== conn && c.registered && c.channels.has(channel)) queue(c, line);
  }

  // ---------------------------------------------------------------- injection

  function buildPrivmsg(channel: string, msg: InjectedChat): string {
    const ch = chanName(channel);
    assertLogin(msg.user);
    assertOneLine(msg.text);
    const owner = msg.user === ch;
    const badges = msg.badges ?? (owner ? 'broadcaster/1' : msg.mod ? 'moderator/1' : '');
    const mod = msg.mod ?? badges.split(',').some((b) => b.startsWith('moderator/'));
    const tags: Array<[string, string]> = [
      ['badge-info', ''],
      ['badges', badges],
    ];
    if (msg.bits !== undefined) tags.push(['bits', String(msg.bits)]);
    tags.push(
      ['color', msg.color ?? ''],
      ['display-name', msg.displayName ?? msg.user],
      ['emotes', ''],
      ['first-msg', '0'],
      ['flags', ''],
      ['id', msg.id ?? randomUUID()],
      ['mod', mod ? '1' : '0'],
      ['returning-chatter', '0'],
      ['room-id', fakeId(ch)],
      ['subscriber', badges.includes('subscriber/') ? '1' : '0'],
      ['tmi-sent-ts', String(msg.ts ?? now())],
      ['turbo', '0'],
      ['user-id', msg.userId ?? fakeId(msg.user)],
      ['user-type', mod ? 'mod' : ''],
    );
    const text = msg.action ? `\u0001ACTION ${msg.text}\u0001` : msg.text;
    return `${formatTags(mergeTags(tags, msg.extraTags))} :${msg.user}!${msg.user}@${msg.user}.tmi.twitch.tv PRIVMSG #${ch} :${text}`;
  }

  function idOf(line: string): string {
    return /[@;]id=([^; ]*)/.exec(line)?.[1] ?? '';
  }

  function say(channel: string, msg: InjectedChat): string {
    const line = buildPrivmsg(channel, msg);
    toChannel(chanName(channel), line);
    return idOf(line);
  }

  function userNotice(channel: string, n: InjectedUserNotice): string {
    const ch = chanName(channel);
    assertLogin(n.user);
    if (n.text !== undefined) assertOneLine(n.text);
    const id = n.id ?? randomUUID();
    const display = n.displayName ?? n.user;
    const tags: Array<[string, string]> = [
      ['badge-info', ''],
      ['badges', n.badges ?? ''],
      ['color', ''],
      ['display-name', display],
      ['emotes', ''],
      ['flags', ''],
      ['id', id],
      ['login', n.user],
      ['mod', '0'],
      ['msg-id', n.msgId],
    ];
    for (const [k, v] of Object.entries(n.params ?? {})) tags.push([`msg-param-${k}`, String(v)]);
    tags.push(
      ['room-id', fakeId(ch)],
      ['subscriber', '0'],
      ['system-msg', n.systemMsg ?? defaultSystemMsg(n, display)],
      ['tmi-sent-ts', String(n.ts ?? now())],
      ['user-id', fakeId(n.user)],
      ['user-type', ''],
    );
    const tail = n.text !== undefined ? ` :${n.text}` : '';
    toChannel(ch, `${formatTags(mergeTags(tags, n.extraTags))} :tmi.twitch.tv USERNOTICE #${ch}${tail}`);
    return id;
  }

  function clearMsg(channel: string, o: { targetMsgId: string; login: string; text?: string }): void {
    const ch = chanName(channel);
    const tags = formatTags([
      ['login', o.login],
      ['room-id', ''],
      ['target-msg-id', o.targetMsgId],
      ['tmi-sent-ts', String(now())],
    ]);
    // Twitch always carries the deleted text as the trailing parameter.
    toChannel(ch, `${tags} :tmi.twitch.tv CLEARMSG #${ch} :${o.text ?? ''}`);
  }

  function clearChat(channel: string, o: { user?: string; banDuration?: number } = {}): void {
    const ch = chanName(channel);
    const tags: Array<[string, string]> = [];
    if (o.user && o.banDuration !== undefined) tags.push(['ban-duration', String(o.banDuration)]);
    tags.push(['room-id', fakeId(ch)]);
    if (o.user) tags.push(['target-user-id', fakeId(o.user)]);
    tags.push(['tmi-sent-ts', String(now())]);
    toChannel(ch, `${formatTags(tags)} :tmi.twitch.tv CLEARCHAT #${ch}${o.user ? ` :${o.user}` : ''}`);
  }

  function broadcast(lines: string | readonly string[], o: { perFrame?: number } = {}): number {
    const list = typeof lines === 'string' ? [lines] : lines;
    const per = Math.max(1, o.perFrame ?? 50);
    let frames = 0;
    const targets = [...conns].filter((c) => c.registered && c.ws.readyState === WebSocket.OPEN);
    for (let i = 0; i < list.length; i += per) {
      const chunk = list.slice(i, i + per);
      for (const c of targets) {
        const payload = c.caps.has('twitch.tv/tags')
          ? chunk
          : chunk.map((l) => (l.startsWith('@') ? l.slice(l.indexOf(' ') + 1) : l));
        c.ws.send(payload.join('\r\n') + '\r\n');
      }
      frames++;
    }
    return frames;
  }

  // ---------------------------------------------------------------- the handle

  const handle: TwitchIrcStandin = {
    url: `ws://127.0.0.1:${port}`,
    port,
    get clients() {
      return [...conns].filter((c) => c.ws.readyState === WebSocket.OPEN).length;
    },
    get connections() {
      return connections;
    },
    get refused() {
      return refusedCount;
    },
    get joined() {
      const s = new Set<string>();
      for (const c of conns) if (c.registered) for (const ch of c.channels) s.add(ch);
      return [...s].sort();
    },
    sent,
    dropped,
    logins,
    get pongs() {
      return pongs;
    },
    received,
    setValidTokens(tokens) {
      validTokens = new Set(tokens);
    },
    addValidToken(token) {
      validTokens.add(token);
    },
    revokeToken(token) {
      validTokens.delete(token);
    },
    setMod(login, isMod) {
      if (isMod) mods.add(login);
      else mods.delete(login);
    },
    say,
    userNotice,
    clearMsg,
    clearChat,
    ping() {
      for (const c of conns) serverPing(c);
    },
    get pingTimeouts() {
      return pingTimeouts;
    },
    get joinsRefused() {
      return joinsRefused;
    },
    notice(channel, msgId, text = msgId) {
      const ch = chanName(channel);
      for (const c of conns) if (c.registered && c.channels.has(ch)) notice(c, ch, msgId, text);
    },
    refuseBotMessages(msgId) {
      refusal = msgId;
    },
    setSlowMode(channel, seconds) {
      const ch = chanName(channel);
      if (seconds > 0) slowMode.set(ch, seconds * 1000);
      else slowMode.delete(ch);
      toChannel(ch, `@room-id=${fakeId(ch)};slow=${seconds} :tmi.twitch.tv ROOMSTATE #${ch}`);
    },
    reconnect(o = {}) {
      const targets = [...conns].filter((c) => c.registered);
      for (const c of targets) queue(c, ':tmi.twitch.tv RECONNECT');
      if (o.closeAfterMs !== undefined) {
        setTimeout(() => {
          for (const c of targets) c.ws.close();
        }, o.closeAfterMs);
      }
    },
    dropConnections() {
      for (const c of [...conns]) {
        forget(c);
        c.ws.terminate();
      }
    },
    refuse(on) {
      refusing = on;
    },
    buildPrivmsg,
    broadcast,
    sayMany(channel, msgs, o) {
      const lines = msgs.map((m) => buildPrivmsg(channel, m));
      broadcast(lines, o);
      return lines.map(idOf);
    },
    async waitFor(predicate, timeoutMs = 2_000, what = 'condition') {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`twitch stand-in: timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async close() {
      for (const c of conns) {
        clearInterval(c.pingTimer);
        clearTimeout(c.pongTimer);
        c.ws.terminate();
      }
      conns.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return handle;
}

function defaultSystemMsg(n: InjectedUserNotice, display: string): string {
  const p = n.params ?? {};
  switch (n.msgId) {
    case 'sub':
      return `${display} subscribed at Tier 1.`;
    case 'resub':
      return `${display} subscribed at Tier 1. They've subscribed for ${p['cumulative-months'] ?? 2} months!`;
    case 'subgift':
      return `${display} gifted a Tier 1 sub to ${p['recipient-display-name'] ?? 'someone'}!`;
    case 'submysterygift':
      return `${display} is gifting ${p['mass-gift-count'] ?? 1} Tier 1 Subs to the community!`;
    case 'raid':
      return `${p['viewerCount'] ?? 1} raiders from ${p['displayName'] ?? display} have joined!`;
    case 'announcement':
      return '';
  }
}
