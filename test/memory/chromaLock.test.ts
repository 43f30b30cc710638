/**
 * The embedded Chroma behind its lock (the real server): Pickle's own client gets in with the
 * token of this start; no token, a wrong token, a foreign Host header (DNS rebinding) or a
 * browser's Origin are refused before Chroma sees the request, reads and forged writes alike.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChromaClient } from 'chromadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { heartbeat, startEmbeddedChroma, type ChromaLink } from '../../src/memory/chroma.ts';
import { CHROMA_TOKEN_HEADER } from '../../src/memory/chromaLock.ts';
import { chromaIsolation } from '../../src/memory/chromaIsolation.ts';
import { rawRequest } from '../server/harness.ts';

describe('embedded Chroma behind a lock', () => {
  let dir: string;
  let link: ChromaLink;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pickle-lock-'));
    link = await startEmbeddedChroma({ path: join(dir, 'chromadb'), log: silentLogger() });
    if (!link.up) await new Promise<void>((r) => link.once('up', () => r()));
  });
  afterAll(async () => {
    await link.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const port = () => new URL(link.url).port;
  const token = () => link.headers[CHROMA_TOKEN_HEADER]!;
  const collections = `/api/v2/tenants/default_tenant/databases/default_database/collections`;

  it("Pickle's client works with the token of this start", async () => {
    expect(token()).toMatch(/^[\w-]{32}$/);
    expect(await heartbeat(link.url, 2000, link.headers)).toBe(true);
    const client = new ChromaClient({ host: '127.0.0.1', port: Number(port()), headers: link.headers });
    const c = await client.getOrCreateCollection({ name: 'lock_test', embeddingFunction: null });
    await c.upsert({ ids: ['a'], embeddings: [[0.1, 0.2, 0.3]], documents: ['a memory'], metadatas: [{ source: 'chat' }] });
    expect(await c.count()).toBe(1);
  });

  it('no token or a wrong token: 401, for reads and writes', async () => {
    for (const headers of [{}, { [CHROMA_TOKEN_HEADER]: 'guess' }] as Array<Record<string, string>>) {
      const hb = await rawRequest(`${link.url}/api/v2/heartbeat`, { headers: { host: `127.0.0.1:${port()}`, ...headers } });
      expect(hb.status).toBe(401);
      const list = await rawRequest(`${link.url}${collections}`, { headers: { host: `127.0.0.1:${port()}`, ...headers } });
      expect(list.status).toBe(401);
      expect(list.text).not.toContain('lock_test');
      const forged = await rawRequest(`${link.url}${collections}`, {
        method: 'POST',
        headers: { host: `127.0.0.1:${port()}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'forged', get_or_create: true }),
      });
      expect(forged.status).toBe(401);
    }
    const client = new ChromaClient({ host: '127.0.0.1', port: Number(port()), headers: link.headers });
    expect((await client.listCollections()).map((c) => c.name)).toEqual(['lock_test']);
  });

  it('a foreign Host header (DNS rebinding) is refused even with the token; so is a browser Origin', async () => {
    const withToken = { [CHROMA_TOKEN_HEADER]: token() };
    for (const host of ['evil.example', `evil.example:${port()}`, `127.0.0.1:1`]) {
      const res = await rawRequest(`${link.url}${collections}`, { headers: { host, ...withToken } });
      expect(res.status, host).toBe(403);
      expect(res.text).not.toContain('lock_test');
    }
    const fromPage = await rawRequest(`${link.url}${collections}`, { headers: { host: `127.0.0.1:${port()}`, origin: 'http://evil.example', ...withToken } });
    expect(fromPage.status).toBe(403);
    const ok = await rawRequest(`${link.url}${collections}`, { headers: { host: `localhost:${port()}`, ...withToken } });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('lock_test');
  });

  /** Listening TCP sockets in a network namespace's table (`/proc/<pid>/net/tcp*`): inode → port. */
  const listening = (proc: string) => {
    const out = new Map<string, number>();
    for (const f of ['tcp', 'tcp6']) {
      const file = `${proc}/net/${f}`;
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
        const c = line.trim().split(/\s+/);
        if (c[3] === '0A') out.set(c[9]!, parseInt(c[1]!.split(':')[1]!, 16));
      }
    }
    return out;
  };
  const socketInodes = (pid: number) =>
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return m ? [m[1]!] : [];
      } catch {
        return [];
      }
    });

  it.runIf(chromaIsolation())('Chroma\'s own port is in its own network namespace: on this PC nothing of it listens, and the only way in (the lock) answers 401/403 without the secret, whatever the Host, and changes nothing', async () => {
    expect(link.isolated).toBe(true);
    const pid = link.pid!;
    const mine = socketInodes(pid);
    // Chroma does listen, in its namespace…
    expect([...listening(`/proc/${pid}`)].filter(([inode]) => mine.includes(inode)).length).toBeGreaterThan(0);
    // …and none of its sockets listens in this PC's network.
    const here = listening('/proc/self');
    expect(mine.filter((inode) => here.has(inode))).toEqual([]);
    const lockPort = Number(port());
    for (const host of [undefined, 'evil.example', `evil.example:${lockPort}`, `127.0.0.1:${lockPort}`, `localhost:${lockPort}`]) {
      const headers: Record<string, string> = host ? { host } : {};
      const read = await rawRequest(`${link.url}${collections}`, { headers });
      expect([401, 403], String(host)).toContain(read.status);
      expect(read.text).not.toContain('lock_test');
      const gone = await rawRequest(`${link.url}${collections}/lock_test`, { method: 'DELETE', headers });
      expect([401, 403], String(host)).toContain(gone.status);
    }
    const client = new ChromaClient({ host: '127.0.0.1', port: lockPort, headers: link.headers });
    expect((await client.listCollections()).map((c) => c.name)).toContain('lock_test');
  });
});
