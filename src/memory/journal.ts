/**
 * The write journal: while Chroma is away (or the embedding model still loading), memory writes
 * are appended here, one JSON op per line, and replayed in order when it is back. Replaying is
 * idempotent (upserts by id, deletes by filter), so a crash mid-replay only repeats work.
 *
 * Files: `<dir>/journal.jsonl` (appends) and `<dir>/journal.replaying.jsonl` (being replayed).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MemoryOp } from '../../machines/memory/rules.ts';

export class Journal {
  readonly file: string;
  readonly replayingFile: string;
  private pendingOps: number;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'journal.jsonl');
    this.replayingFile = join(dir, 'journal.replaying.jsonl');
    this.pendingOps = this.read(this.replayingFile).length + this.read(this.file).length;
  }

  /** Ops waiting in the files. */
  get pending(): number {
    return this.pendingOps;
  }

  /** Records (memories to add) waiting in the files. */
  pendingRecords(): number {
    let n = 0;
    for (const op of [...this.read(this.replayingFile), ...this.read(this.file)]) if (op.op === 'upsert') n += op.records.length;
    return n;
  }

  append(ops: readonly MemoryOp[]): void {
    if (ops.length === 0) return;
    appendFileSync(this.file, ops.map((op) => `${JSON.stringify(op)}\n`).join(''), { mode: 0o600 });
    this.pendingOps += ops.length;
  }

  private read(file: string): MemoryOp[] {
    if (!existsSync(file)) return [];
    const ops: MemoryOp[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        ops.push(JSON.parse(line) as MemoryOp);
      } catch {
        // A line cut by a crash mid-append: the op it held was never acknowledged; skip it.
      }
    }
    return ops;
  }

  /**
   * Replays everything in order through `apply`, in chunks. Appends made meanwhile are replayed
   * too. On failure the rest stays journaled (in order) and the error is thrown.
   */
  async drain(apply: (ops: MemoryOp[]) => Promise<void>, chunk = 64): Promise<number> {
    let done = 0;
    for (;;) {
      if (!existsSync(this.replayingFile)) {
        if (!existsSync(this.file)) break;
        renameSync(this.file, this.replayingFile);
      }
      const ops = this.read(this.replayingFile);
      let i = 0;
      try {
        while (i < ops.length) {
          const part = ops.slice(i, i + chunk);
          await apply(part);
          i += part.length;
          done += part.length;
          this.pendingOps = Math.max(0, this.pendingOps - part.length);
        }
      } catch (err) {
        writeFileSync(this.replayingFile, ops.slice(i).map((op) => `${JSON.stringify(op)}\n`).join(''), { mode: 0o600 });
        throw err;
      }
      rmSync(this.replayingFile, { force: true });
    }
    this.pendingOps = 0;
    return done;
  }
}
