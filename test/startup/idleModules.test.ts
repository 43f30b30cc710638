import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startObsStandin, type ObsStandin } from '../standins/obs.ts';
import { freeRestartablePort } from '../standins/restartablePort.ts';

/**
 * What an idle Pickle has loaded: `npm start`'s command with a loader hook that writes down every
 * package module it loads. Features that are off (no keys, nothing configured) load none of their
 * packages; one that is on (OBS here) does, which shows the record sees what it should.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RECORDER = fileURLToPath(new URL('./recordLoads.mjs', import.meta.url));
const FEATURE_PACKAGES = ['puppeteer-core', '@huggingface/transformers', 'openai', 'obs-websocket-js', '@deepgram/sdk', 'tmi.js'];

let pickle: ChildProcess | undefined;
let obs: ObsStandin | undefined;
let dir: string | undefined;
afterEach(async () => {
  if (pickle && pickle.exitCode === null) {
    const gone = new Promise((r) => pickle!.once('exit', r));
    pickle.kill('SIGINT');
    await gone;
  }
  await obs?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  pickle = obs = dir = undefined;
});

interface Health {
  services: { service: string; state: string }[];
}

/** Starts Pickle as `npm start` does, waits until no service is `starting`, and returns the packages it loaded. */
async function idlePackages(env: Record<string, string>): Promise<Set<string>> {
  dir = mkdtempSync(join(tmpdir(), 'pickle-idle-'));
  const record = join(dir, 'loaded.txt');
  writeFileSync(record, '');
  const port = await freeRestartablePort();
  pickle = spawn(process.execPath, ['--import', RECORDER, '--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'],
      HOME: dir,
      PICKLE_DATA_DIR: join(dir, 'data'),
      PORT: String(port),
      OLLAMA_HOST: 'http://127.0.0.1:9',
      MEMORY_ENABLED: 'false',
      PICKLE_LOAD_RECORD: record,
      ...env,
    },
    stdio: 'ignore',
  });
  const child = pickle;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Pickle exited (${child.exitCode})`);
    const health = await fetch(`http://127.0.0.1:${port}/health`)
      .then((r) => (r.ok ? (r.json() as Promise<Health>) : undefined))
      .catch(() => undefined);
    if (health && health.services.length > 0 && health.services.every((s) => s.state !== 'starting')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const packages = readFileSync(record, 'utf8')
    .split('\n')
    .map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1])
    .filter((p): p is string => p !== undefined);
  return new Set(packages);
}

describe('an idle Pickle loads only what its features use', () => {
  it('no keys, nothing configured: no browser, ML runtime, OpenAI client, OBS client, Deepgram SDK or Twitch IRC client', async () => {
    const loaded = await idlePackages({});
    expect(FEATURE_PACKAGES.filter((p) => loaded.has(p))).toEqual([]);
    // The record is real: the server and the machines are there.
    expect(loaded.has('express')).toBe(true);
    expect(loaded.has('xstate')).toBe(true);
  }, 60_000);

  it('OBS configured: its client is loaded, the others still are not', async () => {
    obs = await startObsStandin({ password: null });
    const loaded = await idlePackages({ OBS_WEBSOCKET_URL: obs.url });
    expect(loaded.has('obs-websocket-js')).toBe(true);
    expect(FEATURE_PACKAGES.filter((p) => p !== 'obs-websocket-js' && loaded.has(p))).toEqual([]);
  }, 60_000);
});
