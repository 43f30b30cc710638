import { refreshTwitchToken, validateTwitchToken, TwitchAuthError, type ValidatedToken } from '../tokenRefresh.ts';
import { loadStoredTokens, saveTokens } from '../../chat/tokenStore.ts';
import { errorText } from '../../errors.ts';

/**
 * The broadcaster's user token (channel points and follows are the broadcaster's, not the bot's):
 * validated at start for its user and scopes, refreshed with its own refresh token when Twitch
 * refuses it, and kept in its own file in the data dir like the bot's.
 */

export const BROADCASTER_TOKEN_FILE = 'twitch-broadcaster-tokens.json';

export const SCOPE_REDEMPTIONS = 'channel:manage:redemptions';
export const SCOPE_READ_REDEMPTIONS = 'channel:read:redemptions';
export const SCOPE_FOLLOWERS = 'moderator:read:followers';

export interface BroadcasterTokenOptions {
  dataDir: string;
  authUrl: string;
  clientId: string;
  clientSecret?: string;
  /** TWITCH_BROADCASTER_TOKEN and TWITCH_BROADCASTER_REFRESH_TOKEN as set in .env. */
  envToken: string;
  envRefreshToken?: string;
  fetch?: typeof fetch;
}

/** A refusal the streamer has to fix (`fix` says how), as opposed to Twitch being unreachable. */
export class BroadcasterTokenError extends Error {
  readonly fix: string;
  readonly retryable: boolean;
  constructor(message: string, fix: string, retryable = false) {
    super(message);
    this.name = 'BroadcasterTokenError';
    this.fix = fix;
    this.retryable = retryable;
  }
}

export const FIX_TOKEN =
  'authorise Pickle as the broadcaster (scopes channel:manage:redemptions moderator:read:followers) and put the token in TWITCH_BROADCASTER_TOKEN (and its refresh token in TWITCH_BROADCASTER_REFRESH_TOKEN)';

export class BroadcasterToken {
  private access: string;
  private refreshToken: string | undefined;
  info: ValidatedToken | undefined;

  constructor(private readonly o: BroadcasterTokenOptions) {
    const stored = loadStoredTokens(o.dataDir, o.envToken, BROADCASTER_TOKEN_FILE);
    this.access = stored?.accessToken ?? o.envToken;
    this.refreshToken = stored?.refreshToken ?? o.envRefreshToken;
  }

  get token(): string {
    return this.access;
  }

  /** Validates (refreshing once if Twitch refuses it) and checks the client id and the scopes. */
  async validate(): Promise<ValidatedToken> {
    let info: ValidatedToken;
    try {
      info = await validateTwitchToken({ token: this.access, authUrl: this.o.authUrl, ...(this.o.fetch ? { fetch: this.o.fetch } : {}) });
    } catch (err) {
      if (!(err instanceof TwitchAuthError) || err.retryable) throw this.unreachable(err);
      if (!(await this.refresh())) throw new BroadcasterTokenError('Twitch refused TWITCH_BROADCASTER_TOKEN', FIX_TOKEN);
      info = await validateTwitchToken({ token: this.access, authUrl: this.o.authUrl, ...(this.o.fetch ? { fetch: this.o.fetch } : {}) }).catch((e: unknown) => {
        throw e instanceof TwitchAuthError && !e.retryable ? new BroadcasterTokenError('Twitch refused TWITCH_BROADCASTER_TOKEN', FIX_TOKEN) : this.unreachable(e);
      });
    }
    if (info.clientId && info.clientId !== this.o.clientId) {
      throw new BroadcasterTokenError(
        'TWITCH_BROADCASTER_TOKEN was issued to another app than TWITCH_CLIENT_ID',
        'set TWITCH_CLIENT_ID to the app that issued TWITCH_BROADCASTER_TOKEN, or authorise that app again',
      );
    }
    if (!info.scopes.includes(SCOPE_REDEMPTIONS) && !info.scopes.includes(SCOPE_READ_REDEMPTIONS)) {
      throw new BroadcasterTokenError(
        `TWITCH_BROADCASTER_TOKEN lacks the scope ${SCOPE_REDEMPTIONS}`,
        `authorise again with the scope ${SCOPE_REDEMPTIONS} (and ${SCOPE_FOLLOWERS} for follows), then update TWITCH_BROADCASTER_TOKEN`,
      );
    }
    this.info = info;
    return info;
  }

  /** A new access token from the refresh token; false when there is none or Twitch refused it. */
  async refresh(): Promise<boolean> {
    if (!this.refreshToken || !this.o.clientSecret) return false;
    try {
      const t = await refreshTwitchToken({
        clientId: this.o.clientId,
        clientSecret: this.o.clientSecret,
        refreshToken: this.refreshToken,
        authUrl: this.o.authUrl,
        ...(this.o.fetch ? { fetch: this.o.fetch } : {}),
      });
      this.access = t.accessToken;
      if (t.refreshToken) this.refreshToken = t.refreshToken;
      saveTokens(this.o.dataDir, this.o.envToken, { accessToken: this.access, ...(this.refreshToken ? { refreshToken: this.refreshToken } : {}) }, BROADCASTER_TOKEN_FILE);
      return true;
    } catch (err) {
      if (err instanceof TwitchAuthError && err.retryable) throw this.unreachable(err);
      return false;
    }
  }

  private unreachable(err: unknown): BroadcasterTokenError {
    return new BroadcasterTokenError(`could not check TWITCH_BROADCASTER_TOKEN: ${errorText(err)}`, 'check the network; Pickle retries', true);
  }
}
