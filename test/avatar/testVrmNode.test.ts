/**
 * The test VRM is a real VRM: three.js's GLTFLoader with three-vrm's plugin loads it in plain
 * Node, finds its humanoid, its meta and its expressions; without the required bones it refuses.
 */
import { describe, expect, it } from 'vitest';
import { GLTFLoader, type GLTF } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { VRMLoaderPlugin } from '@pixiv/three-vrm';
import { buildTestVrm } from '../fixtures/testVrm.ts';

/** The part of three-vrm's VRM these tests read (its .d.ts files do not resolve under NodeNext). */
interface VRM {
  meta: { metaVersion: string; name?: string };
  humanoid: { getRawBoneNode(name: string): { name: string } | null };
  expressionManager?: { expressions: Array<{ expressionName: string }>; setValue(name: string, weight: number): void };
  scene: { getObjectByName(name: string): unknown };
  update(delta: number): void;
}

function load(bytes: Buffer): Promise<GLTF> {
  const loader = new GLTFLoader();
  loader.register((parser) => new VRMLoaderPlugin(parser));
  const ab = new Uint8Array(bytes).buffer;
  return new Promise((resolve, reject) => loader.parse(ab, '', resolve, reject));
}

describe('the test VRM in three-vrm (Node)', () => {
  it('loads as VRM 1.0 with its meta, humanoid and expressions', async () => {
    const gltf = await load(buildTestVrm({ name: 'Node Bot' }));
    const vrm = gltf.userData['vrm'] as VRM | undefined;
    expect(vrm).toBeDefined();
    expect(vrm!.meta.metaVersion).toBe('1');
    expect(vrm!.meta.name).toBe('Node Bot');
    expect(vrm!.humanoid.getRawBoneNode('head')?.name).toBe('head');
    const names = vrm!.expressionManager!.expressions.map((e) => e.expressionName).sort();
    expect(names).toEqual(expect.arrayContaining(['happy', 'angry', 'sad', 'relaxed', 'surprised', 'aa', 'ih', 'ou', 'ee', 'oh', 'blink']));
    vrm!.expressionManager!.setValue('happy', 0.7);
    vrm!.update(1 / 60);
    const face = vrm!.scene.getObjectByName('Face') as { morphTargetInfluences?: number[] } | undefined;
    expect(face?.morphTargetInfluences?.[0]).toBeCloseTo(0.7);
  });

  it('without the required humanoid bones three-vrm refuses it', async () => {
    await expect(load(buildTestVrm({ withoutBones: ['head', 'hips'] }))).rejects.toThrow(/required/);
  });
});
