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

  it('a secret inside any URL setting never shows: userinfo and query values are ***', async () => {
    // A port nobody listens on: every check fails at once and prints the URL it tried.
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const at = (scheme: string, name: string, path = '') => `${scheme}://user-${name}:pw-${name}-secret@127.0.0.1:${closed}${path}?api-key=q-${name}-secret&n=1`;
    const urls = {
      LLM_BASE_URL: at('http', 'llm', '/v1'),
      OBS_WEBSOCKET_URL: at('ws', 'obs'),
      DEEPGRAM_URL: at('http', 'dg'),
      TWITCH_AUTH_URL: at('http', 'auth'),
      TWITCH_API_URL: at('http', 'helix', '/helix'),
      CHROMA_URL: at('http', 'chroma'),
      OVERSHOOT_API_URL: at('https', 'overshoot'),
    };
    const common = { PICKLE_DATA_DIR: dataDir, PORT: '0', CHROME_PATH: '/nonexistent/chrome', DEEPGRAM_API_KEY: 'dg-key-url-test-0000', TWITCH_CHANNEL: 'somechannel', TWITCH_BOT_TOKEN: 'twitchurltest0123456789', OBS_WEBSOCKET_PASSWORD: 'obs-pass-url' };
    const openai = await runDoctorProcess({ ...common, ...urls, LLM_BACKEND: 'openai', LLM_API_KEY: 'sk-url-test-0000' });
    const ollama = await runDoctorProcess({ ...common, OLLAMA_HOST: at('http', 'ollama') });
    const out = openai.out + openai.err + ollama.out + ollama.err;
    for (const name of ['llm', 'obs', 'dg', 'auth', 'helix', 'chroma', 'overshoot', 'ollama']) {
      expect(out).not.toContain(`pw-${name}-secret`);
      expect(out).not.toContain(`q-${name}-secret`);
      expect(out).not.toContain(`user-${name}`);
    }
    // The lines still say where they tried, masked.
    expect(openai.out).toContain(`http://***@127.0.0.1:${closed}/v1?api-key=***&n=***`);
    expect(openai.out).toContain(`ws://***@127.0.0.1:${closed}/?api-key=***&n=***`);
    const bad = await runDoctorProcess({ PICKLE_DATA_DIR: dataDir, LLM_BASE_URL: 'http://user:pw-bad-secret@[bad' });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('LLM_BASE_URL');
    expect(bad.err).not.toContain('pw-bad-secret');
  }, 40_000);

  it('a malformed setting: one line naming it, exit 2', async () => {
    const r = await runDoctorProcess({ PICKLE_DATA_DIR: dataDir, OBS_WEBSOCKET_URL: 'http://not-a-websocket' });
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('OBS_WEBSOCKET_URL');
  });
});
