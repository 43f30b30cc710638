/**
 * `npm run bench -- connect-flood`: one unauthenticated socket sends 20,000 socket.io namespace
 * CONNECTs (no token) to a Pickle server in token mode, from a worker thread (its own event loop),
 * twice side by side: with the connection limits (src/server/limits.ts) and without. Figures: the
 * server's longest event-loop stall (perf_hooks monitorEventLoopDelay) while the flood lasts, how
 * many CONNECTs reached socket.io, and how long until the server was done with the socket.
 *
 * Options: `--connects 20000`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createSettingsStore } from '../src/config/settings.ts';
import { silentLogger } from '../src/log.ts';
import { createServer } from '../src/server/server.ts';
import { StatusBoard } from '../src/status.ts';

const OVERLAY_DIR = fileURLToPath(new URL('../overlay/', import.meta.url));

const FLOOD = `
const { workerData, parentPort } = require('node:worker_threads');
const WebSocket = require('ws');
const ws = new WebSocket('ws://127.0.0.1:' + workerData.port + '/socket.io/?EIO=4&transport=websocket');
let errors = 0;
ws.on('message', (d) => {
  const t = String(d);
  if (t.startsWith('0')) {
    parentPort.postMessage({ sent: Date.now() });
    for (let i = 0; i < workerData.connects; i++) ws.send('40/panel,');
  } else if (t.startsWith('44/panel,')) {
    if (++errors === workerData.connects) { parentPort.postMessage({ done: 'answered', errors }); ws.close(); }
  }
});
ws.on('close', () => parentPort.postMessage({ done: 'closed', errors }));
ws.on('error', () => {});
`;

async function flood(limits: boolean, connects: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'pickle-bench-flood-'));
  const log = silentLogger();
  const server = await createServer({
    host: '127.0.0.1',
    port: 0,
    log,
    status: new StatusBoard(),
    settings: createSettingsStore({ dataDir, log }),
    personas: () => ['default'],
    onChat: () => {},
    onControl: () => {},
    health: () => ({}),
    overlayDir: OVERLAY_DIR,
    requireToken: true,
    accessToken: 'bench-token-0123456789abcdefghij',
    ...(limits ? {} : { connectionLimits: false as const }),
  });
  let decoded = 0;
  server.io.engine.on('connection', (conn: { on(e: 'data', l: (d: unknown) => void): void }) =>
    conn.on('data', (d) => {
      if (String(d).startsWith('0/panel,')) decoded++;
    }),
  );
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const t0 = performance.now();
  const worker = new Worker(FLOOD, { eval: true, workerData: { port: server.port, connects } });
  const result = await new Promise<{ done: string; errors: number }>((resolve) => {
    worker.on('message', (m: { sent?: number; done?: string; errors?: number }) => {
      if (m.sent) delay.enable();
      if (m.done) resolve({ done: m.done, errors: m.errors ?? 0 });
    });
  });
  const ms = performance.now() - t0;
  // Whatever the server still had queued for this socket runs now: keep measuring a moment.
  await new Promise((r) => setTimeout(r, 200));
  delay.disable();
  await worker.terminate();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  return {
    maxStallMs: Math.round((delay.max / 1e6) * 10) / 10,
    p99StallMs: Math.round((delay.percentile(99) / 1e6) * 10) / 10,
    decodedConnects: decoded,
    answered: result.errors,
    ended: result.done,
    untilDoneMs: Math.round(ms),
  };
}

export default async function run(args: string[]): Promise<Record<string, unknown>> {
  const i = args.indexOf('--connects');
  const connects = i >= 0 ? Number(args[i + 1]) : 20_000;
  // Interleaved, twice each: the first run of either warms the JIT for both.
  const withLimits = [];
  const without = [];
  for (let round = 0; round < 2; round++) {
    withLimits.push(await flood(true, connects));
    without.push(await flood(false, connects));
  }
  const a = withLimits.at(-1)!;
  const b = without.at(-1)!;
  return { connects, withLimits: a, withoutLimits: b, stallRatio: Math.round((b.maxStallMs / Math.max(a.maxStallMs, 0.1)) * 10) / 10 };
}
