/** VTube Studio's plugin token, kept in the data folder, readable by the owner only (mode 0600). */
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface VtsTokenStore {
  get(): string | undefined;
  set(token: string): void;
  forget(): void;
}

export function vtsTokenStore(dataDir: string): VtsTokenStore {
  const file = join(dataDir, 'vts-token.json');
  return {
    get() {
      if (!existsSync(file)) return undefined;
      try {
        const t = (JSON.parse(readFileSync(file, 'utf8')) as { token?: unknown }).token;
        return typeof t === 'string' && t.length > 0 && t.length <= 128 ? t : undefined;
      } catch {
        return undefined;
      }
    },
    set(token) {
      writeFileSync(file, JSON.stringify({ token }), { mode: 0o600 });
      chmodSync(file, 0o600);
    },
    forget() {
      rmSync(file, { force: true });
    },
  };
}
