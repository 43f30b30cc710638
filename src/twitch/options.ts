/** The Twitch chat adapter's contract: its settings, what it offers, and the fixes it names. */
import type { ChildHost } from '../children.ts';
import type { InputEvent } from '../../machines/events.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import type { Backoff } from '../../machines/reconnect.ts';
import type { ChatSendLimits, PacingStats } from '../../machines/chatPacing/pacing.ts';

export const TWITCH_IRC_URL = 'wss://irc-ws.chat.twitch.tv:443';

export const TOKEN_FIX =
  'generate a new user token with scopes chat:read chat:edit (e.g. at https://twitchtokengenerator.com, or with your own app ' +
  'from https://dev.twitch.tv/console) and set TWITCH_BOT_TOKEN; with TWITCH_CLIENT_ID, TWITCH_CLIENT_SECRET and the ' +
  'refresh token set too, Pickle renews it by itself';
export const READ_ONLY_FIX = 'set TWITCH_BOT_TOKEN (a bot account token with chat:read chat:edit) so Pickle can also write in chat';

export interface TwitchChatOptions {
  /** Where the connection's machines run (in Pickle: the orchestrator's children). */
  children?: ChildHost;
  /** Channel to join, with or without `#`. */
  channel: string;
  /** Bot account login; when missing it is read from GET {authUrl}/oauth2/validate. */
  login?: string;
  /** Bot user access token (`oauth:` prefix optional). None: anonymous, read-only. */
  token?: string;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  /** Default wss://irc-ws.chat.twitch.tv:443. tmi.js forces port 443 when secure, so wss means 443. */
  ircUrl?: string;
  /** Default https://id.twitch.tv. */
  authUrl?: string;
  status: StatusBoard;
  log: Logger;
  send: (event: InputEvent) => void;
  /** Called after a refresh with the new tokens, so they can be persisted. */
  onTokens?: (tokens: { accessToken: string; refreshToken?: string }) => void;
  /** Keep reading chat anonymously when the token is rejected for good (default false: stay down). */
  fallbackToAnonymous?: boolean;
  /** Reconnect backoff (default 1 s doubling to 30 s). */
  backoff?: Partial<Backoff>;
  /** Give up on a connection attempt that has not logged in within this time (default 15 s). */
  connectTimeoutMs?: number;
  /** After login, report `degraded` if the channel is not joined within this time (default 10 s). */
  joinTimeoutMs?: number;
  /** Re-validate the token this often, as Twitch requires (default 1 h; 0 = never). */
  validateIntervalMs?: number;
  /** Send limits (default: Twitch's, see sendLimits.ts). */
  limits?: Partial<ChatSendLimits>;
  random?: () => number;
  now?: () => number;
  fetch?: typeof fetch;
}

export interface TwitchChatStats extends PacingStats {
  /** Connection attempts made (first one included). */
  connects: number;
  messages: number;
  events: number;
  /** Replies queued but not yet sent. */
  pending: number;
  /** `say()` calls refused: read-only, stopped or failed. */
  sayRefused: number;
}

export interface TwitchChat {
  /** Resolves once the first attempt has an outcome (joined, failed, or retrying); never rejects. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Queue a reply for chat (the brain chose it): cleaned, rate-limited, deduplicated. No-op when read-only. */
  say(text: string): void;
  readonly mode: 'authenticated' | 'anonymous';
  stats(): TwitchChatStats;
}

/** tmi.js `connection` options from a ws:// or wss:// URL. */
export function tmiConnectionFromUrl(url: string): { server: string; port: number; secure: boolean } {
  const u = new URL(url);
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') {
    throw new Error(`Twitch IRC URL must start with ws:// or wss:// (got ${u.protocol})`);
  }
  const secure = u.protocol === 'wss:';
  return { server: u.hostname, port: u.port ? Number(u.port) : secure ? 443 : 80, secure };
}
