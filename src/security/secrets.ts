/**
 * Pickle's own secrets for the network (token mode): the access token (API, /health, panel,
 * inspector) and the overlay key (the overlay's socket). Kept in the data folder (0600) so an
 * OBS dock or browser source saved with them keeps working after a restart; `npm start --
 * --new-token` makes new ones (the old links stop working).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILE_MODE } from './dataDir.ts';

export const ACCESS_TOKEN_FILE = 'access-token';
export const OVERLAY_KEY_FILE = 'overlay-key';

const VALID = /^[A-Za-z0-9_-]{20,200}$/;

/** The secret in `<dataDir>/<file>`, made (24 random bytes, base64url) when missing, invalid or `rotate`. */
export function persistedSecret(dataDir: string, file: string, rotate = false): { value: string; created: boolean } {
  const path = join(dataDir, file);
  if (!rotate && existsSync(path)) {
    const value = readFileSync(path, 'utf8').trim();
    if (VALID.test(value)) return { value, created: false };
  }
  const value = randomBytes(24).toString('base64url');
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${value}\n`, { mode: FILE_MODE });
  renameSync(tmp, path);
  return { value, created: true };
}

export interface NetworkSecrets {
  accessToken: string;
  overlayKey: string;
  /** True when new ones were made (first start in token mode, or `--new-token`). */
  rotated: boolean;
}

export function networkSecrets(dataDir: string, rotate = false): NetworkSecrets {
  const token = persistedSecret(dataDir, ACCESS_TOKEN_FILE, rotate);
  const key = persistedSecret(dataDir, OVERLAY_KEY_FILE, rotate);
  return { accessToken: token.value, overlayKey: key.value, rotated: token.created || key.created };
}
