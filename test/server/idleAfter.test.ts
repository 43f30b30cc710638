import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettingsStore } from '../../src/config/settings.ts';
import { loadPersona, PersonaError, toRuntime } from '../../src/config/persona.ts';
import { silentLogger } from '../../src/log.ts';
import { json, startHarness, tempDir, type Harness } from './harness.ts';

let h: Harness;
let base: string;
beforeAll(async () => {
  h = await startHarness();
  base = h.server.url;
});
afterAll(() => h.close());

describe('idleAfterSec: persona YAML behavior.idle_after, overridden by the settings API', () => {
  it('PUT /api/settings/persona {"idleAfterSec": N} is persisted; null clears it; out of range is a 400', async () => {
    let res = await fetch(`${base}/api/settings/persona`, { method: 'PUT', ...json({ idleAfterSec: 60 }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ idleAfterSec: 60 });
    const onDisk = JSON.parse(fs.readFileSync(path.join(h.dataDir, 'settings.json'), 'utf8')) as { persona: Record<string, unknown> };
    expect(onDisk.persona['idleAfterSec']).toBe(60);
    expect(createSettingsStore({ dataDir: h.dataDir, log: silentLogger() }).get().persona.idleAfterSec).toBe(60);

    res = await fetch(`${base}/api/settings/persona`, { method: 'PUT', ...json({ idleAfterSec: -1 }) });
    expect(res.status).toBe(400);
    expect(Object.keys(((await res.json()) as { fields: Record<string, string> }).fields)).toEqual(['idleAfterSec']);

    res = await fetch(`${base}/api/settings/persona`, { method: 'PUT', ...json({ idleAfterSec: null }) });
    expect(await res.json()).not.toHaveProperty('idleAfterSec');
  });

  it('the YAML default is 180 s, 0 means never, and an override wins', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'quiet.yaml'), 'name: Quiet\npersonality: calm\nbehavior:\n  idle_after: 0\n');
    fs.writeFileSync(path.join(dir, 'plain.yaml'), 'name: Plain\npersonality: calm\n');
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'name: Bad\npersonality: calm\nbehavior:\n  idle_after: -5\n');
    expect(toRuntime(loadPersona(dir, 'plain')).idleAfterSec).toBe(180);
    expect(toRuntime(loadPersona(dir, 'quiet')).idleAfterSec).toBe(0);
    expect(toRuntime(loadPersona(dir, 'quiet'), { idleAfterSec: 45 }).idleAfterSec).toBe(45);
    expect(() => loadPersona(dir, 'bad')).toThrow(PersonaError);
    expect(() => loadPersona(dir, 'bad')).toThrow(/behavior\.idle_after/);
    expect(toRuntime(loadPersona(path.join(__dirname, '../../personas'), 'default')).idleAfterSec).toBe(180);
  });
});
