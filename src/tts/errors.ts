/**
 * Typed TTS failures: what went wrong, whether trying again can help (`retryable`), and the
 * step that fixes it. Deepgram SDK errors are mapped here, in one place. Messages never
 * contain the API key (the SDK's errors do not carry it; we never add it).
 */
import type { TtsFailure } from '../../machines/events.ts';
import { networkCode, ServiceError } from '../errors.ts';

export type TtsErrorKind = TtsFailure['kind'];

export class TtsError extends ServiceError implements TtsFailure {
  override readonly name = 'TtsError';
  constructor(
    readonly kind: TtsErrorKind,
    message: string,
    readonly retryable: boolean,
    readonly extra: { status?: number; code?: string; fix?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause !== undefined ? { cause: extra.cause } : undefined);
  }

  get status(): number | undefined {
    return this.extra.status;
  }

  get fix(): string | undefined {
    return this.extra.fix;
  }

  toFailure(): TtsFailure {
    return { kind: this.kind, message: this.message, retryable: this.retryable };
  }
}

export const KEY_FIX = 'check DEEPGRAM_API_KEY in .env (https://console.deepgram.com), then restart Pickle';

/** Deepgram's error body `{err_code, err_msg}` as the SDK passes it on (it JSON-stringifies what it cannot read). */
function parseBody(message: string): { code?: string; msg?: string } {
  try {
    const v = JSON.parse(message) as { err_code?: unknown; err_msg?: unknown };
    return {
      ...(typeof v.err_code === 'string' ? { code: v.err_code } : {}),
      ...(typeof v.err_msg === 'string' ? { msg: v.err_msg } : {}),
    };
  } catch {
    return { msg: message };
  }
}


/** Any error from the Deepgram SDK (or fetch under it) as a TtsError. `where` is the host, for messages. */
export function classifyDeepgramError(err: unknown, where: string): TtsError {
  if (err instanceof TtsError) return err;
  const e = err as { name?: string; status?: number; message?: string };
  if (e?.name === 'DeepgramApiError' && typeof e.status === 'number') {
    const status = e.status;
    const body = parseBody(e.message ?? '');
    const detail = `${status}${body.code ? ` ${body.code}` : ''}${body.msg ? `: ${body.msg}` : ''}`;
    const extra = { status, ...(body.code ? { code: body.code } : {}), cause: err };
    if (status === 401 || status === 403)
      return new TtsError('auth', `Deepgram refused DEEPGRAM_API_KEY (${detail})`, false, { ...extra, fix: KEY_FIX });
    if (status === 402)
      return new TtsError('payment', `Deepgram: the project is out of credit (${detail})`, false, {
        ...extra,
        fix: 'add credit to your Deepgram project (https://console.deepgram.com), then restart Pickle',
      });
    if (status === 429) return new TtsError('rate-limit', `Deepgram is rate-limiting (${detail})`, true, extra);
    if (status >= 500) return new TtsError('server', `Deepgram failed (${detail})`, true, extra);
    return new TtsError('bad-request', `Deepgram refused the request (${detail})`, false, {
      ...extra,
      fix: 'check the voice model in the settings (PUT /api/settings/voice), e.g. aura-asteria-en',
    });
  }
  const code = networkCode(err);
  if (code) return new TtsError('network', `Deepgram is not reachable at ${where} (${code})`, true, { cause: err });
  const message = e?.message ?? String(err);
  if (/fetch failed|terminated|socket|network/i.test(message))
    return new TtsError('network', `Deepgram connection failed at ${where} (${message})`, true, { cause: err });
  // A non-JSON error body (a proxy's HTML page, say) ends up here too.
  return new TtsError('server', `Deepgram failed: ${message}`, true, { cause: err });
}
