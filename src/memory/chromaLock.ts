/**
 * A lock in front of the embedded Chroma. Its server has no authentication of its own (the
 * Rust server in the chromadb package takes no auth settings) and answers any Host header, so a
 * web page that rebinds its name to 127.0.0.1 could read, delete or forge memories. Pickle talks
 * to it only through this proxy, in Pickle's process, which refuses:
 * - a Host header that is not the proxy's own address (DNS rebinding),
 * - any request from a browser (an Origin header),
 * - a request without the token, fresh and random at every start, known only to Pickle.
 * Behind it, Chroma's own port is unreachable from this PC where Linux allows (a network
 * namespace, reached through a Unix socket: chromaIsolation.ts); elsewhere it is a random port
 * of a random loopback address (Linux has all of 127.0.0.0/8).
 */
import { randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { secretMatcher } from '../server/access.ts';

export const CHROMA_TOKEN_HEADER = 'x-chroma-token';

export type ChromaAddress = { host: string; port: number } | { socketPath: string };

export interface ChromaLock {
  /** `http://127.0.0.1:<port>`: where clients connect. */
  readonly url: string;
  /** What every request must carry. */
  readonly headers: Record<string, string>;
  /** Where Chroma listens now (it may move when it restarts): a TCP address or a Unix socket. */
  target(to: ChromaAddress): void;
  close(): Promise<void>;
}

/** A loopback address for Chroma: random on Linux (all of 127/8 is local), 127.0.0.1 elsewhere. */
export function backendHost(): string {
  if (os.platform() !== 'linux') return '127.0.0.1';
  return `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

export async function startChromaLock(): Promise<ChromaLock> {
  const token = randomBytes(24).toString('base64url');
  const tokenOk = secretMatcher(token);
  let to: ChromaAddress | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  let allowedHosts = new Set<string>();

  const server = http.createServer((req, res) => {
    const refuse = (status: number, error: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error }));
      req.resume();
    };
    if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) return refuse(403, 'Host header is not this server');
    if (req.headers.origin !== undefined) return refuse(403, 'browsers may not talk to Chroma');
    const given = req.headers[CHROMA_TOKEN_HEADER];
    if (!tokenOk(Array.isArray(given) ? given[0] : given)) return refuse(401, 'token required');
    if (!to) return refuse(503, 'Chroma is not up');
    const where = 'socketPath' in to ? { socketPath: to.socketPath } : { host: to.host, port: to.port };
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: 'socketPath' in to ? 'localhost' : `${to.host}:${to.port}` };
    delete headers[CHROMA_TOKEN_HEADER];
    const upstream = http.request({ ...where, method: req.method, path: req.url, headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `Chroma: ${err.message}` }));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  return {
    url: `http://127.0.0.1:${port}`,
    headers: { [CHROMA_TOKEN_HEADER]: token },
    target(address) {
      to = address;
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
