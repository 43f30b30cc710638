/**
 * Token mode across restarts: the access token and the overlay key are the same at the next start
 * (saved OBS docks and browser sources keep working), and `--new-token` replaces both.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRig, type Rig } from './harness.ts';

const dirs: string[] = [];
const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(dataDir: string, newToken = false): Promise<Rig> {
  const r = await startRig({ twitch: false, dataDir, env: { HOST: '0.0.0.0' }, newToken });
  rigs.push(r);
  return r;
}
async function stop(r: Rig): Promise<void> {
  await r.stop();
  rigs.splice(rigs.indexOf(r), 1);
}
const health = (r: Rig, token: string) => fetch(`${r.pickle.url}/health`, { headers: { authorization: `Bearer ${token}` } }).then((res) => res.status);

describe('the access token persists', () => {
  it('same token and overlay key after a restart; --new-token makes new ones and the old token stops working', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pickle-token-'));
    dirs.push(dataDir);
    const first = await start(dataDir);
    const token = first.pickle.accessToken!;
    const key = first.pickle.overlayKey!;
    expect(token).toBeTruthy();
    expect(key).toBeTruthy();
    expect(await health(first, token)).toBe(200);
    expect((await fetch(`${first.pickle.url}/health`)).status).toBe(401);
    expect(statSync(join(dataDir, 'access-token')).mode & 0o777).toBe(0o600);
    await stop(first);

    const second = await start(dataDir);
    expect(second.pickle.accessToken).toBe(token);
    expect(second.pickle.overlayKey).toBe(key);
    expect(await health(second, token)).toBe(200);
    await stop(second);

    const rotated = await start(dataDir, true);
    expect(rotated.pickle.accessToken).not.toBe(token);
    expect(rotated.pickle.overlayKey).not.toBe(key);
    expect(await health(rotated, token)).toBe(401);
    expect(await health(rotated, rotated.pickle.accessToken!)).toBe(200);
  });
});
