import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { Journal } from '../../src/memory/journal.ts';
import type { MemoryOp, MemoryRecord } from '../../machines/memory/rules.ts';
import { MemoryWriter } from '../../src/memory/writer.ts';

const rec = (i: number): MemoryRecord => ({ id: `r${i}`, text: `line ${i}`, user: 'sam', displayName: 'Sam', source: 'chat', ts: i, persona: 'default', fact: false });

/** A store that applies what it is given, slowly, and records the order. */
function slowTarget(delayMs: number) {
  const applied: string[] = [];
  return {
    applied,
    ready: true,
    async apply(ops: readonly MemoryOp[]) {
      await new Promise((r) => setTimeout(r, delayMs));
      for (const op of ops) applied.push(...(op.op === 'upsert' ? op.records.map((r) => r.id) : [`delete:${op.users?.join(',')}`]));
    },
  };
}

describe('writer: the bounded queue', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('a flood larger than the queue spills to the journal, and everything lands once, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pickle-writer-'));
    dirs.push(dir);
    const target = slowTarget(30);
    const journal = new Journal(dir);
    const writer = new MemoryWriter(target, journal, { log: silentLogger(), batchMs: 5, batchSize: 8, maxQueue: 20, retryMs: 20 });
    for (let i = 0; i < 100; i++) writer.push({ op: 'upsert', records: [rec(i)] });
    writer.push({ op: 'delete', users: ['sam'] });
    expect(writer.queueLength).toBeLessThanOrEqual(20);
    expect(journal.pending).toBeGreaterThan(0);
    await writer.flush();
    for (let i = 0; i < 100 && writer.journaling; i++) await new Promise((r) => setTimeout(r, 20));
    await writer.flush();
    expect(target.applied).toEqual([...Array.from({ length: 100 }, (_, i) => `r${i}`), 'delete:sam']);
    expect(existsSync(journal.file)).toBe(false);
  });

  it('a journal left by a previous run is replayed first (Pickle stopped while Chroma was away)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pickle-writer-'));
    dirs.push(dir);
    new Journal(dir).append([{ op: 'upsert', records: [rec(1), rec(2)] }]);
    const target = slowTarget(1);
    const writer = new MemoryWriter(target, new Journal(dir), { log: silentLogger(), batchMs: 5, retryMs: 10 });
    writer.push({ op: 'upsert', records: [rec(3)] });
    for (let i = 0; i < 100 && target.applied.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(target.applied).toEqual(['r1', 'r2', 'r3']);
  });
});
