/**
 * Listening for stand-ins that quit and come back on the same port (OBS closed and reopened, Ollama
 * restarted). Port 0 would hand out a port from the kernel's ephemeral range, and while the stand-in
 * is "down" the kernel may give that same port to any other test's outgoing connection; the
 * stand-in then cannot come back (EADDRINUSE). So a restartable stand-in takes a port just below
 * that range, which the kernel never assigns by itself, and retries the rare clash with another
 * stand-in that picked the same one.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const HOST = '127.0.0.1';
const SPAN = 8000;

/** The lowest port the kernel hands out by itself (Linux reads it from /proc; elsewhere IANA's 49152). */
function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const n = Number(low);
    if (Number.isInteger(n) && n > 1024 + SPAN) return n;
  } catch {
    // not Linux: fall through
  }
  return 49152;
}

function listenOnce(server: Server, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

const inUse = (err: unknown) => err instanceof Error && 'code' in err && err.code === 'EADDRINUSE';

/** First start: a free port below the ephemeral range. */
export async function listenRestartable(server: Server): Promise<number> {
  const high = ephemeralLow() - 1;
  for (let tries = 0; ; tries++) {
    const port = high - Math.floor(Math.random() * SPAN);
    try {
      return await listenOnce(server, port);
    } catch (err) {
      if (!inUse(err) || tries >= 50) throw err;
    }
  }
}

/** Coming back on the port it had: retried for a while in case another stand-in holds it for a moment. */
export async function relisten(server: Server, port: number): Promise<number> {
  for (let tries = 0; ; tries++) {
    try {
      return await listenOnce(server, port);
    } catch (err) {
      if (!inUse(err) || tries >= 40) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A port below the ephemeral range that is free now, for a program the test starts twice on one port (Pickle restarted). */
export async function freeRestartablePort(): Promise<number> {
  const probe = createServer();
  const port = await listenRestartable(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
