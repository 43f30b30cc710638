/**
 * id.twitch.tv calls: refresh a user access token, validate one. Errors carry a kind and whether
 * retrying can help; their messages hold the HTTP status and Twitch's own message, never a token.
 */
import { redactFromNowOn } from '../log.ts';

export const TWITCH_AUTH_URL = 'https://id.twitch.tv';

export interface TwitchTokens {
  accessToken: string;
  /** Twitch may hand back a new refresh token: keep it, the old one may stop working. */
  refreshToken?: string;
  expiresInSec?: number;
  scopes: string[];
}

export interface ValidatedToken {
  login: string;
  userId: string;
  clientId: string;
  scopes: string[];
  expiresInSec: number;
}

export type TwitchAuthErrorKind = 'rejected' | 'unreachable' | 'server' | 'bad-response';

export class TwitchAuthError extends Error {
  readonly kind: TwitchAuthErrorKind;
  readonly status: number | undefined;
  /** Worth trying again later (network or Twitch trouble), as opposed to a refused credential. */
  readonly retryable: boolean;
  constructor(kind: TwitchAuthErrorKind, message: string, status?: number) {
    super(message);
    this.name = 'TwitchAuthError';
    this.kind = kind;
    this.status = status;
    this.retryable = kind === 'unreachable' || kind === 'server';
  }
}

/** `oauth:abc` (the seed's TWITCH_BOT_TOKEN format) and `abc` both mean token `abc`. */
export function normalizeToken(raw: string | undefined): string | undefined {
  const t = raw?.trim().replace(/^oauth:/i, '').trim();
  return t ? t : undefined;
}

interface CallOptions {
  authUrl?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

async function call(what: string, url: string, init: RequestInit, o: CallOptions): Promise<{ status: number; body: unknown }> {
  const doFetch = o.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, { ...init, signal: AbortSignal.timeout(o.timeoutMs ?? 10_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new TwitchAuthError('unreachable', `${what}: could not reach ${new URL(url).host} (${cause})`);
  }
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

function twitchMessage(body: unknown): string {
  const m = (body as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' ? m.slice(0, 200) : 'no message';
}

function fail(what: string, status: number, body: unknown): never {
  const kind: TwitchAuthErrorKind = status >= 500 || status === 429 ? 'server' : 'rejected';
  throw new TwitchAuthError(kind, `${what}: HTTP ${status} ${twitchMessage(body)}`, status);
}

export async function refreshTwitchToken(
  p: CallOptions & { clientId: string; clientSecret: string; refreshToken: string },
): Promise<TwitchTokens> {
  const base = p.authUrl ?? TWITCH_AUTH_URL;
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: p.refreshToken,
    client_id: p.clientId,
    client_secret: p.clientSecret,
  });
  const { status, body } = await call(
    'token refresh',
    new URL('/oauth2/token', base).toString(),
    { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() },
    p,
  );
  if (status !== 200) fail('token refresh', status, body);
  const b = body as { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown; scope?: unknown };
  if (typeof b?.access_token !== 'string' || !b.access_token) {
    throw new TwitchAuthError('bad-response', 'token refresh: answer without access_token', status);
  }
  redactFromNowOn(b.access_token, typeof b.refresh_token === 'string' ? b.refresh_token : undefined);
  return {
    accessToken: b.access_token,
    ...(typeof b.refresh_token === 'string' && b.refresh_token ? { refreshToken: b.refresh_token } : {}),
    ...(typeof b.expires_in === 'number' ? { expiresInSec: b.expires_in } : {}),
    scopes: Array.isArray(b.scope) ? b.scope.filter((s): s is string => typeof s === 'string') : [],
  };
}

export async function validateTwitchToken(p: CallOptions & { token: string }): Promise<ValidatedToken> {
  const base = p.authUrl ?? TWITCH_AUTH_URL;
  const { status, body } = await call(
    'token validation',
    new URL('/oauth2/validate', base).toString(),
    { method: 'GET', headers: { authorization: `OAuth ${p.token}` } },
    p,
  );
  if (status !== 200) fail('token validation', status, body);
  const b = body as { login?: unknown; user_id?: unknown; client_id?: unknown; scopes?: unknown; expires_in?: unknown };
  if (typeof b?.login !== 'string' || !b.login) {
    throw new TwitchAuthError('bad-response', 'token validation: answer without login', status);
  }
  return {
    login: b.login.toLowerCase(),
    userId: typeof b.user_id === 'string' ? b.user_id : '',
    clientId: typeof b.client_id === 'string' ? b.client_id : '',
    scopes: Array.isArray(b.scopes) ? b.scopes.filter((s): s is string => typeof s === 'string') : [],
    expiresInSec: typeof b.expires_in === 'number' ? b.expires_in : 0,
  };
}
