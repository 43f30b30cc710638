/**
 * `npm run bench -- chroma-lock`: what the lock in front of the embedded Chroma costs. One real
 * Chroma server (spawned as Pickle does, without its lock), reached two ways, interleaved:
 * directly, and through the lock (chromaLock.ts: Host + token check, proxied). Figures: latency
 * p50/p95/p99 of a top-3 similarity query and of a count, per path.
 *
 * Options: `--records 2000 --queries 300`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChromaClient } from 'chromadb';
import { freePort, heartbeat } from '../src/memory/chroma.ts';
import { startChromaLock } from '../src/memory/chromaLock.ts';

const CHILD = fileURLToPath(new URL('../src/memory/chromaChild.mjs', import.meta.url));

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100;
};
const stats = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99) });

export default async function run(args: string[]): Promise<Record<string, unknown>> {
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const records = Number(opt('records') ?? 2000);
  const queries = Number(opt('queries') ?? 300);
  const dir = mkdtempSync(join(tmpdir(), 'pickle-bench-lock-'));
  const port = await freePort();
  const child = spawn(process.execPath, [CHILD, '--path', join(dir, 'chromadb'), '--host', '127.0.0.1', '--port', String(port)], { stdio: ['pipe', 'ignore', 'ignore'] });
  const lock = await startChromaLock();
  lock.target({ host: '127.0.0.1', port });
  try {
    while (!(await heartbeat(`http://127.0.0.1:${port}`, 1000))) await new Promise((r) => setTimeout(r, 100));
    const direct = new ChromaClient({ host: '127.0.0.1', port });
    const locked = new ChromaClient({ host: '127.0.0.1', port: Number(new URL(lock.url).port), headers: lock.headers });
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
    const vec = () => Array.from({ length: 384 }, rnd);
    const col = await direct.getOrCreateCollection({ name: 'bench_lock', configuration: { hnsw: { space: 'cosine' } }, embeddingFunction: null });
    for (let i = 0; i < records; i += 256) {
      const n = Math.min(256, records - i);
      await col.upsert({ ids: Array.from({ length: n }, (_, k) => `r${i + k}`), embeddings: Array.from({ length: n }, vec), documents: Array.from({ length: n }, (_, k) => `memory ${i + k}`) });
    }
    const viaDirect = col;
    const viaLock = await locked.getOrCreateCollection({ name: 'bench_lock', configuration: { hnsw: { space: 'cosine' } }, embeddingFunction: null });
    const times = { direct: { query: [] as number[], count: [] as number[] }, lock: { query: [] as number[], count: [] as number[] } };
    for (let i = 0; i < queries + 20; i++) {
      for (const [name, c] of [['direct', viaDirect], ['lock', viaLock]] as const) {
        const q = vec();
        let t0 = performance.now();
        await c.query({ queryEmbeddings: [q], nResults: 3 });
        const tq = performance.now() - t0;
        t0 = performance.now();
        await c.count();
        const tc = performance.now() - t0;
        if (i >= 20) {
          times[name].query.push(tq);
          times[name].count.push(tc);
        }
      }
    }
    return {
      records,
      queries,
      queryMs: { direct: stats(times.direct.query), lock: stats(times.lock.query) },
      countMs: { direct: stats(times.direct.count), lock: stats(times.lock.count) },
    };
  } finally {
    await lock.close();
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
