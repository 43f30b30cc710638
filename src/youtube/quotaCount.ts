/**
 * The YouTube units used today, kept in the data folder so a restart does not forget them
 * (`youtube-quota.json`, 0600, replaced atomically). Whether a stored count still counts is the
 * youtubeChat machine's decision (`usedAtStart`); this file only reads and writes it.
 *
 * Writes are coalesced: one at a time, and while one is under way only the newest count waits,
 * so a burst of polls and replies is at most two writes of a few bytes.
 */
import { readFileSync } from 'node:fs';
import { chmod, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredQuotaCount } from '../../machines/youtubeChat.ts';
import { FILE_MODE } from '../security/dataDir.ts';

export const QUOTA_COUNT_FILE = 'youtube-quota.json';

export const quotaCountPath = (dataDir: string) => join(dataDir, QUOTA_COUNT_FILE);

/** The stored count, or undefined when there is none or it is not one (a damaged file is a fresh day). */
export function readQuotaCount(file: string): StoredQuotaCount | undefined {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || !('day' in data) || !('used' in data)) return undefined;
  const { day, used } = data;
  return typeof day === 'string' && typeof used === 'number' ? { day, used } : undefined;
}

export class QuotaCountFile {
  private writing: Promise<void> | undefined;
  private next: StoredQuotaCount | undefined;

  constructor(
    private readonly file: string,
    private readonly onError: (err: Error) => void,
  ) {}

  save(count: StoredQuotaCount): void {
    this.next = count;
    this.writing ??= this.drain();
  }

  /** Resolves once the newest count asked for is on disk (or failed). */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      for (let count = this.next; count; count = this.next) {
        this.next = undefined;
        const tmp = `${this.file}.${process.pid}.tmp`;
        try {
          await writeFile(tmp, JSON.stringify(count), { mode: FILE_MODE });
          await chmod(tmp, FILE_MODE);
          await rename(tmp, this.file);
        } catch (err) {
          this.onError(err instanceof Error ? err : new Error(String(err)));
        }
      }
    } finally {
      this.writing = undefined;
    }
  }
}
