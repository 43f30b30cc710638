import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_DIR } from '../../src/app.ts';

/** `npm run doctor` as the streamer runs it: a child process, a bare environment, nothing answering. */

function runDoctorProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/tools/doctor.ts'], {
    cwd: ROOT_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

/** Accepts connections and never answers: the worst kind of unreachable (no quick ECONNREFUSED). */
let blackHole: Server;
const sockets: Socket[] = [];
let hole = '';
let dataDir: string;
beforeAll(async () => {
  blackHole = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
  hole = `127.0.0.1:${(blackHole.address() as { port: number }).port}`;
  dataDir = mkdtempSync(join(tmpdir(), 'pickle-doctor-cli-'));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => blackHole.close(r));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run doctor (process)', () => {
  it('everything unreachable or silent: ends within 30 s, exit 1, one line per check, no secret printed', async () => {
    const secrets = { DEEPGRAM_API_KEY: 'dg-secret-cli-123456', TWITCH_BOT_TOKEN: 'twitchsecretcli0123456789', OBS_WEBSOCKET_PASSWORD: 'obs-secret-cli' };
    const t0 = Date.now();
    const r = await runDoctorProcess({
      PICKLE_DATA_DIR: dataDir,
      PORT: '0',
      OLLAMA_HOST: `http://${hole}`,
      DEEPGRAM_URL: `http://${hole}`,
      TWITCH_CHANNEL: 'somechannel',
      TWITCH_AUTH_URL: `http://${hole}`,
      TWITCH_API_URL: `http://${hole}/helix`,
      OBS_WEBSOCKET_URL: `ws://${hole}`,
      CHROME_PATH: '/nonexistent/chrome',
      ...secrets,
    });
    const ms = Date.now() - t0;
    console.log(`doctor with nothing answering: ${ms} ms`);
    expect(ms).toBeLessThan(30_000);
    expect(r.code, r.out + r.err).toBe(1);
    for (const name of ['Node', 'Ollama', 'Deepgram', 'Twitch token', 'OBS', 'Disk', 'Port']) expect(r.out).toMatch(new RegExp(`^[✓!✗] ${name}`, 'm'));
    expect(r.out).toMatch(/^✗ Ollama .*(no answer|not reachable)/m);
    for (const s of Object.values(secrets)) expect(r.out + r.err).not.toContain(s);
  }, 40_000);

  it('a malformed setting: one line naming it, exit 2', async () => {
    const r = await runDoctorProcess({ PICKLE_DATA_DIR: dataDir, OBS_WEBSOCKET_URL: 'http://not-a-websocket' });
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('OBS_WEBSOCKET_URL');
  });
});
