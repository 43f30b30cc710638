/**
 * The LLM backend chosen by LLM_BACKEND, behind one interface: `ollama` (default) or `openai`
 * (any OpenAI-compatible server). Switching needs no code change, only the environment.
 */
import type { PickleEvent } from '../../machines/events.ts';
import type { Env } from '../config/env.ts';
import type { Logger } from '../log.ts';
import type { ServiceStatus, StatusBoard } from '../status.ts';
import { displayHost } from './errors.ts';
import { ollamaContextWindow, resolveContextBudget, type ContextBudget } from './context.ts';
import { createOllamaLlm } from './ollama.ts';
import { createOpenAiLlmOnDemand } from './openaiOnDemand.ts';
import type { LlmClient } from './types.ts';
import type { ChildHost } from '../children.ts';
import { errorText } from '../errors.ts';

export type LlmBackendName = 'ollama' | 'openai';

export interface LlmBackend extends LlmClient {
  readonly backend: LlmBackendName;
  readonly model: string;
  /** Where the model runs, without credentials (for messages). */
  readonly where: string;
  /** Reply token limit (num_predict / max_tokens). */
  readonly replyTokens: number;
  /** Starts the background health checks (their machine is the orchestrator's child when `children` is given). */
  start(children?: ChildHost): void;
  stop(): Promise<void>;
  /** The context budget now: CONTEXT_TOKENS, or what the server reports, or the backend's default. */
  contextBudget(signal?: AbortSignal): Promise<ContextBudget>;
  /** The budget before the server said anything (CONTEXT_TOKENS or the backend's default). */
  initialBudget(): ContextBudget;
}

export interface CreateLlmDeps {
  log: Logger;
  status: StatusBoard;
  /** Faster health retries (tests). */
  retryIntervalMs?: number;
  /** Reply token limit. Default 150 (the seed's). */
  replyTokens?: number;
}

export function createLlm(env: Env, deps: CreateLlmDeps): LlmBackend {
  const replyTokens = deps.replyTokens ?? 150;
  const retry = deps.retryIntervalMs ? { retryIntervalMs: deps.retryIntervalMs, maxRetryIntervalMs: deps.retryIntervalMs } : {};
  const log = deps.log;
  if (env.LLM_BACKEND === 'openai') {
    const llm = createOpenAiLlmOnDemand({
      baseUrl: env.LLM_BASE_URL!,
      ...(env.LLM_API_KEY ? { apiKey: env.LLM_API_KEY } : {}),
      model: env.LLM_MODEL,
      log,
      status: deps.status,
      maxTokens: replyTokens,
      ...retry,
    });
    return {
      backend: 'openai',
      model: llm.model,
      where: displayHost(env.LLM_BASE_URL!),
      replyTokens,
      generate: llm.generate,
      start: (children) => llm.start(children),
      stop: () => llm.stop(),
      contextBudget: async () =>
        resolveContextBudget({ backend: 'openai', configured: env.CONTEXT_TOKENS, reported: llm.contextWindow(), replyTokens }),
      initialBudget: () => resolveContextBudget({ backend: 'openai', configured: env.CONTEXT_TOKENS, replyTokens }),
    };
  }
  const host = env.OLLAMA_HOST!;
  const llm = createOllamaLlm({
    host,
    model: env.OLLAMA_MODEL,
    log,
    status: deps.status,
    maxTokens: replyTokens,
    ...(env.CONTEXT_TOKENS ? { numCtx: env.CONTEXT_TOKENS } : {}),
    ...retry,
  });
  return {
    backend: 'ollama',
    model: llm.model,
    where: displayHost(host),
    replyTokens,
    generate: llm.generate,
    start: (children) => llm.start(children),
    stop: () => llm.stop(),
    contextBudget: async (signal) =>
      resolveContextBudget({
        backend: 'ollama',
        configured: env.CONTEXT_TOKENS,
        reported: env.CONTEXT_TOKENS ? undefined : await ollamaContextWindow(host, env.OLLAMA_MODEL, signal),
        replyTokens,
      }),
    initialBudget: () => resolveContextBudget({ backend: 'ollama', configured: env.CONTEXT_TOKENS, replyTokens }),
  };
}

/**
 * Each time the `llm` line turns `up` (model loaded, server back), asks the backend for the
 * context budget and sends `context.budget` to the brain when it changed. Returns a stop function.
 */
export function watchContextBudget(
  llm: Pick<LlmBackend, 'contextBudget' | 'model'>,
  deps: { status: StatusBoard; log: Logger; send(event: Extract<PickleEvent, { type: 'context.budget' }>): void; initial?: number },
): () => void {
  let last = deps.initial;
  let running = false;
  let again = false;
  const ctrl = new AbortController();
  const refresh = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const b = await llm.contextBudget(ctrl.signal);
        if (ctrl.signal.aborted) return;
        if (b.promptTokens !== last) {
          last = b.promptTokens;
          deps.send({ type: 'context.budget', promptTokens: b.promptTokens, contextTokens: b.contextTokens, source: b.source });
          deps.log.info({ event: 'context.budget', model: llm.model, ...b }, 'context budget');
        }
      } while (again && !ctrl.signal.aborted);
    } catch (err) {
      deps.log.warn({ event: 'context.budget', err: errorText(err) }, 'context budget check failed');
    } finally {
      running = false;
    }
  };
  const onChange = (s: ServiceStatus) => {
    if (s.service === 'llm' && s.state === 'up') void refresh();
  };
  deps.status.on('change', onChange);
  if (deps.status.get('llm')?.state === 'up') void refresh();
  return () => {
    deps.status.off('change', onChange);
    ctrl.abort();
  };
}
