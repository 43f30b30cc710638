/**
 * Typed LLM failures: what went wrong, whether trying again later can help, and a
 * message a streamer can act on. Ollama client errors are mapped here, in one place.
 */
import type { LlmFailure } from '../../machines/events.ts';
import { errorText, networkCode, ServiceError } from '../errors.ts';

export type LlmErrorKind = LlmFailure['kind'];

export class LlmError extends ServiceError implements LlmFailure {
  override readonly name = 'LlmError';
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly retryable: boolean,
    /** The step that fixes it, for the status board (e.g. "run `ollama pull phi3.5:latest`"). */
    readonly fix?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toFailure(): LlmFailure {
    return { kind: this.kind, message: this.message, retryable: this.retryable };
  }
}

/** Any thrown value as an LlmFailure (for events): LlmErrors keep their kind. */
export function toLlmFailure(err: unknown): LlmFailure {
  if (err instanceof LlmError) return err.toFailure();
  return { kind: 'server', message: errorText(err), retryable: true };
}

/** The host without credentials (a URL may carry `user:pass@`), fit for messages and logs. */
export function displayHost(host: string): string {
  try {
    const url = new URL(host.includes('://') ? host : `http://${host}`);
    url.username = '';
    url.password = '';
    return url.origin;
  } catch {
    return '(invalid OLLAMA_HOST)';
  }
}

/** Removes `user:pass@` from any URL inside a text. */
export function stripUrlCredentials(text: string): string {
  return text.replace(/(\w+:\/\/)[^\s/@]+@/g, '$1');
}

export function unreachableError(host: string, cause?: unknown): LlmError {
  return new LlmError(
    'unreachable',
    `Ollama is not reachable at ${displayHost(host)}`,
    true,
    'start Ollama (`ollama serve`) or set OLLAMA_HOST to where it runs',
    { cause },
  );
}

export function modelMissingError(model: string, cause?: unknown): LlmError {
  return new LlmError(
    'model-missing',
    `the model ${model} is not installed in Ollama: run \`ollama pull ${model}\``,
    false,
    `run \`ollama pull ${model}\``,
    { cause },
  );
}

export interface ErrorContext {
  host: string;
  model: string;
  /** Set when our own AbortController fired: by the caller, or by one of the timers. */
  abortedBy: 'caller' | 'first-token-timeout' | 'timeout' | null;
  timeoutMs: number;
  firstTokenTimeoutMs: number;
}


/** Maps what the `ollama` client (and fetch under it) throws to an LlmError. */
export function classifyOllamaError(err: unknown, ctx: ErrorContext): LlmError {
  if (err instanceof LlmError) return err;
  if (ctx.abortedBy === 'caller') return new LlmError('aborted', 'the reply was cancelled', false, undefined, { cause: err });
  if (ctx.abortedBy === 'first-token-timeout')
    return new LlmError(
      'timeout',
      `Ollama sent nothing within ${Math.round(ctx.firstTokenTimeoutMs / 1000)} s (is ${ctx.model} still loading, or the machine busy?)`,
      true,
      undefined,
      { cause: err },
    );
  if (ctx.abortedBy === 'timeout')
    return new LlmError(
      'timeout',
      `Ollama did not finish the reply within ${Math.round(ctx.timeoutMs / 1000)} s`,
      true,
      undefined,
      { cause: err },
    );

  const e = err as { name?: unknown; status_code?: unknown; message?: unknown };
  // fetch quotes the URL in some messages, and OLLAMA_HOST may carry `user:pass@`.
  const message = stripUrlCredentials(typeof e?.message === 'string' ? e.message : String(err));
  if (e?.name === 'ResponseError' && typeof e.status_code === 'number') {
    if (e.status_code === 404) return modelMissingError(ctx.model, err);
    return new LlmError(
      'server',
      `Ollama answered HTTP ${e.status_code}: ${message}`,
      e.status_code >= 500 || e.status_code === 429,
      undefined,
      { cause: err },
    );
  }
  const code = networkCode(err);
  if (err instanceof TypeError && message === 'fetch failed') {
    // fetch failed before any response: refused, DNS, unreachable network, bad URL.
    return unreachableError(ctx.host, err);
  }
  if (err instanceof TypeError && (message === 'terminated' || code === 'UND_ERR_SOCKET'))
    return new LlmError('server', 'Ollama closed the connection in the middle of the reply', true, undefined, { cause: err });
  if (code !== undefined) return unreachableError(ctx.host, err);
  if (message === 'Did not receive done or success response in stream.')
    return new LlmError('server', 'the reply stream from Ollama ended early', true, undefined, { cause: err });
  // The client turns an `{"error": "..."}` line in the stream into a plain Error.
  return new LlmError('server', `Ollama reported an error: ${message}`, true, undefined, { cause: err });
}
