import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactFromNowOn } from '../log.ts';

/**
 * Tokens a platform (Twitch, Kick) handed back on a refresh. The old refresh token may stop
 * working once a new one is issued, so they are kept in the data dir (mode 0600, replaced
 * atomically) and used instead of the .env ones — but only while .env still holds the tokens they
 * replaced (a streamer who pastes a new token wins).
 */
export interface StoredTokens {
  accessToken: string;
  refreshToken?: string;
}

interface TokenFile extends StoredTokens {
  /** Hash of the .env token these replace. */
  replaces: string;
}

const fingerprint = (token: string | undefined) => createHash('sha256').update(token ?? '').digest('hex').slice(0, 16);

/** `name`: the file for one account's tokens (Twitch's bot by default; Twitch's broadcaster and Kick have their own). */
export function tokenFile(dataDir: string, name = 'twitch-tokens.json'): string {
  return join(dataDir, name);
}

export function loadStoredTokens(dataDir: string, envToken: string | undefined, name?: string): StoredTokens | undefined {
  const file = tokenFile(dataDir, name);
  if (!existsSync(file)) return undefined;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<TokenFile>;
    if (data.replaces !== fingerprint(envToken) || typeof data.accessToken !== 'string') return undefined;
    redactFromNowOn(data.accessToken, typeof data.refreshToken === 'string' ? data.refreshToken : undefined);
    return { accessToken: data.accessToken, ...(typeof data.refreshToken === 'string' ? { refreshToken: data.refreshToken } : {}) };
  } catch {
    return undefined;
  }
}

export function saveTokens(dataDir: string, envToken: string | undefined, tokens: StoredTokens, name?: string): void {
  const file = tokenFile(dataDir, name);
  const tmp = `${file}.tmp`;
  redactFromNowOn(tokens.accessToken, tokens.refreshToken);
  const data: TokenFile = { replaces: fingerprint(envToken), ...tokens };
  writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
