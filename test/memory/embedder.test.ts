import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EmbedderLoadError,
  MINILM_MODEL,
  createFallbackEmbedder,
  hashEmbed,
  loadEmbedder,
  loadMiniLmEmbedder,
  loadOllamaEmbedder,
} from '../../src/memory/embedder.ts';
import { freePort } from '../../src/memory/chroma.ts';
import { startHfHubStandin, type HfHubStandin } from '../standins/hfHub.ts';
import { startOllamaStandin } from '../standins/ollama.ts';

const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('fallback embedder (used in the other memory tests: the hub is unreachable here)', () => {
  it('is deterministic, 384-dimensional and unit length', async () => {
    const e = createFallbackEmbedder();
    const [a, b] = await e.embed(['I love Elden Ring', 'I love Elden Ring']);
    expect(a).toHaveLength(384);
    expect(a).toEqual(b);
    expect(cos(a!, a!)).toBeCloseTo(1, 6);
    expect(hashEmbed('')).toHaveLength(384);
  });

  it('similar wording is close, unrelated wording is not', () => {
    const q = hashEmbed('which game do I love? Elden Ring?');
    expect(cos(q, hashEmbed('Elden Ring is my favourite game ever'))).toBeGreaterThan(0.4);
    expect(cos(q, hashEmbed('my cat knocked the plant off the shelf again'))).toBeLessThan(0.1);
  });
});

describe('MiniLM loader (transformers.js): the real code path, with the model missing', () => {
  let dir: string;
  let hub: HfHubStandin | undefined;
  // Loading the library itself is CPU work, not network: done once here so the timings below are the loader's.
  beforeAll(async () => {
    await import('@huggingface/transformers');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pickle-models-'));
  });
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const timed = async (p: Promise<unknown>) => {
    const t0 = performance.now();
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    return { err: err as EmbedderLoadError, ms: performance.now() - t0 };
  };

  it('HF_HUB_OFFLINE and not cached: `model-missing` at once, and no request leaves', async () => {
    hub = await startHfHubStandin();
    const { err, ms } = await timed(loadMiniLmEmbedder({ modelsDir: dir, hubUrl: hub.url, offline: true }));
    expect(err).toBeInstanceOf(EmbedderLoadError);
    expect(err.code).toBe('model-missing');
    expect(err.message).toContain(`is not in ${dir}/${MINILM_MODEL}`);
    expect(err.fix).toContain('unset HF_HUB_OFFLINE');
    expect(hub.requests).toEqual([]);
    expect(ms).toBeLessThan(1000);
  });

  it('a hub that never answers (black-holed network): `offline` once the probe gives up, no hang', async () => {
    hub = await startHfHubStandin({ hang: true });
    const { err, ms } = await timed(loadMiniLmEmbedder({ modelsDir: dir, hubUrl: hub.url }));
    expect(err.code).toBe('offline');
    expect(err.message).toMatch(/cannot be reached \(no answer within 2000 ms\)/);
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(10_000);
  });

  it('a hub that is not there (connection refused): `offline` within 1 s', async () => {
    const port = await freePort();
    const { err, ms } = await timed(loadMiniLmEmbedder({ modelsDir: dir, hubUrl: `http://127.0.0.1:${port}` }));
    expect(err.code).toBe('offline');
    expect(err.message).toContain('ECONNREFUSED');
    expect(ms).toBeLessThan(1000);
  });

  it('the hub answers but has no such model (401 RepoNotFound): `download-failed` within 1 s', async () => {
    hub = await startHfHubStandin({ repos: {} });
    const { err, ms } = await timed(loadMiniLmEmbedder({ modelsDir: dir, hubUrl: hub.url }));
    expect(err.code).toBe('download-failed');
    expect(err.message).toContain('could not be downloaded');
    expect(hub.requests.some((r) => r.path.startsWith(`/${MINILM_MODEL}/resolve/main/`))).toBe(true);
    expect(ms).toBeLessThan(1000);
  });

  it('a broken cached model: `load-failed`, with the fix (delete it so it downloads again)', async () => {
    const modelDir = join(dir, MINILM_MODEL);
    mkdirSync(join(modelDir, 'onnx'), { recursive: true });
    writeFileSync(join(modelDir, 'config.json'), '{ not json');
    hub = await startHfHubStandin();
    const { err } = await timed(loadMiniLmEmbedder({ modelsDir: dir, hubUrl: hub.url }));
    expect(err.code).toBe('load-failed');
    expect(err.fix).toContain(`delete ${modelDir}`);
  });

  it('loadEmbedder: a load failure gives the fallback embedder plus the reason (reported by src/memory)', async () => {
    hub = await startHfHubStandin({ hang: true });
    const loaded = await loadEmbedder('minilm', { minilm: { modelsDir: dir, hubUrl: hub.url }, ollama: { host: 'http://127.0.0.1:9' } });
    expect(loaded.embedder.kind).toBe('fallback');
    expect(loaded.failure?.code).toBe('offline');
  });
});

describe('Ollama embedder (EMBEDDER=ollama) against the Ollama stand-in', () => {
  it('embeds with all-minilm through /api/embed', async () => {
    const ollama = await startOllamaStandin();
    try {
      const e = await loadOllamaEmbedder({ host: ollama.url });
      expect(e).toMatchObject({ kind: 'ollama', space: 'minilm', dims: 384 });
      const [v] = await e.embed(['hello there']);
      expect(v).toHaveLength(384);
      const embeds = ollama.requests.filter((r) => r.path === '/api/embed');
      expect((embeds.at(-1)!.body as { model: string }).model).toBe('all-minilm');
    } finally {
      await ollama.close();
    }
  });

  it('model not pulled: `ollama-model-missing` with the pull command; Ollama not running: `ollama-unreachable`', async () => {
    const ollama = await startOllamaStandin({ models: ['phi3.5:latest'] });
    try {
      const err = (await loadOllamaEmbedder({ host: ollama.url }).catch((e: unknown) => e)) as EmbedderLoadError;
      expect(err.code).toBe('ollama-model-missing');
      expect(err.fix).toContain('ollama pull all-minilm');
      await ollama.refuse();
      const down = (await loadOllamaEmbedder({ host: ollama.url }).catch((e: unknown) => e)) as EmbedderLoadError;
      expect(down.code).toBe('ollama-unreachable');
    } finally {
      await ollama.close();
    }
  });
});
