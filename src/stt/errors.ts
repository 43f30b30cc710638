/**
 * Typed failures of Deepgram live transcription: what went wrong, whether trying again can
 * help, and what the streamer should do. Handshake failures come as HTTP statuses (the
 * WebSocket upgrade is refused); failures of an open stream as close frames (code + payload,
 * Deepgram's "STT Troubleshooting WebSocket, NET, and DATA Errors").
 */

import { networkCodeIn, ServiceError } from '../errors.ts';

export type SttErrorKind = 'auth' | 'payment' | 'bad-request' | 'rate-limit' | 'server' | 'network' | 'timeout' | 'bad-audio' | 'closed';

export class SttError extends ServiceError {
  readonly kind: SttErrorKind;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly closeCode: number | undefined;
  /** The step that fixes it, for the status board. */
  readonly fix: string | undefined;
  constructor(kind: SttErrorKind, message: string, extra: { retryable: boolean; status?: number; closeCode?: number; fix?: string }) {
    super(message);
    this.name = 'SttError';
    this.kind = kind;
    this.retryable = extra.retryable;
    this.status = extra.status;
    this.closeCode = extra.closeCode;
    this.fix = extra.fix;
  }
}

const KEY_FIX = 'check DEEPGRAM_API_KEY in .env (create a key at https://console.deepgram.com), then restart Pickle';

/** The upgrade was answered with an HTTP status instead of 101. */
export function handshakeError(status: number): SttError {
  if (status === 401 || status === 403)
    return new SttError('auth', `Deepgram refused the API key (HTTP ${status})`, { retryable: false, status, fix: KEY_FIX });
  if (status === 402)
    return new SttError('payment', 'the Deepgram project is out of credit (HTTP 402)', {
      retryable: false,
      status,
      fix: 'add credit to your Deepgram project (https://console.deepgram.com), then restart Pickle',
    });
  if (status === 400)
    return new SttError('bad-request', 'Deepgram rejected the transcription settings (HTTP 400)', {
      retryable: false,
      status,
      fix: 'check STT_MODEL (e.g. nova-3) and STT_LANGUAGE in .env, then restart Pickle',
    });
  if (status === 404)
    return new SttError('bad-request', 'no Deepgram live transcription at DEEPGRAM_URL (HTTP 404)', {
      retryable: false,
      status,
      fix: 'remove DEEPGRAM_URL from .env to use api.deepgram.com, or fix it',
    });
  if (status === 429) return new SttError('rate-limit', 'Deepgram says too many requests (HTTP 429)', { retryable: true, status });
  return new SttError('server', `Deepgram answered HTTP ${status}`, { retryable: true, status });
}

/** A transport error of the WebSocket (before or after the upgrade). */
export function transportError(err: { message?: string; statusCode?: number; error?: unknown } | undefined): SttError {
  const message = String(err?.message ?? (err?.error as Error | undefined)?.message ?? 'connection failed');
  const status = err?.statusCode ?? Number(/Unexpected server response: (\d{3})/.exec(message)?.[1] ?? NaN);
  if (Number.isInteger(status) && status >= 300) return handshakeError(status);
  const code = networkCodeIn(message);
  const short = code ? `cannot reach Deepgram (${code})` : `connection to Deepgram failed: ${message.split(' (')[0]}`;
  return new SttError('network', short, { retryable: true });
}

/** The open stream was closed by the server (or the network). `undefined`: a normal end we asked for. */
export function closeError(code: number, reason: string): SttError {
  const r = reason.trim();
  if (r.startsWith('DATA-'))
    return new SttError('bad-audio', `Deepgram could not decode the audio (${code} ${r})`, {
      retryable: false,
      closeCode: code,
      fix: 'AUDIO_INPUT_FILE=- expects raw 16 kHz mono 16-bit PCM on stdin; check what is piped in',
    });
  if (r === 'NET-0001') return new SttError('timeout', 'Deepgram closed the stream: no audio or KeepAlive in time (NET-0001)', { retryable: true, closeCode: code });
  if (r === 'NET-0000') return new SttError('server', 'Deepgram closed the stream (NET-0000)', { retryable: true, closeCode: code });
  if (code === 1006) return new SttError('network', 'the connection to Deepgram dropped', { retryable: true, closeCode: code });
  return new SttError('closed', `Deepgram closed the stream (${code}${r ? ` ${r}` : ''})`, { retryable: true, closeCode: code });
}
