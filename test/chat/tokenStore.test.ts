import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStoredTokens, saveTokens, tokenFile } from '../../src/chat/tokenStore.ts';

describe('refreshed Twitch tokens', () => {
  it('are used while .env still holds the token they replaced, and only readable by the owner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pickle-tokens-'));
    expect(loadStoredTokens(dir, 'old')).toBeUndefined();
    saveTokens(dir, 'old', { accessToken: 'new-access', refreshToken: 'new-refresh' });
    expect(loadStoredTokens(dir, 'old')).toEqual({ accessToken: 'new-access', refreshToken: 'new-refresh' });
    expect(loadStoredTokens(dir, 'pasted-by-streamer')).toBeUndefined();
    if (process.platform !== 'win32') expect(statSync(tokenFile(dir)).mode & 0o777).toBe(0o600);
  });
});
