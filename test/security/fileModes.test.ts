/**
 * The data folder is the owner's: created 0700, the log 0600, tokens and settings 0600, and what
 * an older version left readable (755 folders, 644 logs and Chroma files) is repaired at start.
 * The access token persists across starts and `--new-token` replaces it.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSettingsStore } from '../../src/config/settings.ts';
import { createLogger, openLogFile, silentLogger } from '../../src/log.ts';
import { secureDataDir } from '../../src/security/dataDir.ts';
import { ACCESS_TOKEN_FILE, networkSecrets, OVERLAY_KEY_FILE } from '../../src/security/secrets.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'pickle-modes-'));
  dirs.push(d);
  return d;
};
const mode = (p: string) => statSync(p).mode & 0o777;

describe('file modes', () => {
  it('a new data folder is 0700; the log, settings and tokens in it are 0600, even with a lax umask', async () => {
    const old = process.umask(0o022);
    try {
      const data = join(temp(), 'data');
      secureDataDir(data);
      expect(mode(data)).toBe(0o700);
      const logFile = join(data, 'logs', 'pickle.log');
      const dest = await openLogFile(logFile);
      const log = createLogger({ destination: dest });
      log.info('chat text lives here');
      log.flush();
      expect(mode(join(data, 'logs'))).toBe(0o700);
      expect(mode(logFile)).toBe(0o600);
      const settings = createSettingsStore({ dataDir: data, log: silentLogger() });
      settings.update({ voice: { speed: 0.9 } });
      const settingsFile = join(data, 'settings.json');
      expect(mode(settingsFile)).toBe(0o600);
      networkSecrets(data);
      expect(mode(join(data, ACCESS_TOKEN_FILE))).toBe(0o600);
      expect(mode(join(data, OVERLAY_KEY_FILE))).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it('files an older version left readable are repaired at start (folders 0700, files lose group/other bits)', () => {
    const data = temp();
    chmodSync(data, 0o755);
    mkdirSync(join(data, 'logs'), { mode: 0o755 });
    mkdirSync(join(data, 'chromadb', 'segment'), { recursive: true, mode: 0o755 });
    chmodSync(join(data, 'chromadb'), 0o755);
    writeFileSync(join(data, 'logs', 'pickle.log'), 'old chat\n', { mode: 0o644 });
    writeFileSync(join(data, 'chromadb', 'chroma.sqlite3'), 'x', { mode: 0o644 });
    writeFileSync(join(data, 'chromadb', 'segment', 'data_level0.bin'), 'x', { mode: 0o664 });
    writeFileSync(join(data, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    for (const [p, m] of [[join(data, 'logs', 'pickle.log'), 0o644], [join(data, 'chromadb', 'segment', 'data_level0.bin'), 0o664], [join(data, 'tool'), 0o755]] as const) chmodSync(p, m);

    expect(secureDataDir(data)).toBe(8);
    expect(mode(data)).toBe(0o700);
    expect(mode(join(data, 'logs'))).toBe(0o700);
    expect(mode(join(data, 'chromadb'))).toBe(0o700);
    expect(mode(join(data, 'chromadb', 'segment'))).toBe(0o700);
    expect(mode(join(data, 'logs', 'pickle.log'))).toBe(0o600);
    expect(mode(join(data, 'chromadb', 'chroma.sqlite3'))).toBe(0o600);
    expect(mode(join(data, 'chromadb', 'segment', 'data_level0.bin'))).toBe(0o600);
    expect(mode(join(data, 'tool'))).toBe(0o700);
    expect(secureDataDir(data)).toBe(0);
  });
});

describe('the access token persists', () => {
  it('the same token and overlay key at every start, new ones with --new-token', () => {
    const data = temp();
    const first = networkSecrets(data);
    expect(first.rotated).toBe(true);
    expect(first.accessToken).toMatch(/^[\w-]{32}$/);
    expect(first.overlayKey).not.toBe(first.accessToken);
    const again = networkSecrets(data);
    expect(again).toEqual({ ...first, rotated: false });
    const rotated = networkSecrets(data, true);
    expect(rotated.rotated).toBe(true);
    expect(rotated.accessToken).not.toBe(first.accessToken);
    expect(rotated.overlayKey).not.toBe(first.overlayKey);
    expect(networkSecrets(data).accessToken).toBe(rotated.accessToken);
  });

  it('a damaged token file is replaced, not used', () => {
    const data = temp();
    writeFileSync(join(data, ACCESS_TOKEN_FILE), 'short\n');
    const s = networkSecrets(data);
    expect(s.accessToken).not.toBe('short');
    expect(s.accessToken.length).toBeGreaterThanOrEqual(32);
  });
});
