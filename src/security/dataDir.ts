/**
 * The data folder holds chat (logs, memories), tokens and settings: it is for the owner only.
 * Created 0700; everything in it is kept owner-only (folders 0700, files without group/other
 * bits), which also repairs what older versions left readable (755 folders, 644 logs and
 * Chroma files). Symbolic links are left alone (never followed).
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;
const OTHERS = 0o077;

/** Creates the folder (0700) and repairs the modes inside it. Returns how many entries were repaired. */
export function secureDataDir(dir: string): number {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  let repaired = 0;
  const walk = (path: string, depth: number) => {
    let st;
    try {
      st = lstatSync(path);
    } catch {
      return; // removed meanwhile
    }
    if (st.isSymbolicLink()) return;
    const mode = st.mode & 0o777;
    if (mode & OTHERS) {
      try {
        chmodSync(path, st.isDirectory() ? mode & ~OTHERS | DIR_MODE : mode & ~OTHERS);
        repaired += 1;
      } catch {
        // Not ours (e.g. a file another user put there): leave it; the folder still shuts others out.
      }
    }
    if (st.isDirectory() && depth < 8) for (const name of readdirSync(path)) walk(join(path, name), depth + 1);
  };
  walk(dir, 0);
  return repaired;
}
