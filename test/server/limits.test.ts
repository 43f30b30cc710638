import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHarness, type Harness } from './harness.ts';

/**
 * Connection limits at the door, by the order of events (a clock the test moves, small
 * allowances): past its allowance an address gets no more work done — CONNECT packets close its
 * socket.io connection undecoded, refused requests turn into 429 and closed connections — and
 * /health counts it; once the allowance refills, the same address is served again.
 */

const TOKEN = 'limits-test-token-0123456789abcdef';
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function limitedServer() {
  let now = 0;
  h = await startHarness({
    requireToken: true,
    accessToken: TOKEN,
    connectionLimits: { now: () => now, limits: { connect: { burst: 5, perSec: 1 }, refused: { burst: 5, perSec: 1 } } },
  });
  const port = h.server.port;
  return { port, advance: (ms: number) => (now += ms) };
}

/** One engine.io WebSocket: what it receives, in order, and when it closed. */
function engineSocket(port: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  const events: string[] = [];
  const opened = new Promise<void>((resolve, reject) => {
    ws.on('message', (d: Buffer) => {
      const text = d.toString();
      if (text.startsWith('0')) resolve();
      events.push(text);
    });
    ws.on('error', (e) => {
      events.push(`error ${e.message}`);
      reject(e);
    });
    ws.on('unexpected-response', (_req, res) => {
      events.push(`refused ${res.statusCode}`);
      reject(new Error(`handshake ${res.statusCode}`));
    });
  });
  const closed = new Promise<void>((resolve) => ws.on('close', () => (events.push('close'), resolve())));
  return { ws, events, opened, closed };
}

const health = async (port: number) =>
  (await (await fetch(`http://127.0.0.1:${port}/health`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { refusedByLimits: Record<string, number> };

describe('connection limits', () => {
  it('1,000 unauthenticated CONNECTs on one socket: the allowance reaches socket.io, then the connection closes and the rest go undecoded', async () => {
    const { port, advance } = await limitedServer();
    // What socket.io gets to decode: the engine's `data` events, which follow its `packet` events.
    const decoded: string[] = [];
    h!.server.io.engine.on('connection', (conn: { on(e: 'data', l: (d: unknown) => void): void }) => conn.on('data', (d) => decoded.push(String(d))));
    const s = engineSocket(port);
    await s.opened;
    for (let i = 0; i < 1000; i++) s.ws.send('40/panel,');
    await s.closed;
    // The burst of 5, and the packet that found it spent (already on its way when the engine closed).
    expect(decoded.filter((d) => d.startsWith('0/panel,'))).toHaveLength(6);
    expect(s.events.at(-1)).toBe('close');
    // The address is turned away at the door (TCP, or the handshake) until its allowance refills.
    const again = engineSocket(port);
    await expect(again.opened).rejects.toThrow();
    advance(2000);
    const counts = (await health(port)).refusedByLimits;
    expect(counts.sockets).toBe(1);
    expect((counts.connections ?? 0) + (counts.handshakes ?? 0)).toBeGreaterThanOrEqual(1);
    const later = engineSocket(port);
    await later.opened;
    later.ws.send(`40/panel,${JSON.stringify({ token: TOKEN })}`);
    await new Promise<void>((resolve) => later.ws.on('message', (d: Buffer) => d.toString().startsWith('40/panel,') && resolve()));
    later.ws.close();
  });

  it('refused requests: after 5, the same address gets 429 (its token no longer helps) and new connections are closed; later it is served', async () => {
    const { port, advance } = await limitedServer();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: '/api/settings', headers, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }).on('error', reject);
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await get());
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // A new connection from this address is closed before any request is read.
    await expect(get({ authorization: `Bearer ${TOKEN}` })).rejects.toThrow(/hang up|ECONNRESET/);
    advance(1000);
    expect(await get({ authorization: `Bearer ${TOKEN}` })).toBe(200);
    const counts = (await health(port)).refusedByLimits;
    expect(counts.requests).toBe(1);
    expect(counts.connections).toBeGreaterThanOrEqual(1);
    agent.destroy();
  });
});
