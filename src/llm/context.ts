/**
 * How many tokens the model can take (prompt + reply), and so how big a prompt may be.
 *
 * - CONTEXT_TOKENS, when set, wins (with Ollama it is also sent as `num_ctx`, so Ollama
 *   allocates exactly that; with an OpenAI-compatible server it is capped by what the server
 *   reports, since a longer prompt would be refused there).
 * - Otherwise the server's own figure: Ollama's `/api/ps` `context_length` for the loaded model
 *   (what it really allocated), else `num_ctx` from the model's parameters, else the model's
 *   trained length capped at Ollama's smallest default; an OpenAI-compatible server's /models
 *   entry (vLLM `max_model_len`, OpenRouter `context_length`, …).
 * - Until then, or when nothing is reported: 2048 for Ollama (its smallest default, so never
 *   more than it keeps), 8192 for an OpenAI-compatible server.
 */
import { Ollama } from 'ollama';
import { normalizeModelName, splitHostCredentials } from './ollama.ts';

export const DEFAULT_CONTEXT = { ollama: 2048, openai: 8192 } as const;
/** Room kept free besides the reply's tokens: chat templates add a few tokens per message. */
export const CONTEXT_MARGIN = 64;

export type ContextSource = 'CONTEXT_TOKENS' | 'model' | 'default';

export interface ContextBudget {
  /** The whole window the prompt and the reply share. */
  contextTokens: number;
  /** What the prompt may use: contextTokens − reply tokens − margin. */
  promptTokens: number;
  source: ContextSource;
}

export function resolveContextBudget(args: {
  backend: 'ollama' | 'openai';
  configured?: number | undefined;
  reported?: number | undefined;
  replyTokens: number;
}): ContextBudget {
  const { backend, configured, reported, replyTokens } = args;
  let contextTokens: number;
  let source: ContextSource;
  if (configured !== undefined) {
    // Ollama allocates what we ask (num_ctx); another server keeps its own limit.
    contextTokens = backend === 'openai' && reported !== undefined ? Math.min(configured, reported) : configured;
    source = 'CONTEXT_TOKENS';
  } else if (reported !== undefined) {
    contextTokens = reported;
    source = 'model';
  } else {
    contextTokens = DEFAULT_CONTEXT[backend];
    source = 'default';
  }
  return { contextTokens, promptTokens: Math.max(256, contextTokens - replyTokens - CONTEXT_MARGIN), source };
}

/** The context Ollama runs (or will run) the model with; undefined when Ollama cannot tell. */
export async function ollamaContextWindow(host: string, model: string, signal?: AbortSignal): Promise<number | undefined> {
  const endpoint = splitHostCredentials(host);
  const client = new Ollama({
    host: endpoint.url,
    headers: endpoint.headers,
    fetch: (input, init) => fetch(input, { ...init, ...(signal ? { signal } : {}) }),
  });
  const wanted = normalizeModelName(model);
  try {
    const ps = await client.ps();
    for (const m of ps.models) {
      // Newer Ollama reports the loaded context; the client's types do not know the field yet.
      const ctx = 'context_length' in m ? m.context_length : undefined;
      if (normalizeModelName(m.name ?? m.model) === wanted && typeof ctx === 'number' && ctx > 0) return ctx;
    }
  } catch {
    /* older Ollama or not up: try /api/show */
  }
  try {
    const show = await client.show({ model });
    const params = /(?:^|\n)\s*num_ctx\s+(\d+)/.exec(show.parameters ?? '');
    if (params) return Number(params[1]);
    // Typed as a Map by the client, model_info arrives as the JSON object the server sent.
    const info: Array<[string, unknown]> = Object.entries(show.model_info ?? {});
    const trained = info.find(([k, v]) => k.endsWith('.context_length') && typeof v === 'number')?.[1];
    // Ollama does not give a model its trained length unless asked (num_ctx / OLLAMA_CONTEXT_LENGTH).
    return typeof trained === 'number' ? Math.min(trained, DEFAULT_CONTEXT.ollama) : undefined;
  } catch {
    return undefined;
  }
}
