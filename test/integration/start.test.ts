import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_DIR } from '../../src/app.ts';
import { probeLocalVoice } from '../../src/tts/espeak.ts';

/** `npm start` as the streamer runs it: a child process with a bare environment. */
function startPickleProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

/** A port where nothing listens (so the test never talks to a real Ollama on this machine). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('npm start', () => {
  it('with no keys at all: starts, serves /health, and lists each disabled service with its enabling step', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pickle-start-'));
    const t0 = Date.now();
    const p = startPickleProcess({ PORT: '0', PICKLE_DATA_DIR: dataDir, OLLAMA_HOST: `http://127.0.0.1:${await closedPort()}` });
    try {
      let url: string | undefined;
      for (let i = 0; i < 300 && !url; i++) {
        url = /health\s+(http:\/\/127\.0\.0\.1:\d+)\/health/.exec(p.out())?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 50));
      }
      expect(url, `stdout:\n${p.out()}\nstderr:\n${p.err()}`).toBeDefined();
      const health = (await (await fetch(`${url}/health`)).json()) as {
        mode: string;
        services: Array<{ service: string; state: string; fix?: string; configured?: boolean }>;
      };
      const ms = Date.now() - t0;
      console.log(`npm start → /health answered in ${ms} ms`);
      expect(health.mode).toBe('rehearsal');
      const byName = Object.fromEntries(health.services.map((s) => [s.service, s]));
      for (const name of ['twitch', 'tts', 'stt', 'vision']) {
        // tts: with espeak-ng installed Pickle speaks with the local voice, so it is up; Deepgram is an option left off.
        const expected = name === 'tts' && (await probeLocalVoice()).espeak ? 'up' : 'disabled';
        expect(byName[name]?.state, name).toBe(expected);
        // What the streamer did not set up is marked so (a grey `off` in the panel), not a fault.
        if (name !== 'tts') expect(byName[name]?.configured, name).toBe(false);
        expect(byName[name]?.fix, name).toMatch(/set [A-Z_]+/);
      }
      expect(byName.twitch!.fix).toContain('TWITCH_CHANNEL');
      expect(byName.tts!.fix).toContain('DEEPGRAM_API_KEY');
      // The console says the same, briefly.
      expect(p.out()).toMatch(/twitch\s+disabled/);
      expect(p.err()).toBe('');
    } finally {
      p.child.kill('SIGINT');
      expect(await p.exited).toBe(0);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ PORT: 'abc' }, /^pickle: PORT: expected a port number 0-65535 \(got "abc"\)\n$/],
    [{ STT_ENABLED: 'maybe' }, /^pickle: STT_ENABLED: expected true or false \(got "maybe"\)\n$/],
    [{ TWITCH_CHANNEL: 'not a channel!' }, /^pickle: TWITCH_CHANNEL: expected a Twitch channel name/],
    [{ PERSONA: 'nope' }, /^pickle: PERSONA: no personas\/nope\.yaml \(available: default\)\n$/],
  ])('a malformed setting %o exits 2 with one line naming it', async (env, line) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pickle-bad-'));
    const p = startPickleProcess({ PICKLE_DATA_DIR: dataDir, PORT: '0', ...env });
    expect(await p.exited).toBe(2);
    expect(p.err()).toMatch(line);
    expect(p.err().trim().split('\n')).toHaveLength(1);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
