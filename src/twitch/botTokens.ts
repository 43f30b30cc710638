/**
 * The bot account's tokens: the access token tmi.js logs in with, renewed with the refresh token
 * when Twitch rejects it, and re-validated hourly as Twitch asks apps to. Secrets never reach a log.
 */
import type { Logger } from '../log.ts';
import { normalizeToken, refreshTwitchToken, TWITCH_AUTH_URL, TwitchAuthError, validateTwitchToken } from './tokenRefresh.ts';
import { errorText } from '../errors.ts';

export interface BotTokensOptions {
  token: string | undefined;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  authUrl?: string;
  fetch?: typeof fetch;
  log: Logger;
  onTokens?: (tokens: { accessToken: string; refreshToken?: string }) => void;
}

/** What a periodic validation found. */
export type TokenHealth = 'valid' | 'renewed' | 'dead' | 'unknown';

export class BotTokens {
  access: string | undefined;
  private refresh: string | undefined;
  private renewing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: BotTokensOptions) {
    this.access = normalizeToken(opts.token);
    this.refresh = opts.refreshToken?.trim() || undefined;
  }

  get canRenew(): boolean {
    return Boolean(this.refresh && this.opts.clientId && this.opts.clientSecret);
  }

  private get authUrl(): string {
    return this.opts.authUrl ?? TWITCH_AUTH_URL;
  }

  /** The bot's login, as id.twitch.tv knows the token. Rejects with a TwitchAuthError. */
  async login(): Promise<string> {
    return (await validateTwitchToken({ authUrl: this.authUrl, token: this.access ?? '', fetch: this.opts.fetch })).login;
  }

  /** One renewal at a time: with rotating refresh tokens, two in flight would burn each other. */
  renew(): Promise<void> {
    this.renewing ??= (async () => {
      try {
        const t = await refreshTwitchToken({
          authUrl: this.authUrl,
          clientId: this.opts.clientId ?? '',
          clientSecret: this.opts.clientSecret ?? '',
          refreshToken: this.refresh ?? '',
          fetch: this.opts.fetch,
        });
        this.access = normalizeToken(t.accessToken);
        if (t.refreshToken) this.refresh = t.refreshToken;
        this.opts.log.info('twitch: bot token renewed');
        try {
          this.opts.onTokens?.({ accessToken: t.accessToken, ...(this.refresh ? { refreshToken: this.refresh } : {}) });
        } catch (err) {
          this.opts.log.warn({ err: errorText(err) }, 'twitch: could not hand over the renewed token');
        }
      } finally {
        this.renewing = undefined;
      }
    })();
    return this.renewing;
  }

  /** Validate every `everyMs` (0 = never) while `live()`; a token found dead is renewed before the next reconnect needs it. */
  watch(everyMs: number, live: () => boolean, onDead: () => void): void {
    if (everyMs <= 0 || this.timer || !this.access) return;
    this.timer = setInterval(() => {
      if (!live()) return;
      void this.check().then((health) => health === 'dead' && onDead());
    }, everyMs);
    this.timer.unref();
  }

  unwatch(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async check(): Promise<TokenHealth> {
    try {
      await validateTwitchToken({ authUrl: this.authUrl, token: this.access ?? '', fetch: this.opts.fetch });
      return 'valid';
    } catch (err) {
      if (!(err instanceof TwitchAuthError) || err.kind !== 'rejected') {
        this.opts.log.debug({ err: errorText(err) }, 'twitch: token validation skipped');
        return 'unknown';
      }
    }
    if (!this.canRenew) return 'dead';
    try {
      await this.renew();
      return 'renewed';
    } catch (err) {
      this.opts.log.warn({ err: errorText(err) }, 'twitch: could not renew the bot token after validation');
      return 'unknown';
    }
  }
}

