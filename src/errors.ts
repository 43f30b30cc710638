/**
 * One classification of every service failure (the LLM, the voice, hearing, Twitch chat, Kick's
 * socket, YouTube's API), whatever
 * the provider: what trying again can do.
 * - `auth`: a refused key or no credit; asking again with the same settings cannot help.
 * - `rate-limited`: the service asks to slow down; it passes by itself.
 * - `retryable`: may pass (network, a 5xx, a timeout, a dropped connection).
 * - `fatal`: a wrong setting or request; only the streamer's fix helps.
 */
import type { YoutubeFailure } from '../machines/youtubeChat.ts';

export type FailureClass = 'auth' | 'rate-limited' | 'retryable' | 'fatal';

/**
 * The one table: a failure's kind (as the service's error names it) → its class. A kind not listed
 * here is `retryable` or `fatal` as its error says.
 */
const CLASS_OF_KIND: Readonly<Partial<Record<string, FailureClass>>> = {
  auth: 'auth',
  payment: 'auth',
  'rate-limit': 'rate-limited',
  /** Twitch chat: the login name is not one Twitch accepts. */
  'bad-login': 'fatal',
};

export function classifyFailure(kind: string, retryable: boolean): FailureClass {
  return CLASS_OF_KIND[kind] ?? (retryable ? 'retryable' : 'fatal');
}

/**
 * Why tmi.js says Twitch chat closed (its `disconnected` reason carries Twitch's NOTICE text):
 * the kinds the table above classifies. Any other reason is a dropped connection (`closed`).
 */
const CHAT_DISCONNECT_REASONS: ReadonlyArray<{ pattern: RegExp; kind: 'auth' | 'bad-login' }> = [
  { pattern: /Login authentication failed|Improperly formatted auth|Login unsuccessful|Error logging in/i, kind: 'auth' },
  { pattern: /Invalid NICK/i, kind: 'bad-login' },
];

export type ChatDisconnectKind = 'auth' | 'bad-login' | 'closed';

/** A chat disconnect's kind and class. */
export function classifyChatDisconnect(reason: string): { kind: ChatDisconnectKind; failure: FailureClass } {
  const kind = CHAT_DISCONNECT_REASONS.find((r) => r.pattern.test(reason))?.kind ?? 'closed';
  return { kind, failure: classifyFailure(kind, true) };
}

/**
 * Kick's Pusher socket: what a close code means (pusher.com/docs/channels/library_auth_reference/
 * pusher-websockets-protocol). 4000–4099: not to be retried unchanged (a wrong app key, the app
 * disabled); 4100–4199: retried after a pause (over capacity); 4200–4299: reconnect at once (the
 * server is going away). Below 4000 (or none): a dropped connection.
 */
const PUSHER_CLOSE_CODES: ReadonlyArray<{ from: number; to: number; verdict: PusherVerdict }> = [
  { from: 4000, to: 4099, verdict: { failure: 'fatal' } },
  { from: 4100, to: 4199, verdict: { failure: 'rate-limited' } },
  { from: 4200, to: 4299, verdict: { restart: true } },
];

export type PusherVerdict = { failure: FailureClass } | { restart: true };

export function pusherVerdict(code: number | undefined): PusherVerdict {
  if (code === undefined || code < 4000) return { failure: 'retryable' };
  return PUSHER_CLOSE_CODES.find((r) => code >= r.from && code <= r.to)?.verdict ?? { failure: 'fatal' };
}

/**
 * YouTube Data API errors: Google's reasons (`errors[].reason`, `details[].reason`), the HTTP
 * status or the message → the kind the youtubeChat machine acts on. The first rule that matches
 * wins; anything else is `retryable`.
 */
const YOUTUBE_FAILURES: ReadonlyArray<{ kind: YoutubeFailure; reasons: readonly string[]; status?: number; message?: RegExp }> = [
  { kind: 'quotaExceeded', reasons: ['quotaExceeded', 'dailyLimitExceeded'] },
  { kind: 'liveChatEnded', reasons: ['liveChatEnded', 'liveChatDisabled'] },
  { kind: 'notFound', reasons: ['liveChatNotFound', 'videoNotFound', 'notFound'], status: 404 },
  {
    kind: 'auth',
    reasons: ['keyInvalid', 'API_KEY_INVALID', 'keyExpired', 'API_KEY_EXPIRED', 'accessNotConfigured', 'SERVICE_DISABLED', 'ipRefererBlocked', 'authError', 'unauthorized'],
    status: 401,
    message: /API key not valid/i,
  },
];

export function classifyYoutubeFailure(status: number, reasons: readonly string[], message: string): YoutubeFailure {
  const rule = YOUTUBE_FAILURES.find((r) => reasons.some((x) => r.reasons.includes(x)) || r.status === status || (r.message?.test(message) ?? false));
  return rule?.kind ?? 'retryable';
}

/** What every service's error carries: its own kind, whether to try again, and the fix for the streamer. */
export abstract class ServiceError extends Error {
  abstract readonly kind: string;
  abstract readonly retryable: boolean;
  abstract readonly fix?: string | undefined;

  get failureClass(): FailureClass {
    return classifyFailure(this.kind, this.retryable);
  }
}

export { errorText } from '../machines/text.ts';

/** Codes of a network that failed under a request (Node's, undici's), whatever the service: a `network` failure, retryable. */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The network code of an error or of one of its causes (fetch wraps them, some SDKs as `originalError`). */
export function networkCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const code = 'code' in e ? e.code : undefined;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    e = ('cause' in e ? e.cause : undefined) ?? ('originalError' in e ? e.originalError : undefined);
  }
  return undefined;
}

/** A network code named in a message (a WebSocket's transport error carries only text). */
export const networkCodeIn = (message: string): string | undefined => [...NETWORK_CODES].find((c) => new RegExp(`\\b${c}\\b`).test(message));
