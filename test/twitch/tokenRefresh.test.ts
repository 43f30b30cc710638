import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwitchAuthStandin, type TwitchAuthStandin } from '../standins/twitchAuth.ts';
import {
  normalizeToken,
  refreshTwitchToken,
  TwitchAuthError,
  validateTwitchToken,
} from '../../src/twitch/tokenRefresh.ts';

let auth: TwitchAuthStandin;
const issuedHook: string[] = [];

beforeAll(async () => {
  auth = await startTwitchAuthStandin({
    clientId: 'cid',
    clientSecret: 'csecret',
    login: 'PickleBot',
    accessTokens: ['validtoken123'],
    refreshTokens: ['refresh%one=', 'refresh-two'],
    onIssued: (t) => issuedHook.push(t),
  });
});
afterAll(() => auth.close());

async function authError(p: Promise<unknown>): Promise<TwitchAuthError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TwitchAuthError);
  return err as TwitchAuthError;
}

describe('normalizeToken', () => {
  it.each([
    ['oauth:abc123', 'abc123'],
    ['OAuth:abc123', 'abc123'],
    ['  abc123 ', 'abc123'],
    ['', undefined],
    [undefined, undefined],
    ['oauth:', undefined],
  ])('%s -> %s', (raw, expected) => expect(normalizeToken(raw)).toBe(expected));
});

describe('refreshTwitchToken', () => {
  it('exchanges a refresh token (special characters survive form encoding) and rotates it', async () => {
    const t = await refreshTwitchToken({ authUrl: auth.url, clientId: 'cid', clientSecret: 'csecret', refreshToken: 'refresh%one=' });
    expect(t.accessToken).toMatch(/^[a-z0-9]{30}$/);
    expect(t.refreshToken).toBeTruthy();
    expect(t.refreshToken).not.toBe('refresh%one=');
    expect(t.scopes).toEqual(['chat:edit', 'chat:read']);
    expect(t.expiresInSec).toBeGreaterThan(0);
    expect(issuedHook).toContain(t.accessToken);
    // The used refresh token is gone; the new one works.
    const again = await authError(
      refreshTwitchToken({ authUrl: auth.url, clientId: 'cid', clientSecret: 'csecret', refreshToken: 'refresh%one=' }),
    );
    expect(again).toMatchObject({ kind: 'rejected', status: 400, retryable: false });
    expect(again.message).toContain('Invalid refresh token');
    const next = await refreshTwitchToken({ authUrl: auth.url, clientId: 'cid', clientSecret: 'csecret', refreshToken: t.refreshToken! });
    expect(next.accessToken).not.toBe(t.accessToken);
  });

  it.each([
    ['wrong client secret', { clientId: 'cid', clientSecret: 'nope' }, 403],
    ['wrong client id', { clientId: 'other', clientSecret: 'csecret' }, 400],
  ])('%s is rejected', async (_n, creds, status) => {
    const err = await authError(refreshTwitchToken({ authUrl: auth.url, ...creds, refreshToken: 'refresh-two' }));
    expect(err).toMatchObject({ kind: 'rejected', status, retryable: false });
  });

  it('a 5xx is retryable and the message holds no secret', async () => {
    auth.fail(503);
    try {
      const err = await authError(
        refreshTwitchToken({ authUrl: auth.url, clientId: 'cid', clientSecret: 'csecret', refreshToken: 'refresh-two' }),
      );
      expect(err).toMatchObject({ kind: 'server', status: 503, retryable: true });
      expect(err.message).not.toContain('csecret');
      expect(err.message).not.toContain('refresh-two');
    } finally {
      auth.fail(null);
    }
  });

  it('an unreachable server is retryable', async () => {
    const err = await authError(
      refreshTwitchToken({ authUrl: 'http://127.0.0.1:1', clientId: 'cid', clientSecret: 'csecret', refreshToken: 'x' }),
    );
    expect(err).toMatchObject({ kind: 'unreachable', retryable: true });
  });
});

describe('validateTwitchToken', () => {
  it('returns the login (lower-cased) for a valid token', async () => {
    const v = await validateTwitchToken({ authUrl: auth.url, token: 'validtoken123' });
    expect(v).toMatchObject({ login: 'picklebot', clientId: 'cid', scopes: ['chat:edit', 'chat:read'] });
    expect(v.expiresInSec).toBeGreaterThan(0);
  });

  it('401 for an unknown token, without the token in the message', async () => {
    const err = await authError(validateTwitchToken({ authUrl: auth.url, token: 'bogus-token-value' }));
    expect(err).toMatchObject({ kind: 'rejected', status: 401 });
    expect(err.message).toContain('invalid access token');
    expect(err.message).not.toContain('bogus-token-value');
  });

  it('records requests without secrets', () => {
    const dump = JSON.stringify(auth.requests);
    expect(dump).not.toContain('csecret');
    expect(dump).not.toContain('validtoken123');
    expect(auth.requests.some((r) => r.path === '/oauth2/validate' && r.status === 401)).toBe(true);
  });
});
