/**
 * Twitch chat adapter: tmi.js in, Pickle input events out, rate-limited replies back.
 *
 * tmi.js does the IRC work; this file owns the connection's life: tmi's own reconnect is
 * switched off and replaced by a capped, jittered backoff (tmi has no jitter, no connect
 * timeout, and after RECONNECT it schedules a reconnect that `stop()` cannot cancel), a rejected
 * token is renewed once with the refresh token or reported once and left alone (no reconnect
 * storm), and every change is reported to the StatusBoard and as `service.status`.
 *
 * Own messages echoed by tmi.js (`self`) are dropped here: Twitch never sends them back, tmi
 * fakes them locally, and forwarding them would let Pickle answer itself.
 */
import tmi from 'tmi.js';
import type { ChatUserstate, Client as TmiClient } from 'tmi.js';
import type { InputEvent, ServiceState, StreamEvent } from '../../machines/events.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { chatRefusalVerdict } from '../../machines/chatRefusal.ts';
import { backoffDelay, TWITCH_BACKOFF, type BackoffOptions } from './backoff.ts';
import {
  chatMessageFromTags,
  cheerEventFromTags,
  isPrivileged,
  streamEventFromUserNotice,
  type TmiTags,
  type UserNoticeKind,
} from './parse.ts';
import { ChatRateLimiter, type ChatRateLimits, type RateLimiterStats } from './rateLimiter.ts';
import {
  normalizeToken,
  refreshTwitchToken,
  TWITCH_AUTH_URL,
  TwitchAuthError,
  validateTwitchToken,
} from './tokenRefresh.ts';

export const TWITCH_IRC_URL = 'wss://irc-ws.chat.twitch.tv:443';

export const TOKEN_FIX =
  'generate a new user token with scopes chat:read chat:edit (e.g. at https://twitchtokengenerator.com, or with your own app ' +
  'from https://dev.twitch.tv/console) and set TWITCH_BOT_TOKEN; with TWITCH_CLIENT_ID, TWITCH_CLIENT_SECRET and the ' +
  'refresh token set too, Pickle renews it by itself';
export const READ_ONLY_FIX = 'set TWITCH_BOT_TOKEN (a bot account token with chat:read chat:edit) so Pickle can also write in chat';

export interface TwitchChatOptions {
  /** Channel to join, with or without `#`. */
  channel: string;
  /** Bot account login; when missing it is read from GET {authUrl}/oauth2/validate. */
  login?: string;
  /** Bot user access token (`oauth:` prefix optional). None: anonymous, read-only. */
  token?: string;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  /** Default wss://irc-ws.chat.twitch.tv:443. tmi.js forces port 443 when secure, so wss means 443. */
  ircUrl?: string;
  /** Default https://id.twitch.tv. */
  authUrl?: string;
  status: StatusBoard;
  log: Logger;
  send: (event: InputEvent) => void;
  /** `false` turns `say()` into a no-op (default true: the caller decides when to reply; see `setReplyInChat`). */
  replyInChat?: boolean;
  /** Called after a refresh with the new tokens, so they can be persisted. */
  onTokens?: (tokens: { accessToken: string; refreshToken?: string }) => void;
  /** Keep reading chat anonymously when the token is rejected for good (default false: stay down). */
  fallbackToAnonymous?: boolean;
  /** Reconnect backoff (default 1 s doubling to 30 s). */
  backoff?: Partial<BackoffOptions>;
  /** Give up on a connection attempt that has not logged in within this time (default 15 s). */
  connectTimeoutMs?: number;
  /** After login, report `degraded` if the channel is not joined within this time (default 10 s). */
  joinTimeoutMs?: number;
  /** Re-validate the token this often, as Twitch requires (default 1 h; 0 = never). */
  validateIntervalMs?: number;
  /** Send limits (default: Twitch's, see rateLimiter.ts). */
  limits?: Partial<ChatRateLimits>;
  random?: () => number;
  now?: () => number;
  fetch?: typeof fetch;
}

export interface TwitchChatStats extends RateLimiterStats {
  /** Connection attempts made (first one included). */
  connects: number;
  messages: number;
  events: number;
  /** Replies queued but not yet sent. */
  pending: number;
  /** `say()` calls refused: read-only, stopped or failed. */
  sayRefused: number;
}

export interface TwitchChat {
  /** Resolves once the first attempt has an outcome (joined, failed, or retrying); never rejects. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Queue a reply for chat: cleaned, rate-limited, deduplicated. No-op when replyInChat is false or read-only. */
  say(text: string): void;
  setReplyInChat(on: boolean): void;
  readonly mode: 'authenticated' | 'anonymous';
  stats(): TwitchChatStats;
}

/** tmi.js `connection` options from a ws:// or wss:// URL. */
export function tmiConnectionFromUrl(url: string): { server: string; port: number; secure: boolean } {
  const u = new URL(url);
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') {
    throw new Error(`Twitch IRC URL must start with ws:// or wss:// (got ${u.protocol})`);
  }
  const secure = u.protocol === 'wss:';
  return { server: u.hostname, port: u.port ? Number(u.port) : secure ? 443 : 80, secure };
}

const AUTH_FAILURE = /Login authentication failed|Improperly formatted auth|Login unsuccessful|Error logging in/i;

type Phase = 'idle' | 'connecting' | 'connected' | 'joined' | 'waiting' | 'failed' | 'stopped';

/** What tmi.js's parser hands to `handleMessage` (not part of its typings). */
interface RawIrcMessage {
  command: string;
  prefix: string | null;
  params: string[];
  tags: Record<string, unknown>;
}

export function createTwitchChat(opts: TwitchChatOptions): TwitchChat {
  return new TwitchChatClient(opts);
}

class TwitchChatClient implements TwitchChat {
  private readonly channel: string;
  private readonly connection: { server: string; port: number; secure: boolean };
  private readonly log: Logger;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly limiter: ChatRateLimiter;
  private token: string | undefined;
  private refreshToken: string | undefined;
  private login: string | undefined;
  private anonymous: boolean;
  private readOnlyReason = '';
  private replyInChat: boolean;
  private phase: Phase = 'idle';
  private client: TmiClient | undefined;
  private attempt = 0;
  private refreshTried = false;
  private renewing: Promise<void> | undefined;
  private startPromise: Promise<void> | undefined;
  private startResolvers: Array<() => void> = [];
  private lastSent: { state: ServiceState; detail: string } | undefined;
  /** The NOTICE that made Twitch refuse the bot's replies, until one is delivered again. */
  private refusedBy: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private joinTimer: NodeJS.Timeout | undefined;
  private pumpTimer: NodeJS.Timeout | undefined;
  private validateTimer: NodeJS.Timeout | undefined;
  private readonly counters = { connects: 0, messages: 0, events: 0, sayRefused: 0 };

  constructor(private readonly opts: TwitchChatOptions) {
    this.channel = opts.channel.replace(/^#/, '').trim().toLowerCase();
    if (!this.channel) throw new Error('Twitch channel is empty: set TWITCH_CHANNEL');
    this.connection = tmiConnectionFromUrl(opts.ircUrl ?? TWITCH_IRC_URL);
    this.log = opts.log;
    this.backoff = { ...TWITCH_BACKOFF, ...opts.backoff };
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
    this.limiter = new ChatRateLimiter(opts.limits, this.now);
    this.token = normalizeToken(opts.token);
    this.refreshToken = opts.refreshToken?.trim() || undefined;
    this.login = opts.login?.trim().toLowerCase() || undefined;
    this.anonymous = this.token === undefined;
    if (this.anonymous) this.readOnlyReason = 'no TWITCH_BOT_TOKEN';
    this.replyInChat = opts.replyInChat ?? true;
  }

  get mode(): 'authenticated' | 'anonymous' {
    return this.anonymous ? 'anonymous' : 'authenticated';
  }

  start(): Promise<void> {
    if (this.startPromise) return this.startPromise;
    this.startPromise = new Promise<void>((resolve) => this.startResolvers.push(resolve));
    this.report('starting', `connecting to Twitch chat #${this.channel}${this.anonymous ? ' (read-only)' : ''}`);
    void this.connectOnce();
    return this.startPromise;
  }

  async stop(): Promise<void> {
    if (this.phase === 'stopped') return;
    this.phase = 'stopped';
    this.clearTimers();
    this.limiter.clear();
    const c = this.client;
    this.client = undefined;
    if (c) await closeQuietly(c, 1_000);
    this.report('down', 'stopped');
    this.resolveStart();
  }

  setReplyInChat(on: boolean): void {
    this.replyInChat = on;
  }

  say(text: string): void {
    if (!this.replyInChat) return;
    if (this.anonymous || this.phase === 'failed' || this.phase === 'stopped') {
      this.counters.sayRefused++;
      this.log.debug({ mode: this.mode, phase: this.phase }, 'twitch: chat reply not sent (cannot write in chat)');
      return;
    }
    const r = this.limiter.enqueue(text);
    if (!r.ok) {
      this.log.debug({ reason: r.reason }, 'twitch: chat reply not queued');
      return;
    }
    if (r.droppedOldest) this.log.warn('twitch: chat reply queue full, dropped the oldest reply');
    this.pump();
  }

  stats(): TwitchChatStats {
    return { ...this.counters, ...this.limiter.stats, pending: this.limiter.pending };
  }

  // ---------------------------------------------------------------- connection life

  private async connectOnce(): Promise<void> {
    if (this.phase === 'stopped' || this.phase === 'failed') return;
    this.retryTimer = undefined;
    this.phase = 'connecting';
    if (!this.anonymous && !this.login) {
      try {
        this.login = (await validateTwitchToken({ authUrl: this.authUrl, token: this.token ?? '', fetch: this.opts.fetch })).login;
      } catch (err) {
        if (this.phase !== 'connecting') return;
        if (err instanceof TwitchAuthError && err.kind === 'rejected') return this.onAuthFailure('token rejected by id.twitch.tv');
        return this.scheduleRetry(`could not look up the bot login: ${errorText(err)}`);
      }
      if (this.phase !== 'connecting') return;
    }
    const client = this.createTmi();
    this.client = client;
    this.counters.connects++;
    const timeout = this.opts.connectTimeoutMs ?? 15_000;
    this.connectTimer = setTimeout(() => {
      if (client === this.client && this.phase === 'connecting') this.scheduleRetry(`no login answer within ${timeout} ms`);
    }, timeout);
    // The outcome arrives as 'connected' / 'disconnected' events.
    client.connect().catch(() => undefined);
  }

  private createTmi(): TmiClient {
    const anonLogin = `justinfan${Math.floor(this.random() * 80_000) + 1_000}`;
    // tmi logs every chat line at `messagesLogLevel`; chat is untrusted text, keep all of it at debug.
    const tmiLog = {
      debug: (m: string) => this.log.debug({ src: 'tmi' }, m),
      info: (m: string) => this.log.debug({ src: 'tmi' }, m),
      warn: (m: string) => this.log.debug({ src: 'tmi' }, m),
      error: (m: string) => this.log.debug({ src: 'tmi' }, m),
    };
    const client = new tmi.Client({
      options: { skipUpdatingEmotesets: true, skipMembership: true, messagesLogLevel: 'debug', joinInterval: 300 },
      connection: { ...this.connection, reconnect: false },
      identity: this.anonymous
        ? { username: anonLogin }
        : { username: this.login, password: () => `oauth:${this.token ?? ''}` },
      channels: [this.channel],
      logger: tmiLog,
    });
    this.hookRawMessages(client);
    this.attachEvents(client);
    return client;
  }

  /**
   * Two things tmi.js's events do not offer: RECONNECT (tmi would reconnect on its own, outside
   * our backoff and past `stop()`), and every USERSTATE (which says whether the bot is a mod).
   */
  private hookRawMessages(client: TmiClient): void {
    const inner = client as unknown as { handleMessage(m: RawIrcMessage | null): void };
    const original = inner.handleMessage.bind(client);
    inner.handleMessage = (m) => {
      if (m && m.prefix === 'tmi.twitch.tv' && m.command === 'RECONNECT') return this.onServerReconnect(client);
      original(m);
      if (m && m.command === 'USERSTATE' && client === this.client && m.params[0] === `#${this.channel}`) {
        this.onDelivered();
        const was = this.limiter.privileged;
        this.limiter.setPrivileged(isPrivileged(m.tags, this.login, this.channel));
        if (was !== this.limiter.privileged) this.pump();
      }
    };
  }

  private attachEvents(client: TmiClient): void {
    const mine = (channel: string) => client === this.client && channel === `#${this.channel}`;
    const guard =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A) => {
        try {
          fn(...args);
        } catch (err) {
          this.log.error({ err: errorText(err) }, 'twitch: failed to handle a chat event');
        }
      };

    client.on('connected', guard(() => client === this.client && this.onConnected()));
    client.on(
      'join',
      guard((channel: string, _user: string, self: boolean) => {
        if (self && mine(channel)) this.onJoined();
      }),
    );
    client.on('disconnected', guard((reason: string) => this.onDisconnected(client, reason)));

    client.on(
      'message',
      guard((channel: string, tags: ChatUserstate, text: string, self: boolean) => {
        if (self || !mine(channel)) return;
        this.forwardMessage(tags, text);
      }),
    );
    // tmi emits 'cheer' instead of 'message' for lines carrying bits.
    client.on(
      'cheer',
      guard((channel: string, tags: ChatUserstate, text: string) => {
        if (!mine(channel)) return;
        this.forwardMessage(tags, text);
        const ev = cheerEventFromTags(tags, text, this.now());
        if (ev) this.forwardEvent(ev);
      }),
    );

    const notice = (kind: UserNoticeKind) => (channel: string, tags: TmiTags, text?: string | null) => {
      if (mine(channel)) this.forwardEvent(streamEventFromUserNotice(kind, tags, text, this.now()));
    };
    client.on('subscription', guard((ch, _u, _m, text, tags) => notice('sub')(ch, tags, text)));
    client.on('resub', guard((ch, _u, _months, text, tags) => notice('resub')(ch, tags, text)));
    client.on('subgift', guard((ch, _u, _streak, _recipient, _m, tags) => notice('subgift')(ch, tags)));
    client.on('anonsubgift', guard((ch, _streak, _recipient, _m, tags) => notice('subgift')(ch, tags)));
    client.on('submysterygift', guard((ch, _u, _n, _m, tags) => notice('submysterygift')(ch, tags)));
    client.on('anonsubmysterygift', guard((ch, _n, _m, tags) => notice('submysterygift')(ch, tags)));
    // tmi passes the tags as a 4th argument its typings leave out.
    (client as unknown as { on(e: 'raided', f: (ch: string, u: string, n: number, tags: TmiTags) => void): void }).on(
      'raided',
      guard((ch: string, _u: string, _n: number, tags: TmiTags) => notice('raid')(ch, tags ?? {})),
    );

    client.on(
      'messagedeleted',
      guard((channel, user, _text, tags) => {
        const id = typeof tags['target-msg-id'] === 'string' ? tags['target-msg-id'] : undefined;
        if (mine(channel) && id) this.emitInput({ type: 'chat.deleted', platform: 'twitch', messageId: id, ...(user ? { user } : {}) });
      }),
    );
    client.on(
      'timeout',
      guard((channel, user, _reason, duration) => {
        if (mine(channel)) this.emitInput({ type: 'chat.cleared', platform: 'twitch', user: user.toLowerCase(), durationSec: Number(duration) });
      }),
    );
    client.on(
      'ban',
      guard((channel, user) => {
        if (mine(channel)) this.emitInput({ type: 'chat.cleared', platform: 'twitch', user: user.toLowerCase() });
      }),
    );
    client.on(
      'clearchat',
      guard((channel) => {
        if (mine(channel)) this.emitInput({ type: 'chat.cleared', platform: 'twitch' });
      }),
    );
    client.on(
      'notice',
      guard((channel, msgid) => {
        if (mine(channel)) this.onNotice(String(msgid));
      }),
    );
  }

  private onConnected(): void {
    clearTimeout(this.connectTimer);
    this.phase = 'connected';
    this.armJoinTimer(0);
  }

  /** No JOIN answer: report it, and ask again with backoff (Twitch ignores JOINs over its rate limit). */
  private armJoinTimer(tries: number): void {
    const timeout = this.opts.joinTimeoutMs ?? 10_000;
    const client = this.client;
    this.joinTimer = setTimeout(() => {
      if (this.phase !== 'connected' || client !== this.client || !client) return;
      this.report('degraded', `logged in to Twitch chat but could not join #${this.channel}; asking again`, {
        fix: 'check TWITCH_CHANNEL (the channel login, e.g. "streamername")',
      });
      this.resolveStart();
      this.joinTimer = setTimeout(() => {
        if (this.phase !== 'connected' || client !== this.client) return;
        client.join(this.channel).catch(() => undefined);
        this.armJoinTimer(tries + 1);
      }, backoffDelay(tries, this.backoff, this.random));
    }, timeout);
  }

  private onJoined(): void {
    clearTimeout(this.joinTimer);
    this.phase = 'joined';
    this.refusedBy = undefined;
    this.attempt = 0;
    this.refreshTried = false;
    if (this.anonymous) {
      this.report('up', `reading #${this.channel} anonymously, read-only (${this.readOnlyReason})`, { fix: READ_ONLY_FIX });
    } else {
      this.report('up', `connected to #${this.channel} as ${this.login ?? '?'}`);
      this.startValidateLoop();
    }
    this.log.info({ channel: this.channel, mode: this.mode }, 'twitch: joined chat');
    this.resolveStart();
    this.pump();
  }

  private onDisconnected(client: TmiClient, reason: string): void {
    // tmi reports a failed socket twice (error, then close): only the first one counts.
    if (client !== this.client) return;
    if (this.phase === 'stopped' || this.phase === 'failed' || this.phase === 'waiting') return;
    if (AUTH_FAILURE.test(reason)) return void this.onAuthFailure(reason);
    if (/Invalid NICK/i.test(reason)) {
      return this.fail('Twitch refused the bot login name (Invalid NICK)', 'check the bot account login');
    }
    this.scheduleRetry(reason || 'connection closed');
  }

  private onServerReconnect(client: TmiClient): void {
    if (client !== this.client || this.phase === 'stopped' || this.phase === 'failed') return;
    this.log.info('twitch: server asked to reconnect (maintenance)');
    this.dropClient();
    this.phase = 'waiting';
    this.attempt = 0;
    this.report('starting', 'Twitch asked Pickle to reconnect (server maintenance); reconnecting');
    this.retryTimer = setTimeout(() => void this.connectOnce(), 0);
  }

  private scheduleRetry(reason: string): void {
    if (this.phase === 'stopped' || this.phase === 'failed') return;
    this.dropClient();
    this.phase = 'waiting';
    const delay = backoffDelay(this.attempt, this.backoff, this.random);
    this.attempt++;
    this.log.warn({ reason, attempt: this.attempt, retryInMs: delay }, 'twitch: chat connection lost, reconnecting');
    this.report('down', `disconnected from Twitch chat (${reason}); reconnecting in ${formatDelay(delay)}`, {
      lastError: reason,
    });
    this.retryTimer = setTimeout(() => void this.connectOnce(), delay);
    this.resolveStart();
  }

  private async onAuthFailure(reason: string): Promise<void> {
    this.dropClient();
    if (this.canRefresh() && !this.refreshTried) {
      this.refreshTried = true;
      this.phase = 'waiting';
      this.report('starting', 'Twitch rejected the bot token; renewing it with the refresh token');
      try {
        await this.renewTokens();
      } catch (err) {
        if (this.stopped()) return;
        if (err instanceof TwitchAuthError && err.retryable) {
          this.refreshTried = false;
          return this.scheduleRetry(`could not renew the token: ${err.message}`);
        }
        return this.fail(`Twitch refused to renew the bot token (${errorText(err)})`, TOKEN_FIX);
      }
      if (this.stopped()) return;
      void this.connectOnce();
      return;
    }
    const again = this.refreshTried ? ' even after renewing it' : '';
    this.fail(`Twitch rejected the bot token${again} (${reason})`, TOKEN_FIX);
  }

  private fail(detail: string, fix: string): void {
    this.dropClient();
    this.clearTimers();
    this.phase = 'failed';
    this.log.error({ channel: this.channel }, `twitch: ${detail}; not retrying. Fix: ${fix}`);
    this.report('down', detail, { fix, lastError: detail });
    this.resolveStart();
    if (this.opts.fallbackToAnonymous && !this.anonymous) {
      this.anonymous = true;
      this.readOnlyReason = 'the bot token was rejected';
      this.limiter.clear();
      this.phase = 'idle';
      void this.connectOnce();
    }
  }

  // ---------------------------------------------------------------- tokens

  private get authUrl(): string {
    return this.opts.authUrl ?? TWITCH_AUTH_URL;
  }

  private canRefresh(): boolean {
    return Boolean(this.refreshToken && this.opts.clientId && this.opts.clientSecret);
  }

  /** One refresh at a time: with rotating refresh tokens, two in flight would burn each other. */
  private renewTokens(): Promise<void> {
    this.renewing ??= (async () => {
      try {
        const t = await refreshTwitchToken({
          authUrl: this.authUrl,
          clientId: this.opts.clientId ?? '',
          clientSecret: this.opts.clientSecret ?? '',
          refreshToken: this.refreshToken ?? '',
          fetch: this.opts.fetch,
        });
        this.token = normalizeToken(t.accessToken);
        if (t.refreshToken) this.refreshToken = t.refreshToken;
        this.log.info('twitch: bot token renewed');
        try {
          this.opts.onTokens?.({ accessToken: t.accessToken, ...(this.refreshToken ? { refreshToken: this.refreshToken } : {}) });
        } catch (err) {
          this.log.warn({ err: errorText(err) }, 'twitch: could not hand over the renewed token');
        }
      } finally {
        this.renewing = undefined;
      }
    })();
    return this.renewing;
  }

  /** Twitch asks apps to validate tokens hourly; a token found dead is renewed before the next reconnect needs it. */
  private startValidateLoop(): void {
    const every = this.opts.validateIntervalMs ?? 3_600_000;
    if (every <= 0 || this.validateTimer || this.anonymous) return;
    this.validateTimer = setInterval(() => void this.revalidate(), every);
    this.validateTimer.unref();
  }

  private async revalidate(): Promise<void> {
    if (this.anonymous || !this.token || this.phase === 'stopped' || this.phase === 'failed') return;
    try {
      await validateTwitchToken({ authUrl: this.authUrl, token: this.token, fetch: this.opts.fetch });
      return;
    } catch (err) {
      if (!(err instanceof TwitchAuthError) || err.kind !== 'rejected') {
        this.log.debug({ err: errorText(err) }, 'twitch: token validation skipped');
        return;
      }
    }
    if (!this.canRefresh()) {
      this.log.warn(`twitch: the bot token is no longer valid; chat stops at the next reconnect. Fix: ${TOKEN_FIX}`);
      this.report('degraded', 'the bot token is no longer valid; chat stops at the next reconnect', { fix: TOKEN_FIX });
      return;
    }
    try {
      await this.renewTokens();
    } catch (err) {
      this.log.warn({ err: errorText(err) }, 'twitch: could not renew the bot token after validation');
    }
  }

  // ---------------------------------------------------------------- chat in, chat out

  private forwardMessage(tags: ChatUserstate, text: string): void {
    this.counters.messages++;
    this.emitInput({ type: 'chat.message', message: chatMessageFromTags(tags, text, this.now()) });
  }

  private forwardEvent(event: StreamEvent): void {
    this.counters.events++;
    this.emitInput({ type: 'stream.event', event });
  }

  private onNotice(msgid: string): void {
    const verdict = chatRefusalVerdict(msgid, this.channel, this.login ?? '');
    if (verdict.kind === 'other') return void this.log.debug({ msgid }, 'twitch: notice');
    this.log.warn({ msgid }, `twitch: ${verdict.detail}`);
    if (verdict.kind !== 'degraded') return;
    this.refusedBy = msgid;
    this.report('degraded', verdict.detail, { fix: verdict.fix, lastError: msgid });
  }

  /** Twitch answers a delivered PRIVMSG with USERSTATE: replies reach chat again. */
  private onDelivered(): void {
    if (!this.refusedBy || this.phase !== 'joined') return;
    this.log.info({ msgid: this.refusedBy }, 'twitch: chat replies are delivered again');
    this.refusedBy = undefined;
    this.report('up', `connected to #${this.channel} as ${this.login ?? '?'}`);
  }

  private pump(): void {
    if (this.pumpTimer || this.phase !== 'joined' || !this.client) return;
    for (;;) {
      const next = this.limiter.poll();
      if (!next) return;
      if ('waitMs' in next) {
        this.pumpTimer = setTimeout(() => {
          this.pumpTimer = undefined;
          this.pump();
        }, next.waitMs);
        return;
      }
      this.client.say(`#${this.channel}`, next.text).catch((err: unknown) => {
        this.log.warn({ err: errorText(err) }, 'twitch: could not send a chat reply');
      });
    }
  }

  // ---------------------------------------------------------------- plumbing

  private emitInput(event: InputEvent): void {
    try {
      this.opts.send(event);
    } catch (err) {
      this.log.error({ err: errorText(err), type: event.type }, 'twitch: event consumer threw');
    }
  }

  private report(state: ServiceState, detail: string, extra: { fix?: string; lastError?: string } = {}): void {
    this.opts.status.set('twitch', state, detail, extra);
    if (this.lastSent?.state === state && this.lastSent.detail === detail) return;
    this.lastSent = { state, detail };
    this.emitInput({ type: 'service.status', service: 'twitch', state, detail });
  }

  /** Re-reads the phase after an await (TypeScript would keep the narrowed value). */
  private stopped(): boolean {
    return this.phase === 'stopped';
  }

  private resolveStart(): void {
    const rs = this.startResolvers;
    this.startResolvers = [];
    for (const r of rs) r();
  }

  /** Forget the current tmi client; its late events are ignored and its socket closed. */
  private dropClient(): void {
    clearTimeout(this.connectTimer);
    clearTimeout(this.joinTimer);
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    const c = this.client;
    this.client = undefined;
    if (c) void closeQuietly(c, 1_000);
  }

  private clearTimers(): void {
    for (const t of [this.retryTimer, this.connectTimer, this.joinTimer, this.pumpTimer]) clearTimeout(t);
    clearInterval(this.validateTimer);
    this.retryTimer = this.connectTimer = this.joinTimer = this.pumpTimer = this.validateTimer = undefined;
  }
}

async function closeQuietly(c: TmiClient, waitMs: number): Promise<void> {
  c.removeAllListeners();
  const state = c.readyState();
  if (state !== 'OPEN' && state !== 'CONNECTING') return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    c.disconnect().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    }),
  ]);
  clearTimeout(timer);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function formatDelay(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
