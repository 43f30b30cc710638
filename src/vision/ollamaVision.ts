/**
 * The local scene describer: one camera frame → one sentence, from an Ollama vision model
 * (moondream, qwen2.5vl, llava…) through the official `ollama` client (`chat` with `images`).
 */
import { Ollama } from 'ollama';
import { classifyOllamaError, displayHost, type ErrorContext } from '../llm/errors.ts';
import { normalizeModelName, splitHostCredentials } from '../llm/ollama.ts';
import type { VisionFault } from './types.ts';
import { errorText } from '../errors.ts';

export const DEFAULT_VISION_MODEL = 'moondream';

/** Short and concrete: small vision models ramble or invent when asked for more. */
export const SCENE_PROMPT =
  'This is a frame from a live stream camera. Describe in one short sentence where this is and what is happening.';

export interface SceneDescriber {
  readonly model: string;
  /** One description of the picture. Rejects with a VisionError. */
  describe(jpeg: Uint8Array, signal?: AbortSignal): Promise<string>;
  /** Is Ollama there and the model installed? undefined = fine. */
  check(signal?: AbortSignal): Promise<VisionError | undefined>;
}

export class VisionError extends Error implements VisionFault {
  override readonly name = 'VisionError';
  constructor(
    readonly kind: 'unreachable' | 'model-missing' | 'not-vision' | 'timeout' | 'server' | 'aborted' | 'empty',
    message: string,
    readonly fix?: string,
  ) {
    super(message);
  }
  get detail(): string {
    return this.message;
  }
}

export interface OllamaVisionOptions {
  host: string;
  model: string;
  /** Whole request, including a cold load of the model. Default 90 000. */
  timeoutMs?: number;
  keepAlive?: string | number;
  /** `num_predict`. Default 60. */
  maxTokens?: number;
}

/** Model text → one clean line: no control characters, no quotes around it, at most `max` characters. */
export function cleanScene(text: string, max = 280): string {
  let s = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^["'“”‘’]+|["'“”‘’]+$/g, '')
    .trim();
  if (s.length > max) {
    const cut = s.slice(0, max);
    const space = cut.lastIndexOf(' ');
    s = `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[,;:\s]+$/, '')}…`;
  }
  return s;
}

export function createOllamaVision(opts: OllamaVisionOptions): SceneDescriber {
  const { host, model, timeoutMs = 90_000, keepAlive = '1h', maxTokens = 60 } = opts;
  const endpoint = splitHostCredentials(host);
  const client = (signal: AbortSignal) =>
    new Ollama({
      host: endpoint.url,
      headers: endpoint.headers,
      fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }),
    });
  const ctx = (abortedBy: ErrorContext['abortedBy']): ErrorContext => ({ host, model, abortedBy, timeoutMs, firstTokenTimeoutMs: timeoutMs });

  function classify(err: unknown, abortedBy: ErrorContext['abortedBy']): VisionError {
    const message = errorText(err);
    if (/missing data required for image input|does not support (images|vision)/i.test(message))
      return new VisionError(
        'not-vision',
        `${model} cannot look at pictures (not a vision model)`,
        `set OLLAMA_VISION_MODEL to a vision model, e.g. moondream (\`ollama pull moondream\`)`,
      );
    const e = classifyOllamaError(err, ctx(abortedBy));
    switch (e.kind) {
      case 'unreachable':
        return new VisionError('unreachable', `Ollama is not reachable at ${displayHost(host)}`, e.fix);
      case 'model-missing':
        return new VisionError('model-missing', `the vision model ${model} is not installed in Ollama`, `run \`ollama pull ${model}\``);
      case 'timeout':
        return new VisionError('timeout', `${model} did not describe the picture within ${Math.round(timeoutMs / 1000)} s`);
      case 'aborted':
        return new VisionError('aborted', 'cancelled');
      default:
        return new VisionError('server', e.message);
    }
  }

  return {
    model,
    async describe(jpeg, signal) {
      const ctrl = new AbortController();
      let abortedBy: ErrorContext['abortedBy'] = null;
      const onAbort = () => {
        abortedBy ??= 'caller';
        ctrl.abort();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => {
        abortedBy ??= 'timeout';
        ctrl.abort();
      }, timeoutMs);
      try {
        const res = await client(ctrl.signal).chat({
          model,
          // A Uint8Array is base64-encoded by the client (a string could be read as a file path).
          messages: [{ role: 'user', content: SCENE_PROMPT, images: [jpeg] }],
          stream: false,
          options: { temperature: 0.2, num_predict: maxTokens },
          keep_alive: keepAlive,
        });
        const text = cleanScene(res.message?.content ?? '');
        if (!text) throw new VisionError('empty', `${model} returned an empty description`);
        return text;
      } catch (err) {
        if (err instanceof VisionError) throw err;
        throw classify(err, abortedBy);
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        ctrl.abort();
      }
    },
    async check(signal) {
      const ctrl = new AbortController();
      const onAbort = () => ctrl.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => ctrl.abort(), 10_000);
      try {
        const list = await client(ctrl.signal).list();
        const wanted = normalizeModelName(model);
        const names = list.models.flatMap((m) => [m.name, m.model]).filter((n): n is string => typeof n === 'string');
        if (!names.some((n) => normalizeModelName(n) === wanted)) return classify(Object.assign(new Error('not found'), { name: 'ResponseError', status_code: 404 }), null);
        return undefined;
      } catch (err) {
        return classify(err, signal?.aborted ? 'caller' : ctrl.signal.aborted ? 'timeout' : null);
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}
