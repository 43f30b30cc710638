/**
 * The OAuth consent flow on localhost (RFC 8252): Pickle listens on 127.0.0.1, the streamer opens
 * the platform's consent page in a browser, the platform sends the browser back with a code, and
 * the code is exchanged for tokens. `pkce` adds a code challenge (RFC 7636; Kick requires it).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoginFlow {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  pkce: boolean;
  /** Extra consent-page parameters (Google: access_type=offline, prompt=consent). */
  extra?: Record<string, string>;
  /** The loopback port the app's redirect URI names (0: any free port, where the platform allows it). */
  port: number;
}

export interface LoginTokens {
  accessToken: string;
  refreshToken?: string;
  expiresInSec?: number;
}

const base64url = (b: Buffer) => b.toString('base64url');

/** Starts the flow: `consentUrl` is for the browser; `tokens` settles when the platform sent the browser back. */
export async function startLogin(flow: LoginFlow, timeoutMs = 5 * 60_000): Promise<{ consentUrl: string; redirectUri: string; tokens: Promise<LoginTokens>; close(): void }> {
  const state = base64url(randomBytes(16));
  const verifier = base64url(randomBytes(32));
  let settle: { resolve: (t: LoginTokens) => void; reject: (e: Error) => void } | undefined;
  const tokens = new Promise<LoginTokens>((resolve, reject) => (settle = { resolve, reject }));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') return void res.writeHead(404).end();
    const answer = (status: number, text: string) => res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
    if (url.searchParams.get('state') !== state) return answer(400, 'This sign-in link is not the one Pickle started. Run the login again.');
    const code = url.searchParams.get('code');
    if (!code) {
      answer(400, 'Sign-in was not completed. You can close this tab.');
      return settle?.reject(new Error(`the platform answered ${url.searchParams.get('error') ?? 'without a code'}`));
    }
    void exchange(code).then(
      (t) => (answer(200, 'Pickle is signed in. You can close this tab.'), settle?.resolve(t)),
      (err: Error) => (answer(502, 'Pickle could not finish the sign-in; see the terminal.'), settle?.reject(err)),
    );
  });
  await new Promise<void>((r) => server.listen(flow.port, '127.0.0.1', r));
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  const timer = setTimeout(() => settle?.reject(new Error('no answer from the browser within 5 minutes')), timeoutMs);
  const close = () => {
    clearTimeout(timer);
    server.close();
  };
  void tokens.finally(close).catch(() => {});

  async function exchange(code: string): Promise<LoginTokens> {
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: flow.clientId, client_secret: flow.clientSecret, ...(flow.pkce ? { code_verifier: verifier } : {}) });
    const res = await fetch(flow.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`the token exchange was refused (HTTP ${res.status}): ${text.slice(0, 160).replace(/\s+/g, ' ')}`);
    const j = JSON.parse(text) as { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown };
    if (typeof j.access_token !== 'string') throw new Error('the token exchange answered without access_token');
    return { accessToken: j.access_token, ...(typeof j.refresh_token === 'string' ? { refreshToken: j.refresh_token } : {}), ...(typeof j.expires_in === 'number' ? { expiresInSec: j.expires_in } : {}) };
  }

  const params = new URLSearchParams({
    response_type: 'code',
    client_id: flow.clientId,
    redirect_uri: redirectUri,
    scope: flow.scopes.join(' '),
    state,
    ...(flow.pkce ? { code_challenge: base64url(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256' } : {}),
    ...flow.extra,
  });
  return { consentUrl: `${flow.authorizeUrl}?${params.toString()}`, redirectUri, tokens, close };
}
