/**
 * The optional ML layer of moderation (I/O, so it lives in src/): a classifier that judges a
 * sentence the list layers let through.
 *
 * - `transformers`: a multilingual toxicity classifier run in-process by transformers.js,
 *   downloaded once into PICKLE_DATA_DIR/models with a progress bar (like the embedding model).
 * - `ollama`: a guard model served by Ollama (`llama-guard3:1b` answers "safe" / "unsafe\nS10";
 *   `shieldgemma:2b` answers "Yes" / "No" to "does this break the policy?").
 */
import { rmSync } from 'node:fs';
import { Ollama } from 'ollama';
import { HUB_PROBE_MS, probeHub, progressOption, useHub, type DownloadProgress } from '../models/hub.ts';
import { errorText } from '../errors.ts';

export interface Judgement {
  toxic: boolean;
  /** The classifier's own label: a score's label, or a llama-guard hazard code (S10). */
  label: string;
  score?: number;
}

export interface ToxicityClassifier {
  readonly kind: 'transformers' | 'ollama';
  /** For the streamer: e.g. `llama-guard3:1b (Ollama)`. */
  readonly label: string;
  classify(text: string, signal?: AbortSignal): Promise<Judgement>;
}

export type ClassifierErrorCode = 'offline' | 'model-missing' | 'download-failed' | 'load-failed' | 'ollama-unreachable' | 'ollama-model-missing';

/** Why the classifier could not be loaded; `fix` is the step that makes it load. */
export class ClassifierLoadError extends Error {
  constructor(
    readonly code: ClassifierErrorCode,
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'ClassifierLoadError';
  }
}

// ---------------------------------------------------------------- Ollama guard models

export const DEFAULT_GUARD_MODEL = 'llama-guard3:1b';

/** llama-guard's hazard codes (MLCommons taxonomy), for the log and the panel. */
const HAZARDS: Record<string, string> = {
  S1: 'violent crimes', S2: 'non-violent crimes', S3: 'sex-related crimes', S4: 'child sexual exploitation', S5: 'defamation',
  S6: 'specialized advice', S7: 'privacy', S8: 'intellectual property', S9: 'indiscriminate weapons', S10: 'hate',
  S11: 'suicide and self-harm', S12: 'sexual content', S13: 'elections', S14: 'code interpreter abuse',
};

/** Reads a guard model's answer: llama-guard ("safe" / "unsafe\nS10,S11") or shieldgemma ("Yes" / "No"). */
export function parseGuardAnswer(answer: string): Judgement {
  const text = answer.trim();
  const first = text.split(/\s+/)[0]?.toLowerCase() ?? '';
  if (first === 'unsafe') {
    const code = /\bS\d{1,2}\b/.exec(text)?.[0] ?? 'unsafe';
    return { toxic: true, label: HAZARDS[code] ? `${code} ${HAZARDS[code]}` : code };
  }
  if (first === 'yes' || first === 'yes.') return { toxic: true, label: 'policy violation' };
  if (first === 'safe' || first === 'no' || first === 'no.') return { toxic: false, label: 'safe' };
  // Anything else is not an answer: the model is not a guard model.
  throw new Error(`the guard model answered neither safe/unsafe nor yes/no (${JSON.stringify(text.slice(0, 40))})`);
}

const SHIELDGEMMA_POLICY =
  'You are a policy expert trying to help determine whether an AI co-host\'s sentence, said out loud on a live stream, violates the safety policies below.\n\n' +
  '* "No Harassment": the sentence shall not contain or seek to generate content that is malicious, intimidating, bullying, or abusive content targeting another individual.\n' +
  '* "No Hate Speech": the sentence shall not contain or seek to generate content that targets identity and/or protected attributes.\n' +
  '* "No Dangerous Content": the sentence shall not contain or seek to generate content that harms oneself and/or others (e.g. self-harm).\n' +
  '* "No Sexually Explicit Information": the sentence shall not contain sexually explicit content.\n\n';

function guardMessages(model: string, text: string): Array<{ role: 'user'; content: string }> {
  if (/shieldgemma/i.test(model)) {
    return [
      {
        role: 'user',
        content: `${SHIELDGEMMA_POLICY}<start_of_turn>\nSentence: ${JSON.stringify(text)}\n<end_of_turn>\n\nDoes the sentence violate the above principles? Your answer must start with 'Yes' or 'No'.`,
      },
    ];
  }
  // llama-guard's own template (in the Ollama model) wraps the conversation in its policy.
  return [{ role: 'user', content: text }];
}

export async function loadOllamaGuard(opts: { host: string; model?: string; timeoutMs?: number }): Promise<ToxicityClassifier> {
  const model = opts.model ?? DEFAULT_GUARD_MODEL;
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const client = new Ollama({
    host: opts.host,
    fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs) }),
  });
  const classify = async (text: string): Promise<Judgement> => {
    const res = await client.chat({ model, messages: guardMessages(model, text), stream: false, keep_alive: '1h', options: { temperature: 0, num_predict: 10 } });
    return parseGuardAnswer(res.message.content);
  };
  try {
    await classify('Hello chat, welcome to the stream!');
  } catch (err) {
    const e = err as { status_code?: number; message?: string };
    if (e.status_code === 404)
      throw new ClassifierLoadError('ollama-model-missing', `Ollama at ${opts.host} does not have ${model}`, `run \`ollama pull ${model}\`, then restart Pickle`);
    if (e.message?.startsWith('the guard model answered'))
      throw new ClassifierLoadError('load-failed', `${model} is not a guard model: ${e.message}`, `set MODERATION_MODEL=${DEFAULT_GUARD_MODEL} (or shieldgemma:2b) and run \`ollama pull\` for it`);
    throw new ClassifierLoadError('ollama-unreachable', `Ollama at ${opts.host} cannot run ${model} (${e.message ?? String(err)})`, 'start Ollama (or check OLLAMA_HOST), then restart Pickle');
  }
  return {
    kind: 'ollama',
    label: `${model} (Ollama)`,
    classify: (text) => classify(text),
  };
}

// ---------------------------------------------------------------- transformers.js

/** textdetox's multilingual toxicity classifier (15 languages incl. en, es, de), ONNX for transformers.js. */
export const DEFAULT_TOXICITY_MODEL = 'onnx-community/bert-multilingual-toxicity-classifier-ONNX';
export const TOXICITY_DTYPE = 'q8';

export type { DownloadProgress } from '../models/hub.ts';

export interface TransformersClassifierOptions {
  modelsDir: string;
  hubUrl: string;
  model?: string;
  offline?: boolean;
  /** A label counts as toxic at this score or above (MODERATION_THRESHOLD). */
  threshold: number;
  probeTimeoutMs?: number;
  requestTimeoutMs?: number;
  onProgress?: (p: DownloadProgress) => void;
}

/** Labels of toxicity classifiers: `toxic`, `LABEL_1` (textdetox: 0 neutral, 1 toxic), `hate`, `insult`… */
const TOXIC_LABEL = /toxic|label_1|hate|insult|obscene|threat|offensive|identity/i;
const NEUTRAL_LABEL = /neutral|non[-_ ]?toxic|label_0|not/i;

export function isToxic(scores: ReadonlyArray<{ label: string; score: number }>, threshold: number): Judgement {
  const worst = scores.filter((s) => TOXIC_LABEL.test(s.label) && !NEUTRAL_LABEL.test(s.label)).sort((a, b) => b.score - a.score)[0];
  if (worst && worst.score >= threshold) return { toxic: true, label: worst.label, score: worst.score };
  return { toxic: false, label: 'neutral', ...(worst ? { score: worst.score } : {}) };
}

/**
 * Loads the classifier from the cache, or downloads it once. Never hangs: offline (or
 * HF_HUB_OFFLINE) and not cached fails within the probe budget with `offline` / `model-missing`.
 */
export async function loadTransformersClassifier(opts: TransformersClassifierOptions): Promise<ToxicityClassifier> {
  const model = opts.model ?? DEFAULT_TOXICITY_MODEL;
  const { env, pipeline } = await import('@huggingface/transformers');
  useHub(env, opts);

  const build = async (allowRemote: boolean): Promise<ToxicityClassifier> => {
    env.allowRemoteModels = allowRemote;
    const classifier = await pipeline('text-classification', model, {
      dtype: TOXICITY_DTYPE,
      device: 'cpu',
      ...progressOption(allowRemote, opts.onProgress),
    });
    return {
      kind: 'transformers',
      label: `${model.split('/').pop()} (transformers.js, ${TOXICITY_DTYPE})`,
      async classify(text) {
        const out = await classifier(text, { top_k: null });
        const scores = (Array.isArray(out) ? out.flat() : [out]) as Array<{ label: string; score: number }>;
        return isToxic(scores, opts.threshold);
      },
    };
  };

  const where = `${opts.modelsDir}/${model}`;
  try {
    return await build(false);
  } catch (err) {
    if ((err as Error).name !== 'ModelFileNotFoundError' && !/not found locally|file was not found/i.test(errorText(err))) {
      throw new ClassifierLoadError('load-failed', `${model} in ${opts.modelsDir} could not be loaded (${errorText(err)})`, `delete ${where} so it downloads again`);
    }
  }
  const copyIn = `copy the model files (config.json, tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx) into ${where}, or set MODERATION=ollama and run \`ollama pull ${DEFAULT_GUARD_MODEL}\``;
  if (opts.offline) throw new ClassifierLoadError('model-missing', `${model} is not in ${where} and HF_HUB_OFFLINE is set`, `unset HF_HUB_OFFLINE to download it once, or ${copyIn}`);
  const unreachable = await probeHub(env.remoteHost, opts.probeTimeoutMs ?? HUB_PROBE_MS);
  if (unreachable)
    throw new ClassifierLoadError('offline', `${model} is not in ${where} and ${opts.hubUrl} cannot be reached (${unreachable})`, `connect to the internet and restart Pickle (one download of about 180 MB), or ${copyIn}`);
  try {
    return await build(true);
  } catch (err) {
    // What was cached of a failed download is not a usable model: the next start downloads again.
    rmSync(where, { recursive: true, force: true });
    throw new ClassifierLoadError('download-failed', `${model} could not be downloaded from ${opts.hubUrl} (${errorText(err)})`, `restart Pickle to try again, or ${copyIn}`);
  }
}
