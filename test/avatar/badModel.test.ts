/**
 * Bad models never reach the overlay: a file that is not glTF, a VRM without humanoid bones, a
 * 200 MB file, or a path outside personas/ and the data folder each give one clear reason on
 * /health (`avatar: down`), and the overlay is told no model (it keeps the built-in face).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkModel } from '../../src/avatar/model.ts';
import { parseEnv } from '../../src/config/env.ts';
import type { Persona } from '../../src/config/persona.ts';
import { loadPersona } from '../../src/config/persona.ts';
import { startRig, type Rig } from '../integration/harness.ts';
import { buildTestVrm, glb } from '../fixtures/testVrm.ts';

const dirs: string[] = [];
let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folders() {
  const root = mkdtempSync(join(tmpdir(), 'pickle-badvrm-'));
  dirs.push(root);
  const personasDir = join(root, 'personas');
  const dataDir = join(root, 'data');
  mkdirSync(personasDir);
  mkdirSync(dataDir);
  writeFileSync(join(personasDir, 'default.yaml'), 'name: Pickle\npersonality: A test persona.\n');
  return { root, personasDir, dataDir, persona: loadPersona(personasDir, 'default') };
}

const check = (persona: Persona, file: string, roots: { personasDir: string; dataDir: string }, extra: Record<string, string> = {}) =>
  checkModel(persona, parseEnv({ AVATAR_MODEL: file, ...extra }), roots);

describe('a VRM model that cannot be used', () => {
  it('each bad file gives one clear reason; a good one passes', () => {
    const f = folders();
    writeFileSync(join(f.dataDir, 'good.vrm'), buildTestVrm());
    writeFileSync(join(f.dataDir, 'text.vrm'), 'this is not a model at all, just text');
    writeFileSync(join(f.dataDir, 'plain.vrm'), glb({ asset: { version: '2.0' } }, Buffer.alloc(0)));
    writeFileSync(join(f.dataDir, 'nobones.vrm'), buildTestVrm({ withoutBones: ['hips', 'spine', 'head', 'leftUpperLeg', 'leftLowerLeg', 'leftFoot', 'rightUpperLeg', 'rightLowerLeg', 'rightFoot', 'leftUpperArm', 'leftLowerArm', 'leftHand', 'rightUpperArm', 'rightLowerArm', 'rightHand'] }));
    writeFileSync(join(f.dataDir, 'nohead.vrm'), buildTestVrm({ withoutBones: ['head'] }));
    writeFileSync(join(f.dataDir, 'huge.vrm'), buildTestVrm());
    truncateSync(join(f.dataDir, 'huge.vrm'), 200 * 1024 * 1024);
    writeFileSync(join(f.root, 'outside.vrm'), buildTestVrm());
    symlinkSync(join(f.root, 'outside.vrm'), join(f.dataDir, 'link.vrm'));

    const good = check(f.persona, 'good.vrm', f);
    expect(good.kind).toBe('ok');
    if (good.kind === 'ok') expect(good.info).toMatchObject({ version: '1.0', name: 'Pickle Test Bot' });

    const reason = (file: string, extra?: Record<string, string>) => {
      const c = check(f.persona, file, f, extra);
      return c.kind === 'bad' ? c.reason : `not refused (${c.kind})`;
    };
    expect(reason('text.vrm')).toBe('text.vrm: not a VRM file (no glTF binary header)');
    expect(reason('plain.vrm')).toMatch(/without VRM data/);
    expect(reason('nobones.vrm')).toBe('nobones.vrm: the VRM has no humanoid bones');
    expect(reason('nohead.vrm')).toBe('nohead.vrm: the VRM has no humanoid bone head');
    expect(reason('huge.vrm')).toBe('huge.vrm: the file is 200 MB, over the 50 MB limit (AVATAR_MAX_MB)');
    expect(reason('huge.vrm', { AVATAR_MAX_MB: '300' })).toBe('not refused (ok)');
    expect(reason('../outside.vrm')).toMatch(/only files inside personas\/ or the data folder/);
    expect(reason(join(f.root, 'outside.vrm'))).toMatch(/only files inside personas\/ or the data folder/);
    expect(reason('link.vrm')).toMatch(/links outside/);
    expect(reason('missing.vrm')).toMatch(/does not exist/);
  });

  it('the persona may name its model; a path out of its folder is refused by the persona check', () => {
    const f = folders();
    writeFileSync(join(f.personasDir, 'vrm.yaml'), 'name: Vee\npersonality: A test persona.\navatar:\n  kind: vrm\n  model: ../secret.vrm\n');
    expect(() => loadPersona(f.personasDir, 'vrm')).toThrow(/avatar.model/);
    writeFileSync(join(f.personasDir, 'vrm.yaml'), 'name: Vee\npersonality: A test persona.\navatar:\n  kind: vrm\n  model: vee.vrm\n  framing: full\n');
    writeFileSync(join(f.personasDir, 'vee.vrm'), buildTestVrm({ name: 'Vee' }));
    const c = checkModel(loadPersona(f.personasDir, 'vrm'), parseEnv({}), f);
    expect(c.kind === 'ok' && c.look).toMatchObject({ file: 'vee.vrm', framing: 'full', distance: 2.6, url: expect.stringMatching(/^\/overlay\/avatar\/model\.vrm/) });
  });

  it('in Pickle: /health says avatar down with the reason, the overlay is told no model, and the model URL serves nothing', async () => {
    const f = folders();
    writeFileSync(join(f.dataDir, 'text.vrm'), 'not glTF');
    rig = await startRig({ twitch: false, dataDir: f.dataDir, env: { AVATAR_MODEL: 'text.vrm' } });
    const health = (await (await fetch(`${rig.pickle.url}/health`)).json()) as { services: Array<{ service: string; state: string; detail: string; fix?: string }> };
    const avatar = health.services.find((s) => s.service === 'avatar');
    expect(avatar).toMatchObject({ state: 'down', detail: expect.stringContaining('text.vrm: not a VRM file') });
    expect(avatar?.fix).toMatch(/AVATAR_MODEL/);
    const state = await rig.waitFor(() => rig!.overlayEvents.find((e) => e.event === 'state'), 5000, 'the overlay state');
    expect((state.data as { look: { model: unknown } }).look.model).toBeNull();
    expect((await fetch(`${rig.pickle.url}/overlay/avatar/model.vrm`)).status).toBe(404);
    // Only the vendor modules the import map names are served, nothing else of node_modules.
    expect((await fetch(`${rig.pickle.url}/overlay/vendor/three/build/three.module.js`)).status).toBe(200);
    expect((await fetch(`${rig.pickle.url}/overlay/vendor/three/package.json`)).status).toBe(404);
    expect((await fetch(`${rig.pickle.url}/overlay/vendor/three/build/../../express/package.json`)).status).toBe(404);
  }, 30_000);
});
