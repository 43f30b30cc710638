import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, heartbeat, startEmbeddedChroma, watchExternalChroma, type ChromaLink } from '../../src/memory/chroma.ts';

const CHILD = fileURLToPath(new URL('../../src/memory/chromaChild.mjs', import.meta.url));
import { silentLogger } from '../../src/log.ts';
import { alive, until } from './helpers.ts';

const upOnce = (link: ChromaLink) => (link.up ? Promise.resolve() : new Promise<void>((r) => link.once('up', () => r())));

describe('embedded Chroma (the real server from the chromadb package, as a child process)', () => {
  const dirs: string[] = [];
  const links: ChromaLink[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'pickle-chroma-'));
    dirs.push(d);
    return d;
  };
  afterEach(async () => {
    for (const l of links.splice(0)) await l.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('starts on a free 127.0.0.1 port with --path DIR/chromadb, answers its heartbeat, stops without leaving a process', async () => {
    const dir = tmp();
    const link = await startEmbeddedChroma({ path: join(dir, 'chromadb'), log: silentLogger() });
    links.push(link);
    await upOnce(link);
    expect(link.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await heartbeat(link.url, 2000, link.headers)).toBe(true);
    expect(existsSync(join(dir, 'chromadb', 'chroma.sqlite3'))).toBe(true);
    const pid = link.pid!;
    expect(alive(pid)).toBe(true);
    await link.stop();
    expect(alive(pid)).toBe(false);
    expect(await heartbeat(link.url, 500, link.headers)).toBe(false);
  });

  it('restarts it when it dies (down, then up again with a new process)', async () => {
    const link = await startEmbeddedChroma({ path: join(tmp(), 'chromadb'), log: silentLogger(), restartMs: 50 });
    links.push(link);
    await upOnce(link);
    const first = link.pid!;
    const down = new Promise<string>((r) => link.once('down', r));
    process.kill(first, 'SIGKILL');
    expect(await down).toMatch(/Chroma exited \(SIGKILL\)/);
    expect(link.up).toBe(false);
    await upOnce(link);
    expect(link.pid).not.toBe(first);
    expect(await heartbeat(link.url, 2000, link.headers)).toBe(true);
  });

  it('no orphan: when Pickle is killed hard (SIGKILL), its Chroma goes too', async () => {
    const dir = tmp();
    const script = fileURLToPath(new URL('./fixtures/holdChroma.ts', import.meta.url));
    const parent = spawn(process.execPath, ['--import', 'tsx', script, join(dir, 'chromadb')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await until(() => /chroma-pid \d+/.test(out), 15_000, 'the child to report its Chroma');
    const pid = Number(/chroma-pid (\d+)/.exec(out)![1]);
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    await until(() => !alive(pid), 5000, 'the orphaned Chroma to exit');
  });

  it('CHROMA_URL: an external server is only watched (up / down), never started', async () => {
    // A Chroma someone else runs (as `chroma run` would): the same server, no lock in front.
    const port = await freePort();
    const server = spawn(process.execPath, [CHILD, '--path', join(tmp(), 'chromadb'), '--host', '127.0.0.1', '--port', String(port)], { stdio: ['pipe', 'ignore', 'ignore'] });
    const ext = watchExternalChroma(`http://127.0.0.1:${port}`, silentLogger(), 100);
    links.push(ext);
    await upOnce(ext);
    expect(ext.managed).toBe(false);
    expect(ext.pid).toBeUndefined();
    const down = new Promise<void>((r) => ext.once('down', () => r()));
    server.kill('SIGKILL');
    await down;
    expect(ext.lastError).toContain('does not answer');
  });

  it('CHROMA_URL with CHROMA_TOKEN: the token goes with every request (Chroma token auth: 401 without it)', async () => {
    const seen: Array<string | undefined> = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      const ok = req.headers.authorization === 'Bearer ext-token-123' && req.headers['x-chroma-token'] === 'ext-token-123';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(ok ? '{"nanosecond heartbeat":1}' : '{"error":"Unauthorized"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const without = watchExternalChroma(url, silentLogger(), 100);
      links.push(without);
      await new Promise<void>((r) => without.once('down', () => r()));
      const withToken = watchExternalChroma(url, silentLogger(), 100, 'ext-token-123');
      links.push(withToken);
      await upOnce(withToken);
      expect(withToken.headers).toMatchObject({ authorization: 'Bearer ext-token-123' });
      expect(seen).toContain(undefined);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
