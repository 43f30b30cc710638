/**
 * An OAuth access token kept fresh from a refresh token (RFC 6749 §6), for posting in YouTube and
 * Kick chat. One refresh at a time; the token is renewed a minute before it expires, or at once
 * after the platform refused it.
 */
import { redactFromNowOn } from '../log.ts';

export interface RefreshSettings {
  /** The token endpoint (YouTube: https://oauth2.googleapis.com/token; Kick: https://id.kick.com/oauth/token). */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Told the tokens of each refresh (Kick rotates the refresh token: the old one stops working), to keep them for the next start. */
  onRefreshed?: ((tokens: { accessToken: string; refreshToken?: string }) => void) | undefined;
}

export class OAuthToken {
  private token: string | undefined;
  private expiresAt = 0;
  private pending: Promise<string> | undefined;
  /** Kick rotates refresh tokens: the newest one is used next. */
  private refreshToken: string | undefined;

  constructor(
    private readonly settings: RefreshSettings | undefined,
    initial: string | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.token = initial;
    this.refreshToken = settings?.refreshToken;
    if (initial) this.expiresAt = settings ? now() + 30 * 60_000 : Number.POSITIVE_INFINITY;
  }

  get canRefresh(): boolean {
    return this.settings !== undefined;
  }

  /** A token good for now; refreshed when it is about to expire. */
  async get(): Promise<string> {
    if (this.token && this.now() < this.expiresAt - 60_000) return this.token;
    return this.refresh();
  }

  /** The platform refused the token: the next `get()` refreshes it. */
  refused(): void {
    this.expiresAt = 0;
  }

  refresh(): Promise<string> {
    const s = this.settings;
    if (!s) return this.token ? Promise.resolve(this.token) : Promise.reject(new Error('no access token and no refresh token'));
    this.pending ??= (async () => {
      try {
        const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.refreshToken ?? s.refreshToken, client_id: s.clientId, client_secret: s.clientSecret });
        const res = await fetch(s.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, signal: AbortSignal.timeout(10_000) });
        const text = await res.text();
        if (!res.ok) throw new Error(`token refresh refused (HTTP ${res.status}): ${text.slice(0, 120).replace(/\s+/g, ' ')}`);
        const json = JSON.parse(text) as { access_token?: unknown; expires_in?: unknown; refresh_token?: unknown };
        if (typeof json.refresh_token === 'string') this.refreshToken = json.refresh_token;
        if (typeof json.access_token !== 'string') throw new Error('token refresh answered without access_token');
        this.token = json.access_token;
        redactFromNowOn(this.token, this.refreshToken);
        this.expiresAt = this.now() + (typeof json.expires_in === 'number' ? json.expires_in : 3600) * 1000;
        s.onRefreshed?.({ accessToken: this.token, ...(this.refreshToken ? { refreshToken: this.refreshToken } : {}) });
        return this.token;
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }
}
