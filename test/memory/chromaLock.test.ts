/**
 * The embedded Chroma behind its lock (the real server): Pickle's own client gets in with the
 * token of this start; no token, a wrong token, a foreign Host header (DNS rebinding) or a
 * browser's Origin are refused before Chroma sees the request, reads and forged writes alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChromaClient } from 'chromadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { heartbeat, startEmbeddedChroma, type ChromaLink } from '../../src/memory/chroma.ts';
import { CHROMA_TOKEN_HEADER } from '../../src/memory/chromaLock.ts';
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
});
