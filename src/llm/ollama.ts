/**
 * The Ollama adapter: streams one reply as structured output `{emotion, text}` through
 * the official `ollama` client, cuts it into sentences as it arrives, and keeps the
 * `llm` line of the status board honest (a background loop notices Ollama or the model
 * coming and going, and preloads the model so the first reply is not a cold load).
 */
import { createHealthLoop } from './healthLoop.ts';
import { Ollama } from 'ollama';
import { EMOTIONS, type PromptMessage } from '../../machines/events.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import {
  LlmError,
  classifyOllamaError,
  displayHost,
  modelMissingError,
  type ErrorContext,
} from './errors.ts';
import { replyDeadlines } from './replyDeadlines.ts';
import { ReplyRun } from './replyRun.ts';
import { LLM_DEFAULTS, type GenerationResult, type LlmClient, type LlmTuning, type ReplyHandlers } from './types.ts';
import type { ChildHost } from '../children.ts';
import { errorText } from '../errors.ts';

/** The `format` sent to Ollama. Emotion first, so the face changes before the first word. */
export const REPLY_SCHEMA = {
  type: 'object',
  properties: {
    emotion: { type: 'string', enum: [...EMOTIONS] },
    text: { type: 'string' },
  },
  required: ['emotion', 'text'],
} as const;

export interface OllamaLlmOptions extends LlmTuning {
  /** OLLAMA_HOST, e.g. `http://127.0.0.1:11434`. */
  host: string;
  /** OLLAMA_MODEL, e.g. `phi3.5:latest`. */
  model: string;
  log: Logger;
  status: StatusBoard;
  /** `num_ctx`: the context Ollama allocates (CONTEXT_TOKENS). Default: the server's own. */
  numCtx?: number;
  /** How long Ollama keeps the model loaded after a request. Default `1h`: a quiet stream must not mean a cold load. */
  keepAlive?: string | number;
  /** Preload (cold load) limit. Default 180 000: big models on slow disks take a while. */
  loadTimeoutMs?: number;
}

export interface OllamaLlm extends LlmClient {
  readonly model: string;
  /** Loads the model into memory (`POST /api/generate` without prompt). Rejects with an LlmError. */
  prewarm(): Promise<void>;
  /** Starts the background health loop (idempotent). */
  start(children?: ChildHost): void;
  /** Stops the health loop and waits for a check in flight. */
  stop(): Promise<void>;
}

/** Ollama's own rule: a name without a tag means `:latest`. */
export function normalizeModelName(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}

/**
 * OLLAMA_HOST may carry `user:pass@` (Ollama behind a reverse proxy). fetch refuses URLs with
 * credentials, and they must not show up in messages: move them into a Basic auth header.
 */
export function splitHostCredentials(host: string): { url: string; headers: Record<string, string> } {
  const explicit = host.includes('://');
  let u: URL;
  try {
    u = new URL(explicit ? host : `http://${host}`);
  } catch {
    return { url: host, headers: {} };
  }
  if (!u.username && !u.password) return { url: host, headers: {} };
  const auth = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  if (!explicit && !u.port) u.port = '11434';
  return { url: u.toString().replace(/\/$/, ''), headers: { Authorization: `Basic ${auth}` } };
}

/** A fetch that also stops when `signal` fires, whatever the client passes (it passes none for non-streamed calls). */
function fetchWithSignal(signal: AbortSignal): typeof fetch {
  return (input, init) =>
    fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
}

export function createOllamaLlm(opts: OllamaLlmOptions): OllamaLlm {
  const {
    host,
    model,
    log,
    status,
    timeoutMs = LLM_DEFAULTS.timeoutMs,
    firstTokenTimeoutMs = LLM_DEFAULTS.firstTokenTimeoutMs,
    temperature = LLM_DEFAULTS.temperature,
    maxTokens = LLM_DEFAULTS.maxTokens,
    numCtx,
    keepAlive = '1h',
    loadTimeoutMs = 180_000,
    retryIntervalMs = LLM_DEFAULTS.retryIntervalMs,
    maxRetryIntervalMs = LLM_DEFAULTS.maxRetryIntervalMs,
    checkIntervalMs = LLM_DEFAULTS.checkIntervalMs,
  } = opts;
  const where = displayHost(host);
  const llmLog = log.child({ service: 'llm', model, host: where });
  // How long a reply may take to start and to finish is the replyDeadlines machine's.
  const deadlines = replyDeadlines({ timeoutMs, firstTokenTimeoutMs });
  /** Whether the model is believed to be loaded; false after Ollama was seen down. */
  let warm = false;

  function ctx(abortedBy: ErrorContext['abortedBy']): ErrorContext {
    return { host, model, abortedBy, timeoutMs, firstTokenTimeoutMs };
  }

  const endpoint = splitHostCredentials(host);
  function clientFor(signal: AbortSignal): Ollama {
    return new Ollama({ host: endpoint.url, headers: endpoint.headers, fetch: fetchWithSignal(signal) });
  }

  /** Reflects a failure on the status board; unreachable / missing model also wakes the health loop. */
  function reportFailure(err: LlmError): void {
    switch (err.kind) {
      case 'unreachable':
      case 'model-missing':
        warm = false;
        status.set('llm', 'down', err.message, { fix: err.fix, lastError: err.message, fault: err.failureClass });
        health.poke();
        break;
      case 'timeout':
      case 'server':
        status.set('llm', 'degraded', err.message, { lastError: err.message, fault: err.failureClass });
        break;
      case 'aborted':
      case 'bad-output':
        break;
    }
  }

  function reportAnswering(): void {
    if (status.get('llm')?.state !== 'up') status.set('llm', 'up', `${model} is answering`);
  }

  async function generate(
    messages: PromptMessage[],
    handlers: ReplyHandlers,
    signal: AbortSignal,
  ): Promise<GenerationResult> {
    if (signal.aborted) throw classifyOllamaError(signal.reason, ctx('caller'));
    const started = performance.now();
    const run = new ReplyRun(signal, handlers, deadlines);
    const { parser } = run;

    let final: { prompt_eval_count?: number; eval_count?: number; eval_duration?: number; done_reason?: string } = {};
    try {
      const stream = await clientFor(run.signal).chat({
        model,
        messages,
        stream: true,
        format: REPLY_SCHEMA,
        options: { temperature, num_predict: maxTokens, ...(numCtx ? { num_ctx: numCtx } : {}) },
        keep_alive: keepAlive,
      });
      for await (const part of stream) {
        run.tokenArrived();
        if (run.signal.aborted) break;
        run.push(part.message?.content ?? '');
        if (part.done) final = part;
      }
      if (run.signal.aborted) throw run.signal.reason;
      run.end();
      if (run.signal.aborted) throw run.signal.reason;
    } catch (err) {
      run.rethrowHandlerError();
      const error = classifyOllamaError(err, ctx(run.abortedBy));
      reportFailure(error);
      llmLog.warn({ kind: error.kind, retryable: error.retryable, err: error.message }, 'llm reply failed');
      throw error;
    } finally {
      run.close();
    }

    const text = parser.text.trim();
    const emotion = parser.emotion ?? 'neutral';
    const durationMs = Math.round(performance.now() - started);
    const evalSeconds = (final.eval_duration ?? 0) / 1e9;
    const stats = {
      ...(final.prompt_eval_count !== undefined ? { promptTokens: final.prompt_eval_count } : {}),
      ...(final.eval_count !== undefined ? { evalTokens: final.eval_count } : {}),
      ...(final.eval_count && evalSeconds > 0 ? { tokensPerSec: Math.round((final.eval_count / evalSeconds) * 10) / 10 } : {}),
      ...(final.done_reason ? { doneReason: final.done_reason } : {}),
      durationMs,
    };
    if (text === '') {
      const error = new LlmError('bad-output', 'the model answered without any text', true);
      llmLog.warn({ kind: error.kind, format: parser.format }, 'llm reply failed');
      throw error;
    }
    warm = true;
    reportAnswering();
    // Lengths and figures only: the text itself is untrusted and belongs to the transcript, not the log.
    llmLog.info({ ...stats, chars: text.length, emotion, format: parser.format }, 'llm reply');
    if (final.done_reason === 'length') llmLog.warn({ maxTokens }, 'llm reply cut by the token limit');
    return { text, emotion, stats };
  }

  async function load(signal: AbortSignal): Promise<number> {
    const started = performance.now();
    const ctrl = new AbortController();
    let abortedBy: ErrorContext['abortedBy'] = null;
    const onAbort = () => {
      abortedBy ??= 'caller';
      ctrl.abort();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      abortedBy ??= 'timeout';
      ctrl.abort();
    }, loadTimeoutMs);
    try {
      // Same num_ctx as the replies: a different one would make Ollama load the model again.
      await clientFor(ctrl.signal).generate({ model, prompt: '', keep_alive: keepAlive, stream: false, ...(numCtx ? { options: { num_ctx: numCtx } } : {}) });
      warm = true;
      return (performance.now() - started) / 1000;
    } catch (err) {
      throw classifyOllamaError(err, { ...ctx(abortedBy), timeoutMs: loadTimeoutMs });
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      ctrl.abort();
    }
  }

  async function prewarmWith(signal: AbortSignal): Promise<void> {
    status.set('llm', 'starting', `loading ${model}…`);
    try {
      const seconds = await load(signal);
      status.set('llm', 'up', `${model} loaded (${seconds.toFixed(1)} s)`);
      llmLog.info({ seconds: Math.round(seconds * 10) / 10 }, 'model loaded');
    } catch (err) {
      const error = err instanceof LlmError ? err : classifyOllamaError(err, ctx(null));
      if (error.kind !== 'aborted') reportFailure(error);
      throw error;
    }
  }

  /** One health check: is Ollama there, is the model installed, is it loaded. */
  async function check(signal: AbortSignal): Promise<boolean> {
    const ctrl = new AbortController();
    const onAbort = () => ctrl.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => ctrl.abort(), 10_000);
    try {
      let names: string[];
      try {
        const list = await clientFor(ctrl.signal).list();
        names = list.models.flatMap((m) => [m.name, m.model]).filter((n): n is string => typeof n === 'string');
      } catch (err) {
        const error = classifyOllamaError(err, ctx(signal.aborted ? 'caller' : ctrl.signal.aborted ? 'timeout' : null));
        if (error.kind === 'aborted') return false;
        // A list that times out means Ollama is there but stuck; treat it like down.
        const shown = error.kind === 'timeout' ? new LlmError('unreachable', `Ollama at ${where} does not answer`, true, error.fix) : error;
        if (shown.kind === 'unreachable') {
          warm = false;
          status.set('llm', 'down', shown.message, {
            fix: shown.fix ?? 'start Ollama (`ollama serve`) or set OLLAMA_HOST to where it runs',
            lastError: shown.message,
          });
        } else reportFailure(shown);
        return false;
      }
      const wanted = normalizeModelName(model);
      if (!names.some((n) => normalizeModelName(n) === wanted)) {
        warm = false;
        const error = modelMissingError(model);
        status.set('llm', 'down', error.message, { fix: error.fix, lastError: error.message });
        return false;
      }
      // Ollama unloads a model after keep_alive (or to make room for another): load it back before a viewer waits for it.
      if (warm) {
        const running = await clientFor(ctrl.signal)
          .ps()
          .then((ps) => ps.models.some((m) => normalizeModelName(m.name ?? m.model) === wanted))
          .catch(() => true); // unknown: the next reply will tell
        if (!running) warm = false;
      }
      if (!warm) {
        try {
          await prewarmWith(signal);
        } catch {
          return false; // prewarmWith already told the status board
        }
      } else reportAnswering();
      return true;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  const health = createHealthLoop(check, {
    systemId: 'healthCheck:llm',
    retryIntervalMs,
    maxRetryIntervalMs,
    checkIntervalMs,
    onCrash: (err) => llmLog.error({ err: errorText(err) }, 'llm health check crashed'),
  });

  return {
    model,
    generate,
    prewarm: () => prewarmWith(new AbortController().signal),
    start: (children) => {
      deadlines.start(children);
      health.start(children);
    },
    stop: () => health.stop(),
  };
}
