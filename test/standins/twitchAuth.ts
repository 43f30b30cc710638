/**
 * Stand-in for id.twitch.tv: `POST /oauth2/token` (refresh_token grant) and `GET /oauth2/validate`,
 * with Twitch's JSON bodies and status codes. Issued access tokens are lowercase alphanumerics
 * like Twitch's (tmi.js lowercases tokens, so a mixed-case token would not survive it), and are
 * announced through `onIssued` so the IRC stand-in can accept them.
 *
 * Refresh tokens rotate by default: the old one stops working once used, which catches an adapter
 * that forgets to keep the new one ("because refresh tokens may change, store the new one").
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

export interface TwitchAuthStandinOptions {
  clientId?: string;
  clientSecret?: string;
  /** The user every token belongs to. */
  login?: string;
  userId?: string;
  scopes?: string[];
  expiresInSec?: number;
  /** Access tokens that validate from the start. */
  accessTokens?: Iterable<string>;
  refreshTokens?: Iterable<string>;
  /** Issue a new refresh token on every refresh and invalidate the used one (default true). */
  rotateRefreshTokens?: boolean;
  /** Called with each newly issued access token (e.g. `irc.addValidToken`). */
  onIssued?: (accessToken: string) => void;
}

export interface AuthRequestRecord {
  method: string;
  path: string;
  grantType?: string;
  status: number;
}

export interface TwitchAuthStandin {
  readonly url: string;
  readonly port: number;
  /** Access tokens issued by refreshes, oldest first. */
  readonly issued: readonly string[];
  /** Refresh tokens issued by refreshes, oldest first. */
  readonly issuedRefreshTokens: readonly string[];
  /** Requests seen (no secrets or tokens in them). */
  readonly requests: readonly AuthRequestRecord[];
  addAccessToken(token: string): void;
  /** Who a valid access token belongs to (for other stand-ins that accept these tokens, e.g. Helix). */
  check(token: string): { clientId: string; userId: string; login: string; scopes: string[] } | undefined;
  revokeAccessToken(token: string): void;
  addRefreshToken(token: string): void;
  /** Fault knob: answer every request with this status (e.g. 500, 503) until `fail(null)`. */
  fail(status: number | null): void;
  close(): Promise<void>;
}

function newToken(length = 30): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startTwitchAuthStandin(opts: TwitchAuthStandinOptions = {}): Promise<TwitchAuthStandin> {
  const clientId = opts.clientId ?? 'standinclientid';
  const clientSecret = opts.clientSecret ?? 'standinclientsecret';
  const login = opts.login ?? 'picklebot';
  const userId = opts.userId ?? '141981764';
  const scopes = opts.scopes ?? ['chat:edit', 'chat:read'];
  const expiresIn = opts.expiresInSec ?? 14_400;
  const rotate = opts.rotateRefreshTokens ?? true;
  const accessTokens = new Set(opts.accessTokens ?? []);
  const refreshTokens = new Set(opts.refreshTokens ?? []);
  const issued: string[] = [];
  const issuedRefreshTokens: string[] = [];
  const requests: AuthRequestRecord[] = [];
  let failStatus: number | null = null;

  async function onToken(req: IncomingMessage, res: ServerResponse, url: URL, rec: AuthRequestRecord): Promise<number> {
    // Twitch takes the parameters from the query string or a form-encoded body.
    const form = new URLSearchParams(await readBody(req));
    const param = (k: string) => form.get(k) ?? url.searchParams.get(k) ?? '';
    rec.grantType = param('grant_type');
    if (param('client_id') !== clientId) {
      json(res, 400, { status: 400, message: 'invalid client' });
      return 400;
    }
    if (param('client_secret') !== clientSecret) {
      json(res, 403, { status: 403, message: 'invalid client secret' });
      return 403;
    }
    if (rec.grantType !== 'refresh_token') {
      json(res, 400, { status: 400, message: 'unsupported grant type' });
      return 400;
    }
    const rt = param('refresh_token');
    if (!refreshTokens.has(rt)) {
      json(res, 400, { error: 'Bad Request', status: 400, message: 'Invalid refresh token' });
      return 400;
    }
    const access = newToken();
    accessTokens.add(access);
    issued.push(access);
    let nextRefresh = rt;
    if (rotate) {
      refreshTokens.delete(rt);
      nextRefresh = newToken(50);
      refreshTokens.add(nextRefresh);
    }
    issuedRefreshTokens.push(nextRefresh);
    opts.onIssued?.(access);
    json(res, 200, {
      access_token: access,
      expires_in: expiresIn,
      refresh_token: nextRefresh,
      scope: scopes,
      token_type: 'bearer',
    });
    return 200;
  }

  function onValidate(req: IncomingMessage, res: ServerResponse): number {
    const header = req.headers.authorization ?? '';
    const m = /^(?:OAuth|Bearer)\s+(\S+)$/i.exec(header);
    if (!m) {
      json(res, 401, { status: 401, message: 'missing authorization token' });
      return 401;
    }
    if (!accessTokens.has(m[1] ?? '')) {
      json(res, 401, { status: 401, message: 'invalid access token' });
      return 401;
    }
    json(res, 200, { client_id: clientId, login, scopes, user_id: userId, expires_in: expiresIn });
    return 200;
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const rec: AuthRequestRecord = { method: req.method ?? '', path: url.pathname, status: 0 };
    requests.push(rec);
    const done = (status: number) => {
      rec.status = status;
    };
    if (failStatus !== null) {
      json(res, failStatus, { status: failStatus, message: 'stand-in fault' });
      return done(failStatus);
    }
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      onToken(req, res, url, rec).then(done, () => {
        json(res, 500, { status: 500, message: 'Internal Server Error' });
        done(500);
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/oauth2/validate') return done(onValidate(req, res));
    json(res, 404, { status: 404, message: 'Not Found' });
    done(404);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('stand-in: no port');

  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    issued,
    issuedRefreshTokens,
    requests,
    addAccessToken: (t) => void accessTokens.add(t),
    check: (t) => (accessTokens.has(t) ? { clientId, userId, login, scopes } : undefined),
    revokeAccessToken: (t) => void accessTokens.delete(t),
    addRefreshToken: (t) => void refreshTokens.add(t),
    fail(status) {
      failStatus = status;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
