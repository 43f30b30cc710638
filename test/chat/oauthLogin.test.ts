/** The consent flow on localhost (PKCE) against the Kick stand-in's authorize and token endpoints. */
import { afterEach, describe, expect, it } from 'vitest';
import { startLogin } from '../../src/chat/oauthLogin.ts';
import { startKickStandin } from '../standins/kick.ts';

let kick: Awaited<ReturnType<typeof startKickStandin>> | undefined;
afterEach(async () => {
  await kick?.close();
  kick = undefined;
});

describe('OAuth login on localhost', () => {
  it('the browser comes back with a code; the code and its PKCE verifier become tokens that can post', async () => {
    kick = await startKickStandin();
    const login = await startLogin({ authorizeUrl: `${kick.authUrl}/oauth/authorize`, tokenUrl: kick.tokenUrl, clientId: 'cid', clientSecret: 'sec', scopes: ['chat:write'], pkce: true, port: 0 });
    expect(login.consentUrl).toContain('code_challenge_method=S256');
    const page = await fetch(login.consentUrl);
    expect(await page.text()).toContain('signed in');
    const t = await login.tokens;
    expect(t.refreshToken).toMatch(/^kick-refresh-/);
    const res = await fetch(`${kick.publicApiUrl}/public/v1/chat`, { method: 'POST', headers: { authorization: `Bearer ${t.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'bot', content: 'hi' }) });
    expect(res.status).toBe(200);
  });

  it('a callback with another state is refused and does not end the flow', async () => {
    kick = await startKickStandin();
    const login = await startLogin({ authorizeUrl: `${kick.authUrl}/oauth/authorize`, tokenUrl: kick.tokenUrl, clientId: 'cid', clientSecret: 'sec', scopes: ['chat:write'], pkce: true, port: 0 });
    const forged = await fetch(`${login.redirectUri}?code=abc&state=forged`);
    expect(forged.status).toBe(400);
    await fetch(login.consentUrl);
    await expect(login.tokens).resolves.toMatchObject({ accessToken: expect.stringMatching(/^kick-/) });
  });
});
