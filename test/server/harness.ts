/** Starts a real Pickle server on 127.0.0.1:0 with a temp data dir; records what it hands on. */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSettingsStore, type SettingsStore } from '../../src/config/settings.ts';
import { silentLogger } from '../../src/log.ts';
import { createServer, type PickleServer, type ServerOptions } from '../../src/server/server.ts';
import { StatusBoard } from '../../src/status.ts';

export const OVERLAY_DIR = fileURLToPath(new URL('../../overlay/', import.meta.url));

export interface Harness {
  server: PickleServer;
  settings: SettingsStore;
  status: StatusBoard;
  dataDir: string;
  chats: { user: string; text: string }[];
  controls: string[];
  close(): Promise<void>;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pickle-server-'));
}

export async function startHarness(extra: Partial<ServerOptions> = {}, dataDir = tempDir()): Promise<Harness> {
  const log = silentLogger();
  const settings = createSettingsStore({ dataDir, log });
  const status = new StatusBoard();
  const chats: Harness['chats'] = [];
  const controls: string[] = [];
  const server = await createServer({
    host: '127.0.0.1',
    port: 0,
    log,
    status,
    settings,
    personas: () => ['default', 'gremlin'],
    onChat: (m) => chats.push(m),
    onControl: (c) => controls.push(c),
    health: () => ({ mode: 'test' }),
    overlayDir: OVERLAY_DIR,
    ...extra,
  });
  return {
    server,
    settings,
    status,
    dataDir,
    chats,
    controls,
    async close() {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** fetch cannot set Host; this can. Resolves with status, headers and parsed JSON (or text). */
export function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: unknown; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
      });
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export function json(body: unknown): RequestInit {
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
