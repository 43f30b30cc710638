/**
 * The one inline script Pickle's pages have: the overlay's import map (a browser only takes an
 * import map inline). The CSP allows exactly its text by hash, so `script-src` stays 'self' plus
 * that one map; an edited map gets a new hash when the server starts, anything else inline is
 * still refused.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const IMPORT_MAP_RE = /<script type="importmap">([\s\S]*?)<\/script>/g;

/** `'sha256-…'` of each import map in the pages of `dir` (overlay.html). */
export function importMapHashes(dir: string, pages: readonly string[] = ['overlay.html']): string[] {
  const hashes: string[] = [];
  for (const page of pages) {
    const file = join(dir, page);
    if (!existsSync(file)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT_MAP_RE)) hashes.push(`'sha256-${createHash('sha256').update(m[1] ?? '', 'utf8').digest('base64')}'`);
  }
  return hashes;
}
