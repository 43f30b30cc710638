/**
 * The OpenAI-compatible backend (LLM_BACKEND=openai): OpenAI itself, LM Studio, llama.cpp's
 * server, vLLM, OpenRouter… through the official `openai` client.
 *
 * - Streams chat completions and cuts the `{emotion, text}` reply into sentences as it comes
 *   (the same ReplyStreamParser as the Ollama backend).
 * - Structured output: `response_format: json_schema` first; a server that refuses it with 400
 *   gets `json_object`, then no response_format at all (the prompt still asks for JSON and the
 *   parser tolerates plain text). What worked is remembered. The finished reply is validated
 *   against the schema either way (logged), and an empty text is `bad-output`.
 * - Other 400s that name an optional parameter are negotiated the same way: `max_tokens` →
 *   `max_completion_tokens` (newer OpenAI models), `stream_options` dropped (older servers).
 * - Abort, first-token and overall timeouts, and the client's typed errors mapped to LlmFailure
 *   kinds with a fix a streamer can follow. The client's own retries are off: the brain and the
 *   health loop decide what happens next.
 * - Health: `GET /models` in a background loop feeds the `llm` line of the status board; the
 *   model entry's context length (vLLM `max_model_len`, OpenRouter `context_length`, …) is kept
 *   for the context budget.
 */
import OpenAI, {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from 'openai';
import { z } from 'zod';
import { EMOTIONS, type PromptMessage } from '../../machines/events.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { LlmError, displayHost, stripUrlCredentials } from './errors.ts';
import { createHealthLoop } from './healthLoop.ts';
import { REPLY_SCHEMA } from './ollama.ts';
import { replyDeadlines } from './replyDeadlines.ts';
import { ReplyRun, type AbortedBy } from './replyRun.ts';
import { LLM_DEFAULTS, type GenerationResult, type LlmClient, type LlmTuning, type ReplyHandlers } from './types.ts';
import type { ChildHost } from '../children.ts';
import { errorText } from '../errors.ts';

export type ResponseFormatMode = 'json_schema' | 'json_object' | 'none';
const FORMAT_ORDER: readonly ResponseFormatMode[] = ['json_schema', 'json_object', 'none'];

/** The reply schema in OpenAI's strict form (every property required, nothing else allowed). */
export const OPENAI_REPLY_SCHEMA = { ...REPLY_SCHEMA, additionalProperties: false } as const;

/** What the finished reply is checked against, whatever the server enforced. */
const ReplySchema = z.object({ emotion: z.enum(EMOTIONS), text: z.string().trim().min(1) });

export interface OpenAiLlmOptions extends LlmTuning {
  /** LLM_BASE_URL, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:1234/v1`. */
  baseUrl: string;
  /** LLM_API_KEY; local servers need none. */
  apiKey?: string;
  /** LLM_MODEL. */
  model: string;
  log: Logger;
  status: StatusBoard;
}

export interface OpenAiLlm extends LlmClient {
  readonly model: string;
  /** The response_format that the server accepted last (json_schema until a server refuses it). */
  readonly formatMode: ResponseFormatMode;
  /** The model's context length when the server reports it in /models, else undefined. */
  contextWindow(): number | undefined;
  /** One health check now (also run by the loop). Resolves true when the server answered. */
  check(): Promise<boolean>;
  start(children?: ChildHost): void;
  stop(): Promise<void>;
}


const UNREACHABLE_FIX = 'start your LLM server (LM Studio, llama.cpp, vLLM…) or set LLM_BASE_URL to where it runs (it usually ends in /v1)';
const AUTH_FIX = 'check LLM_API_KEY in .env (a key the server at LLM_BASE_URL accepts)';

function serverMessage(err: { error?: unknown; message: string }): string {
  // `{"error": "text"}` (LM Studio style) arrives as a JSON string; `{"error": {message}}` as the message.
  const raw = typeof err.error === 'string' ? err.error : err.message.replace(/^\d{3}\s+/, '');
  return stripUrlCredentials(raw).slice(0, 300);
}

/** Maps what the `openai` client (and fetch under it) throws to an LlmError with a fix. */
export function classifyOpenAiError(
  err: unknown,
  ctx: { baseUrl: string; model: string; abortedBy: AbortedBy; timeoutMs: number; firstTokenTimeoutMs: number },
): LlmError {
  if (err instanceof LlmError) return err;
  const where = displayHost(ctx.baseUrl);
  if (ctx.abortedBy === 'caller') return new LlmError('aborted', 'the reply was cancelled', false, undefined, { cause: err });
  if (ctx.abortedBy === 'first-token-timeout')
    return new LlmError('timeout', `the LLM server sent nothing within ${Math.round(ctx.firstTokenTimeoutMs / 1000)} s (is ${ctx.model} still loading, or the server busy?)`, true, undefined, { cause: err });
  if (ctx.abortedBy === 'timeout')
    return new LlmError('timeout', `the LLM server did not finish the reply within ${Math.round(ctx.timeoutMs / 1000)} s`, true, undefined, { cause: err });
  if (err instanceof APIUserAbortError) return new LlmError('aborted', 'the reply was cancelled', false, undefined, { cause: err });
  if (err instanceof APIConnectionError)
    return new LlmError('unreachable', `the LLM server is not reachable at ${where}`, true, UNREACHABLE_FIX, { cause: err });
  if (err instanceof AuthenticationError || err instanceof PermissionDeniedError)
    return new LlmError('auth', `the LLM server at ${where} refused the API key (HTTP ${err.status}): ${serverMessage(err)}`, false, AUTH_FIX, { cause: err });
  if (err instanceof NotFoundError) {
    const msg = serverMessage(err);
    if (err.code === 'model_not_found' || /model/i.test(msg))
      return new LlmError('model-missing', `the model ${ctx.model} is not available at ${where}: ${msg}`, false, `set LLM_MODEL to a model the server lists (GET ${where}/…/models)`, { cause: err });
    return new LlmError('unreachable', `nothing answers chat completions at ${where} (HTTP 404)`, false, 'check LLM_BASE_URL: it must point at the API root, usually ending in /v1', { cause: err });
  }
  if (err instanceof RateLimitError) {
    const msg = serverMessage(err);
    if (err.code === 'insufficient_quota' || err.type === 'insufficient_quota')
      return new LlmError('server', `the LLM account is out of quota: ${msg}`, false, 'add credit to the account behind LLM_API_KEY, or use a local model', { cause: err });
    const retryAfter = Number(err.headers?.get('retry-after'));
    const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? ` (try again in ${retryAfter} s)` : '';
    return new LlmError('server', `rate limited by the LLM server${wait}: ${msg}`, true, 'wait, or raise the cooldown so Pickle asks less often', { cause: err });
  }
  if (err instanceof BadRequestError) {
    const msg = serverMessage(err);
    if (err.code === 'context_length_exceeded' || /context length|context window|maximum context/i.test(msg))
      return new LlmError('server', `the prompt is longer than ${ctx.model}'s context: ${msg}`, false, 'set CONTEXT_TOKENS in .env to the model\'s context size (or lower)', { cause: err });
    return new LlmError('server', `the LLM server refused the request (HTTP 400): ${msg}`, false, undefined, { cause: err });
  }
  if (err instanceof InternalServerError)
    return new LlmError('server', `the LLM server answered HTTP ${err.status}: ${serverMessage(err)}`, true, undefined, { cause: err });
  if (err instanceof APIError) {
    // No status: an `{"error"}` event in the middle of the stream.
    if (err.status === undefined) return new LlmError('server', `the LLM server reported an error mid-reply: ${serverMessage(err)}`, true, undefined, { cause: err });
    return new LlmError('server', `the LLM server answered HTTP ${err.status}: ${serverMessage(err)}`, err.status >= 500 || err.status === 408 || err.status === 409, undefined, { cause: err });
  }
  const message = stripUrlCredentials(errorText(err));
  if (err instanceof TypeError && (message === 'terminated' || /socket|other side closed/i.test(message)))
    return new LlmError('server', 'the LLM server closed the connection in the middle of the reply', true, undefined, { cause: err });
  if (err instanceof SyntaxError) return new LlmError('server', `the LLM server sent a malformed stream: ${message}`, true, undefined, { cause: err });
  return new LlmError('server', `the LLM request failed: ${message}`, true, undefined, { cause: err });
}

/** The context length a /models entry carries, under whichever name the server uses. */
export function contextLengthOf(entry: unknown): number | undefined {
  if (!entry || typeof entry !== 'object') return undefined;
  const e = entry as Record<string, unknown>;
  const meta = (e.meta ?? {}) as Record<string, unknown>;
  for (const v of [e.max_model_len, e.context_length, e.context_window, e.max_context_length, e.loaded_context_length, meta.n_ctx, meta.n_ctx_train]) {
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  }
  return undefined;
}

/** Which optional request feature a 400 complains about, if any. */
function negotiable(err: unknown): 'response_format' | 'max_tokens' | 'stream_options' | null {
  if (!(err instanceof BadRequestError) && !(err instanceof APIError && err.status === 422)) return null;
  const e = err as APIError;
  const text = `${e.param ?? ''} ${serverMessage(e)}`;
  if (/response_format|json_schema|json_object|must contain the word 'json'/i.test(text)) return 'response_format';
  if (/max_tokens/i.test(text) && !/max_completion_tokens/i.test(String(e.param ?? ''))) return 'max_tokens';
  if (/stream_options|include_usage/i.test(text)) return 'stream_options';
  return null;
}

export function createOpenAiLlm(opts: OpenAiLlmOptions): OpenAiLlm {
  const {
    baseUrl,
    model,
    log,
    status,
    timeoutMs = LLM_DEFAULTS.timeoutMs,
    firstTokenTimeoutMs = LLM_DEFAULTS.firstTokenTimeoutMs,
    temperature = LLM_DEFAULTS.temperature,
    maxTokens = LLM_DEFAULTS.maxTokens,
    retryIntervalMs = LLM_DEFAULTS.retryIntervalMs,
    maxRetryIntervalMs = LLM_DEFAULTS.maxRetryIntervalMs,
    checkIntervalMs = LLM_DEFAULTS.checkIntervalMs,
  } = opts;
  const where = displayHost(baseUrl);
  const llmLog = log.child({ service: 'llm', backend: 'openai', model, host: where });
  // How long a reply may take to start and to finish is the replyDeadlines machine's.
  const deadlines = replyDeadlines({ timeoutMs, firstTokenTimeoutMs });
  const client = new OpenAI({
    baseURL: baseUrl,
    // Local servers need no key, but the client insists on one (and would read OPENAI_API_KEY).
    apiKey: opts.apiKey ?? 'no-key',
    maxRetries: 0,
    timeout: timeoutMs + 5_000,
  });

  let formatIndex = 0;
  let tokenParam: 'max_tokens' | 'max_completion_tokens' = 'max_tokens';
  let streamOptions = true;
  let contextWindow: number | undefined;

  function reportFailure(err: LlmError): void {
    switch (err.kind) {
      case 'unreachable':
      case 'model-missing':
      case 'auth':
        status.set('llm', 'down', err.message, { ...(err.fix ? { fix: err.fix } : {}), lastError: err.message, fault: err.failureClass });
        health.poke();
        break;
      case 'timeout':
      case 'server':
        status.set('llm', 'degraded', err.message, { ...(err.fix ? { fix: err.fix } : {}), lastError: err.message, fault: err.failureClass });
        break;
      case 'aborted':
      case 'bad-output':
        break;
    }
  }

  function requestBody(messages: PromptMessage[]): OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming {
    const mode = FORMAT_ORDER[formatIndex]!;
    return {
      model,
      messages,
      stream: true,
      temperature,
      ...(tokenParam === 'max_tokens' ? { max_tokens: maxTokens } : { max_completion_tokens: maxTokens }),
      ...(streamOptions ? { stream_options: { include_usage: true } } : {}),
      ...(mode === 'json_schema'
        ? { response_format: { type: 'json_schema', json_schema: { name: 'pickle_reply', strict: true, schema: OPENAI_REPLY_SCHEMA } } }
        : mode === 'json_object'
          ? { response_format: { type: 'json_object' } }
          : {}),
    };
  }

  async function generate(messages: PromptMessage[], handlers: ReplyHandlers, signal: AbortSignal): Promise<GenerationResult> {
    const ctxOf = (abortedBy: AbortedBy) => ({ baseUrl, model, abortedBy, timeoutMs, firstTokenTimeoutMs });
    if (signal.aborted) throw classifyOpenAiError(signal.reason, ctxOf('caller'));
    const started = performance.now();
    const run = new ReplyRun(signal, handlers, deadlines);
    const { parser } = run;
    let raw = '';

    let finishReason: string | null = null;
    let usage: { prompt_tokens?: number; completion_tokens?: number } | undefined;
    let mode = FORMAT_ORDER[formatIndex]!;
    try {
      // Negotiation: a 400 about an optional feature retries at once without it (before any output).
      let stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
      for (;;) {
        mode = FORMAT_ORDER[formatIndex]!;
        try {
          stream = await client.chat.completions.create(requestBody(messages), { signal: run.signal });
          break;
        } catch (err) {
          const what = run.signal.aborted ? null : negotiable(err);
          if (what === 'response_format' && formatIndex < FORMAT_ORDER.length - 1) {
            formatIndex++;
            llmLog.info({ refused: mode, next: FORMAT_ORDER[formatIndex] }, 'llm server refused the response format; falling back');
            continue;
          }
          if (what === 'max_tokens' && tokenParam === 'max_tokens') {
            tokenParam = 'max_completion_tokens';
            continue;
          }
          if (what === 'stream_options' && streamOptions) {
            streamOptions = false;
            continue;
          }
          throw err;
        }
      }
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const piece = choice.delta?.content ?? '';
        if (piece !== '') run.tokenArrived();
        if (run.signal.aborted) break;
        if (piece) {
          raw += piece;
          run.push(piece);
        }
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
      // The client ends the iteration quietly when its request is aborted.
      if (run.signal.aborted) throw run.signal.reason;
      if (finishReason === null) throw new LlmError('server', 'the reply stream from the LLM server ended early', true);
      run.end();
      if (run.signal.aborted) throw run.signal.reason;
    } catch (err) {
      run.rethrowHandlerError();
      const error = classifyOpenAiError(err, ctxOf(run.abortedBy));
      reportFailure(error);
      if (error.kind !== 'aborted') llmLog.warn({ kind: error.kind, retryable: error.retryable, err: error.message }, 'llm reply failed');
      throw error;
    } finally {
      run.close();
    }

    const text = parser.text.trim();
    const emotion = parser.emotion ?? 'neutral';
    const durationMs = Math.round(performance.now() - started);
    if (text === '') {
      const error = new LlmError('bad-output', 'the model answered without any text', true);
      llmLog.warn({ kind: error.kind, format: parser.format, finishReason }, 'llm reply failed');
      throw error;
    }
    // Validated either way: what the server enforced, or what the model chose to write.
    let schemaValid = false;
    try {
      const body = raw.trim().replace(/^```[a-z]*\s*/i, '').replace(/\s*```\s*$/, '');
      schemaValid = ReplySchema.safeParse(JSON.parse(body)).success;
    } catch {
      schemaValid = false;
    }
    const stats = {
      ...(usage?.prompt_tokens !== undefined ? { promptTokens: usage.prompt_tokens } : {}),
      ...(usage?.completion_tokens !== undefined ? { evalTokens: usage.completion_tokens } : {}),
      ...(finishReason ? { doneReason: finishReason } : {}),
      durationMs,
    };
    if (status.get('llm')?.state !== 'up') status.set('llm', 'up', `${model} at ${where} is answering`);
    llmLog.info({ ...stats, chars: text.length, emotion, format: parser.format, responseFormat: mode, schemaValid }, 'llm reply');
    if (finishReason === 'length') llmLog.warn({ maxTokens }, 'llm reply cut by the token limit');
    return { text, emotion, stats };
  }

  async function check(signal: AbortSignal): Promise<boolean> {
    const ctrl = new AbortController();
    const onAbort = () => ctrl.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => ctrl.abort(), 10_000);
    try {
      let ids: string[];
      try {
        const page = await client.models.list({ signal: ctrl.signal });
        ids = page.data.map((m) => m.id);
        const mine = page.data.find((m) => m.id === model);
        const ctxLen = contextLengthOf(mine) ?? (page.data.length === 1 ? contextLengthOf(page.data[0]) : undefined);
        if (ctxLen) contextWindow = ctxLen;
      } catch (err) {
        if (signal.aborted) return false;
        if (err instanceof NotFoundError) {
          // Some servers have no model list: the chat endpoint will tell.
          if (status.get('llm')?.state !== 'up') status.set('llm', 'up', `the LLM server at ${where} answers (it lists no models)`);
          return true;
        }
        const error = ctrl.signal.aborted
          ? new LlmError('unreachable', `the LLM server at ${where} does not answer`, true, UNREACHABLE_FIX)
          : classifyOpenAiError(err, { baseUrl, model, abortedBy: null, timeoutMs, firstTokenTimeoutMs });
        if (error.kind === 'unreachable' || error.kind === 'auth')
          status.set('llm', 'down', error.message, { ...(error.fix ? { fix: error.fix } : {}), lastError: error.message });
        else status.set('llm', 'degraded', error.message, { ...(error.fix ? { fix: error.fix } : {}), lastError: error.message });
        return false;
      }
      if (ids.length > 0 && !ids.includes(model)) {
        const shown = ids.slice(0, 5).join(', ') + (ids.length > 5 ? ', …' : '');
        // llama.cpp and some proxies answer whatever `model` says: a warning, not "down".
        status.set('llm', 'degraded', `the LLM server at ${where} does not list ${model}`, { fix: `set LLM_MODEL to one of: ${shown}` });
        return true;
      }
      const cur = status.get('llm');
      if (cur?.state !== 'up' || !cur.detail.includes(model)) status.set('llm', 'up', `${model} at ${where} is ready`);
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
    get formatMode() {
      return FORMAT_ORDER[formatIndex]!;
    },
    generate,
    contextWindow: () => contextWindow,
    check: () => check(new AbortController().signal),
    start: (children) => {
      deadlines.start(children);
      health.start(children);
    },
    stop: () => health.stop(),
  };
}
