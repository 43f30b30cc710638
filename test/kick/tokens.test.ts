/** Kick's refreshed tokens kept for the next start (Kick rotates refresh tokens), against the Kick stand-in. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { standaloneChildren } from '../../src/children.ts';
import { parseEnv } from '../../src/config/env.ts';
import type { KickChat } from '../../src/kick/chat.ts';
import { KICK_TOKEN_FILE, startKickChat } from '../../src/kick/start.ts';
import { adapterHarness, until } from '../chat/adapterHarness.ts';
import { startKickStandin } from '../standins/kick.ts';

type Standin = Awaited<ReturnType<typeof startKickStandin>>;
let kick: Standin | undefined;
let dir: string | undefined;
const chats: KickChat[] = [];
afterEach(async () => {
  for (const c of chats.splice(0)) c.stop();
  await kick?.close();
  kick = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function start(k: Standin, dataDir: string, over: Record<string, string> = {}) {
  const h = adapterHarness();
  const env = parseEnv({
    KICK_CHANNEL: k.slug,
    KICK_API_URL: k.apiUrl,
    KICK_PUSHER_URL: k.pusherUrl,
    KICK_PUBLIC_API_URL: k.publicApiUrl,
    KICK_AUTH_URL: k.authUrl,
    KICK_TOKEN: 'expired-token',
    KICK_CLIENT_ID: 'cid',
    KICK_CLIENT_SECRET: 'sec',
    KICK_REFRESH_TOKEN: 'kick-refresh',
    ...over,
  });
  const chat = startKickChat({ env, dataDir, status: h.status, log: h.log, send: h.send, children: standaloneChildren() })!;
  chats.push(chat);
  return { ...h, chat, state: () => h.status.get('kick') };
}

async function post(t: ReturnType<typeof start>, k: Standin, text: string) {
  await until(() => t.state()?.state === 'up', 'up');
  const before = k.posted.length;
  t.chat.say(text);
  await until(() => k.posted.length === before + 1, `the post "${text}"`);
}

describe('kick tokens across restarts', () => {
  it('the refreshed pair is stored (0600) and the next start uses it: the rotated refresh token, not the spent one in .env', async () => {
    kick = await startKickStandin();
    dir = mkdtempSync(join(tmpdir(), 'pickle-kick-tokens-'));
    const file = join(dir, KICK_TOKEN_FILE);
    const first = start(kick, dir);
    await post(first, kick, 'first run');
    expect(kick.refreshed).toEqual(['kick-refresh']);
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { accessToken: string; refreshToken: string };
    expect(kept.refreshToken).toMatch(/^kick-refresh-/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Tokens learned at runtime are scrubbed from every log line like the .env's keys.
    first.log.warn({ detail: `seen ${kept.accessToken} and ${kept.refreshToken}` }, 'a line that would leak');
    const leak = first.logLines.find((l) => l.includes('a line that would leak'))!;
    expect(leak).not.toContain(kept.accessToken);
    expect(leak).not.toContain(kept.refreshToken);
    expect(leak).toContain('[redacted]');
    first.chat.stop();
    chats.splice(0);

    // Restarted with the same .env: the stored access token posts, no refresh needed.
    const second = start(kick, dir);
    await post(second, kick, 'second run');
    expect(kick.refreshed).toEqual(['kick-refresh']);
    second.chat.stop();
    chats.splice(0);

    // Restarted once the access token has expired: refreshed with the stored refresh token ('kick-refresh' is spent).
    kick.expireAccessTokens();
    const third = start(kick, dir);
    await post(third, kick, 'third run');
    expect(kick.refreshed).toEqual(['kick-refresh', kept.refreshToken]);
    const next = JSON.parse(readFileSync(file, 'utf8')) as { refreshToken: string };
    expect(next.refreshToken).not.toBe(kept.refreshToken);
  });

  it('tokens pasted anew in .env win over the stored ones', async () => {
    kick = await startKickStandin();
    dir = mkdtempSync(join(tmpdir(), 'pickle-kick-tokens-'));
    const first = start(kick, dir);
    await post(first, kick, 'first run');
    first.chat.stop();
    chats.splice(0);
    kick.expireAccessTokens();
    // The stored pair is not used with a new .env pair: its refresh token is the one tried (and Kick refuses it here).
    const second = start(kick, dir, { KICK_TOKEN: 'pasted-token', KICK_REFRESH_TOKEN: 'pasted-refresh' });
    await until(() => second.state()?.state === 'up', 'up');
    second.chat.say('with the pasted tokens');
    await until(() => second.logLines.some((l) => l.includes('invalid_grant') || l.includes('refresh refused')), 'the refused refresh');
    expect(kick.refreshed).toEqual(['kick-refresh']);
  });
});
