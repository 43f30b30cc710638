/**
 * Text → vectors for long-term memory.
 *
 * - `minilm` (default): all-MiniLM-L6-v2 (384 dims), quantized (q8), run in-process by
 *   transformers.js; downloaded once into PICKLE_DATA_DIR/models with a progress bar.
 * - `ollama`: the same model served by Ollama (`all-minilm`, POST /api/embed).
 * - `fallback`: a deterministic hashing embedder (words + character trigrams, 384 dims).
 *   It matches memories by shared words only, not by meaning. Used when no model can be
 *   loaded, and then reported loudly (console, /health: `memory: degraded, embedder fallback`).
 *
 * `space` names the vector space: vectors of different spaces are never mixed in one
 * collection (MiniLM from transformers.js and from Ollama share one space: same weights).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Ollama } from 'ollama';
import { HUB_PROBE_MS, hubHost, probeHub, progressOption, useHub, type DownloadProgress } from '../models/hub.ts';
import { errorText } from '../errors.ts';

export interface Embedder {
  readonly space: 'minilm' | 'hash384';
  readonly kind: 'transformers' | 'ollama' | 'fallback';
  /** For the streamer: e.g. `all-MiniLM-L6-v2 (transformers.js, q8)`. */
  readonly label: string;
  readonly dims: number;
  embed(texts: string[]): Promise<number[][]>;
}

export type EmbedderErrorCode = 'offline' | 'model-missing' | 'download-failed' | 'load-failed' | 'ollama-unreachable' | 'ollama-model-missing';

/** Why the chosen model could not be loaded; `fix` is the step that makes it load. */
export class EmbedderLoadError extends Error {
  constructor(
    readonly code: EmbedderErrorCode,
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'EmbedderLoadError';
  }
}

// ---------------------------------------------------------------- fallback

const STOP = new Set(
  'a an and are as at be but by do does for from has have he her his i if in is it its me my of on or our she so that the their them they this to too us was we were what when where which who why will with you your im its'.split(
    ' ',
  ),
);

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Deterministic: the same text gives the same unit vector, in any process, on any machine. */
export function hashEmbed(text: string, dims = 384): number[] {
  const v = new Float64Array(dims);
  const add = (feature: string, weight: number) => {
    const h = fnv1a(feature);
    v[h % dims]! += h & 0x80000000 ? -weight : weight;
  };
  const words = (text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP.has(w));
  for (const w of words) {
    add(`w:${w}`, 1);
    const padded = `^${w}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, 0.25);
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm === 0) {
    v[0] = 1;
    norm = 1;
  }
  return Array.from(v, (x) => x / norm);
}

export function createFallbackEmbedder(): Embedder {
  return {
    space: 'hash384',
    kind: 'fallback',
    label: 'fallback (word hashing, 384 dims: matches shared words, not meaning)',
    dims: 384,
    embed: async (texts) => texts.map((t) => hashEmbed(t)),
  };
}

// ---------------------------------------------------------------- Ollama

export const OLLAMA_EMBED_MODEL = 'all-minilm';

export async function loadOllamaEmbedder(opts: { host: string; model?: string; timeoutMs?: number }): Promise<Embedder> {
  const model = opts.model ?? OLLAMA_EMBED_MODEL;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const client = new Ollama({
    host: opts.host,
    fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs) }),
  });
  const embed = async (texts: string[]) => (await client.embed({ model, input: texts, keep_alive: '1h' })).embeddings;
  let dims: number;
  try {
    dims = (await embed(['hello']))[0]?.length ?? 0;
  } catch (err) {
    const e = err as { status_code?: number; message?: string };
    if (e.status_code === 404)
      throw new EmbedderLoadError('ollama-model-missing', `Ollama at ${opts.host} does not have ${model}`, `run \`ollama pull ${model}\`, then restart Pickle`);
    throw new EmbedderLoadError('ollama-unreachable', `Ollama at ${opts.host} cannot embed (${e.message ?? String(err)})`, 'start Ollama (or check OLLAMA_HOST), then restart Pickle');
  }
  if (dims !== 384) throw new EmbedderLoadError('load-failed', `${model} gave ${dims}-dimensional vectors, expected 384 (all-MiniLM-L6-v2)`, `run \`ollama pull ${OLLAMA_EMBED_MODEL}\` and leave EMBEDDER=ollama`);
  return { space: 'minilm', kind: 'ollama', label: `all-MiniLM-L6-v2 (Ollama ${model})`, dims, embed };
}

// ---------------------------------------------------------------- transformers.js

export const MINILM_MODEL = 'Xenova/all-MiniLM-L6-v2';
export const MINILM_DTYPE = 'q8';

export type { DownloadProgress } from '../models/hub.ts';

export interface MiniLmOptions {
  /** PICKLE_DATA_DIR/models: the download cache, and where a copied-in model is found. */
  modelsDir: string;
  /** The model hub (HF_ENDPOINT; https://huggingface.co). */
  hubUrl: string;
  /** HF_HUB_OFFLINE: never download, use what is in modelsDir. */
  offline?: boolean;
  /** Budget of the "is the hub reachable at all" check before a download. Default `HUB_PROBE_MS` (2 s). */
  probeTimeoutMs?: number;
  /** Time to the response headers of each download request. Default 15 s. */
  requestTimeoutMs?: number;
  onProgress?: (p: DownloadProgress) => void;
}

/**
 * Loads MiniLM from the cache, or downloads it first. Never hangs: offline (or HF_HUB_OFFLINE)
 * and not cached fails within the probe budget with code `offline` / `model-missing`.
 */
export async function loadMiniLmEmbedder(opts: MiniLmOptions): Promise<Embedder> {
  const where = `${opts.modelsDir}/${MINILM_MODEL}`;
  const copyIn = `copy the model files (config.json, tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx) into ${where}, or set EMBEDDER=ollama and run \`ollama pull all-minilm\``;
  /** Throws unless a download can start: HF_HUB_OFFLINE unset and the hub answering. */
  const ensureDownloadable = async () => {
    if (opts.offline) throw new EmbedderLoadError('model-missing', `all-MiniLM-L6-v2 is not in ${where} and HF_HUB_OFFLINE is set`, `unset HF_HUB_OFFLINE to download it once, or ${copyIn}`);
    const unreachable = await probeHub(hubHost(opts.hubUrl), opts.probeTimeoutMs ?? HUB_PROBE_MS);
    if (unreachable)
      throw new EmbedderLoadError('offline', `all-MiniLM-L6-v2 is not in ${where} and ${opts.hubUrl} cannot be reached (${unreachable})`, `connect to the internet and restart Pickle (one download of 23 MB), or ${copyIn}`);
  };
  // The ML runtime (transformers.js and its native ONNX runtime, ~45 MB) is loaded only when there is
  // a model for it to run: on disk already, or a download that can start.
  const onDisk = existsSync(join(where, 'config.json'));
  if (!onDisk) await ensureDownloadable();
  const { env, pipeline } = await import('@huggingface/transformers');
  useHub(env, opts);

  const build = async (allowRemote: boolean) => {
    env.allowRemoteModels = allowRemote;
    const extractor = await pipeline('feature-extraction', MINILM_MODEL, {
      dtype: MINILM_DTYPE,
      device: 'cpu',
      ...progressOption(allowRemote, opts.onProgress),
    });
    const embedder: Embedder = {
      space: 'minilm',
      kind: 'transformers',
      label: `all-MiniLM-L6-v2 (transformers.js, ${MINILM_DTYPE})`,
      dims: 384,
      async embed(texts) {
        if (texts.length === 0) return [];
        const out = await extractor(texts, { pooling: 'mean', normalize: true });
        return out.tolist() as number[][];
      },
    };
    return embedder;
  };

  // 1. Cached (or copied in by hand): no network at all.
  if (onDisk) {
    try {
      return await build(false);
    } catch (err) {
      if ((err as Error).name !== 'ModelFileNotFoundError' && !/not found locally|file was not found/i.test(errorText(err))) {
        throw new EmbedderLoadError('load-failed', `all-MiniLM-L6-v2 in ${opts.modelsDir} could not be loaded (${errorText(err)})`, `delete ${opts.modelsDir}/${MINILM_MODEL} so it downloads again`);
      }
    }
    // Part of the model is missing: download it, if the hub can be reached at all.
    await ensureDownloadable();
  }
  // 2. Not cached: download.
  try {
    return await build(true);
  } catch (err) {
    // What was cached of a failed download is not a usable model: the next start downloads again.
    rmSync(where, { recursive: true, force: true });
    throw new EmbedderLoadError('download-failed', `all-MiniLM-L6-v2 could not be downloaded from ${opts.hubUrl} (${errorText(err)})`, `restart Pickle to try again, or ${copyIn}`);
  }
}

// ---------------------------------------------------------------- choice

export type EmbedderChoice = 'minilm' | 'ollama' | 'fallback';

export interface LoadedEmbedder {
  embedder: Embedder;
  /** Set when the chosen model could not be loaded and the fallback is used instead. */
  failure?: EmbedderLoadError;
}

export async function loadEmbedder(
  choice: EmbedderChoice,
  opts: { minilm: MiniLmOptions; ollama: { host: string; timeoutMs?: number } },
): Promise<LoadedEmbedder> {
  if (choice === 'fallback') return { embedder: createFallbackEmbedder() };
  try {
    const embedder = choice === 'ollama' ? await loadOllamaEmbedder(opts.ollama) : await loadMiniLmEmbedder(opts.minilm);
    return { embedder };
  } catch (err) {
    const failure =
      err instanceof EmbedderLoadError ? err : new EmbedderLoadError('load-failed', `the embedding model could not be loaded (${errorText(err)})`, 'restart Pickle; if it persists, set EMBEDDER=ollama');
    return { embedder: createFallbackEmbedder(), failure };
  }
}
