/**
 * The Twitch IRC connection and the channel membership, carried out for two reconnect machines
 * (machines/reconnect.ts): `irc` decides when to log in, wait, renew the token or stop; `membership`
 * decides when to JOIN again while logged in (Twitch ignores JOINs over its rate limit). This file
 * opens and drops tmi.js clients and reports the facts back: logged in, joined, lost (classified),
 * renewed. What happens in the channel is the caller's (`hooks.attach`).
 */
import type { Client as TmiClient } from 'tmi.js';
import type { ServiceState } from '../../machines/events.ts';
import type { AdapterChild } from '../../machines/children.ts';
import type { ReconnectEmitted } from '../../machines/reconnect.ts';
import { standaloneChildren } from '../children.ts';
import { classifyChatDisconnect, type FailureClass } from '../errors.ts';
import { TWITCH_BACKOFF } from './backoff.ts';
import { BotTokens } from './botTokens.ts';
import { errorText } from '../errors.ts';
import { READ_ONLY_FIX, TOKEN_FIX, TWITCH_IRC_URL, tmiConnectionFromUrl, type TwitchChatOptions } from './options.ts';
import type { TmiTags } from './parse.ts';
import { TwitchAuthError } from './tokenRefresh.ts';
import { closeQuietly, createTmiClient, watchRawMessages } from './tmiClient.ts';

type Emitted<T extends ReconnectEmitted['type']> = Extract<ReconnectEmitted, { type: T }>;

export interface TwitchLinkHooks {
  report(state: ServiceState, detail: string, extra?: { fix?: string; lastError?: string }): void;
  /** A new client: listen to the channel on it while `mine(channel)` holds. */
  attach(client: TmiClient, mine: (channel: string) => boolean): void;
  /** A USERSTATE for the channel (a reply was delivered; the bot's badges). */
  userState(tags: TmiTags): void;
  joined(): void;
  /** The client in use is gone (nothing can be sent until the next join). */
  dropped(): void;
  /** The token was rejected for good and the link reads on anonymously: nothing can be written. */
  readOnly(): void;
}

export class TwitchLink {
  readonly channel: string;
  login: string | undefined;
  connects = 0;
  private readonly connection: { server: string; port: number; secure: boolean };
  private readonly random: () => number;
  private readonly tokens: BotTokens;
  /** The IRC connection's life. */
  private readonly irc: AdapterChild<'reconnect'>;
  /** The channel membership's life, while logged in. */
  private readonly membership: AdapterChild<'reconnect'>;
  /** The bot, or an anonymous reader. */
  private readonly access: AdapterChild<'chatAccess'>;
  private client: TmiClient | undefined;
  /** Bumped whenever the current client is dropped: an answer for an older attempt is ignored. */
  private generation = 0;
  private startPromise: Promise<void> | undefined;
  private startResolvers: Array<() => void> = [];

  constructor(
    private readonly opts: TwitchChatOptions,
    private readonly hooks: TwitchLinkHooks,
  ) {
    this.channel = opts.channel.replace(/^#/, '').trim().toLowerCase();
    if (!this.channel) throw new Error('Twitch channel is empty: set TWITCH_CHANNEL');
    this.connection = tmiConnectionFromUrl(opts.ircUrl ?? TWITCH_IRC_URL);
    this.random = opts.random ?? Math.random;
    this.tokens = new BotTokens({
      token: opts.token,
      refreshToken: opts.refreshToken,
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      authUrl: opts.authUrl,
      fetch: opts.fetch,
      log: opts.log,
      onTokens: opts.onTokens,
    });
    this.login = opts.login?.trim().toLowerCase() || undefined;

    const backoff = { ...TWITCH_BACKOFF, ...opts.backoff };
    // In Pickle these machines are the orchestrator's children (its clock, the inspector).
    const children = opts.children ?? standaloneChildren();
    this.access = children.start({
      src: 'chatAccess',
      systemId: 'chatAccess:twitch',
      input: { credentials: this.tokens.access !== undefined, readAnonymouslyWhenRefused: opts.fallbackToAnonymous ?? false },
    });
    this.access.on('access.readOnly', () => this.readAnonymously());
    this.irc = children.start({
      src: 'reconnect',
      systemId: 'reconnect:twitch-chat',
      input: { ...backoff, connectTimeoutMs: opts.connectTimeoutMs ?? 15_000, renewals: this.tokens.canRenew ? 1 : 0 },
    });
    this.irc.on('connection.open', () => void this.open());
    this.irc.on('connection.retrying', (e) => this.onRetrying(e));
    this.irc.on('connection.renew', () => void this.renew());
    this.irc.on('connection.failed', (e) => this.onFailed(e));
    this.membership = children.start({ src: 'reconnect', systemId: 'reconnect:twitch-channel', input: { ...backoff, connectTimeoutMs: opts.joinTimeoutMs ?? 10_000 } });
    // The first JOIN is tmi's own (the channel is in its options); later ones are asked here.
    this.membership.on('connection.open', (e) => {
      if (e.attempt > 0) void this.client?.join(this.channel).catch(() => undefined);
    });
    this.membership.on('connection.retrying', () => this.onJoinOverdue());
  }

  /** Resolves once the first attempt has an outcome (joined, failed, or retrying). */
  start(): Promise<void> {
    if (this.startPromise) return this.startPromise;
    this.startPromise = new Promise<void>((resolve) => this.startResolvers.push(resolve));
    this.hooks.report('starting', `connecting to Twitch chat #${this.channel}${this.anonymous ? ' (read-only)' : ''}`);
    this.irc.send({ type: 'connection.start' });
    return this.startPromise;
  }

  async stop(): Promise<void> {
    if (this.irc.getSnapshot().matches('stopped')) return;
    this.irc.send({ type: 'connection.stop' });
    this.tokens.unwatch();
    await this.dropClient();
    this.hooks.report('down', 'stopped');
    this.resolveStart();
  }

  /** Reading only: no credentials, or the bot's refused and the streamer chose to read on. */
  get anonymous(): boolean {
    return this.access.getSnapshot().matches('anonymous');
  }

  /** Stopped, or stopped for good: nothing will be written. */
  get down(): boolean {
    const s = this.irc.getSnapshot();
    return s.matches('failed') || s.matches('stopped');
  }

  /** The client to write with, while the channel is joined. */
  get joinedClient(): TmiClient | undefined {
    return this.membership.getSnapshot().matches('connected') ? this.client : undefined;
  }

  // ---------------------------------------------------------------- what the machines ask for

  private async open(): Promise<void> {
    const generation = this.generation;
    if (!this.anonymous && !this.login) {
      try {
        this.login = await this.tokens.login();
      } catch (err) {
        if (generation !== this.generation) return;
        if (err instanceof TwitchAuthError && err.kind === 'rejected') return this.lost('auth', this.rejected('token rejected by id.twitch.tv'));
        return this.lost('retryable', `could not look up the bot login: ${errorText(err)}`);
      }
      if (generation !== this.generation) return;
    }
    const login = this.login;
    const client = await createTmiClient({
      connection: this.connection,
      channel: this.channel,
      identity: this.anonymous || !login ? undefined : { login, token: () => this.tokens.access ?? '' },
      random: this.random,
      log: this.opts.log,
    });
    if (generation !== this.generation) return;
    this.client = client;
    this.connects++;
    this.attach(client);
    // The outcome arrives as 'connected' / 'disconnected' events.
    client.connect().catch(() => undefined);
  }

  private onRetrying(e: Emitted<'connection.retrying'>): void {
    void this.dropClient();
    const reason = e.cause === 'timeout' ? `no login answer within ${this.opts.connectTimeoutMs ?? 15_000} ms` : e.reason;
    this.opts.log.warn({ reason, attempt: e.attempt, retryInMs: e.retryInMs }, 'twitch: chat connection lost, reconnecting');
    this.hooks.report('down', `disconnected from Twitch chat (${reason}); reconnecting in ${formatDelay(e.retryInMs)}`, { lastError: reason });
    this.resolveStart();
  }

  private async renew(): Promise<void> {
    void this.dropClient();
    this.hooks.report('starting', 'Twitch rejected the bot token; renewing it with the refresh token');
    try {
      await this.tokens.renew();
    } catch (err) {
      if (err instanceof TwitchAuthError && err.retryable) return this.lost('retryable', `could not renew the token: ${err.message}`);
      return this.lost('auth', `Twitch refused to renew the bot token (${errorText(err)})`);
    }
    this.irc.send({ type: 'credentials.renewed' });
  }

  private onFailed(e: Emitted<'connection.failed'>): void {
    void this.dropClient();
    const fix = e.fix ?? TOKEN_FIX;
    this.opts.log.error({ channel: this.channel }, `twitch: ${e.reason}; not retrying. Fix: ${fix}`);
    this.hooks.report('down', e.reason, { fix, lastError: e.reason });
    this.resolveStart();
    this.access.send({ type: 'access.refused' });
  }

  /** The access machine chose to read on anonymously after the bot was refused. */
  private readAnonymously(): void {
    this.tokens.unwatch();
    this.hooks.readOnly();
    this.irc.send({ type: 'connection.start' });
  }

  /** No JOIN answer: report it; the membership machine asks again with backoff. */
  private onJoinOverdue(): void {
    if (!this.client) return;
    this.hooks.report('degraded', `logged in to Twitch chat but could not join #${this.channel}; asking again`, {
      fix: 'check TWITCH_CHANNEL (the channel login, e.g. "streamername")',
    });
    this.resolveStart();
  }

  // ---------------------------------------------------------------- facts from tmi.js

  private attach(client: TmiClient): void {
    const current = () => client === this.client;
    const mine = (channel: string) => current() && channel === `#${this.channel}`;
    watchRawMessages(client, {
      onServerReconnect: () => {
        if (current()) this.onServerReconnect();
      },
      onUserState: (channel, tags) => {
        if (mine(channel)) this.hooks.userState(tags);
      },
    });
    client.on('connected', () => {
      if (!current()) return;
      this.irc.send({ type: 'connection.opened' });
      this.membership.send({ type: 'connection.start' });
    });
    client.on('join', (channel: string, _user: string, self: boolean) => {
      if (self && mine(channel)) this.onJoined();
    });
    // tmi reports a failed socket twice (error, then close): the first one drops the client.
    client.on('disconnected', (reason: string) => {
      if (current()) this.onDisconnected(reason);
    });
    this.hooks.attach(client, mine);
  }

  private onJoined(): void {
    this.membership.send({ type: 'connection.opened' });
    if (this.anonymous) {
      const because = this.access.getSnapshot().context.because === 'refused' ? 'the bot token was rejected' : 'no TWITCH_BOT_TOKEN';
      this.hooks.report('up', `reading #${this.channel} anonymously, read-only (${because})`, { fix: READ_ONLY_FIX });
    } else {
      this.hooks.report('up', `connected to #${this.channel} as ${this.login ?? '?'}`);
      this.tokens.watch(
        this.opts.validateIntervalMs ?? 3_600_000,
        () => !this.anonymous && !this.irc.getSnapshot().matches('stopped') && !this.irc.getSnapshot().matches('failed'),
        () => {
          this.opts.log.warn(`twitch: the bot token is no longer valid; chat stops at the next reconnect. Fix: ${TOKEN_FIX}`);
          this.hooks.report('degraded', 'the bot token is no longer valid; chat stops at the next reconnect', { fix: TOKEN_FIX });
        },
      );
    }
    this.opts.log.info({ channel: this.channel, mode: this.anonymous ? 'anonymous' : 'authenticated' }, 'twitch: joined chat');
    this.resolveStart();
    this.hooks.joined();
  }

  /** What the reason means is src/errors.ts's table; this only words it. */
  private onDisconnected(reason: string): void {
    const { kind, failure } = classifyChatDisconnect(reason);
    if (kind === 'auth') return this.lost(failure, this.rejected(reason));
    if (kind === 'bad-login') return this.lost(failure, 'Twitch refused the bot login name (Invalid NICK)', 'check the bot account login');
    this.lost(failure, reason || 'connection closed');
  }

  private onServerReconnect(): void {
    this.opts.log.info('twitch: server asked to reconnect (maintenance)');
    void this.dropClient();
    this.hooks.report('starting', 'Twitch asked Pickle to reconnect (server maintenance); reconnecting');
    this.irc.send({ type: 'connection.restart' });
  }

  private lost(failure: FailureClass, reason: string, fix?: string): void {
    this.irc.send({ type: 'connection.lost', failure, reason, jitter: this.random(), ...(fix ? { fix } : {}) });
  }

  /** How a refused token reads on the status board: the renewal already tried is worth saying. */
  private rejected(reason: string): string {
    const again = this.irc.getSnapshot().context.renewed > 0 ? ' even after renewing it' : '';
    return `Twitch rejected the bot token${again} (${reason})`;
  }

  private resolveStart(): void {
    const rs = this.startResolvers;
    this.startResolvers = [];
    for (const r of rs) r();
  }

  /** Forget the current tmi client (and so its channel membership); its late events are ignored and its socket closed. */
  private dropClient(): Promise<void> {
    this.generation++;
    this.membership.send({ type: 'connection.stop' });
    this.hooks.dropped();
    const c = this.client;
    this.client = undefined;
    return c ? closeQuietly(c, 1_000) : Promise.resolve();
  }
}

function formatDelay(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
