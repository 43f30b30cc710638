/**
 * One tmi.js client per connection attempt, with tmi's own reconnect switched off (the reconnect
 * machine decides instead: tmi has no jitter, no connect timeout, and after RECONNECT it
 * schedules a reconnect that `disconnect()` cannot cancel).
 */
import type { Client as TmiClient } from 'tmi.js';
import type { Logger } from '../log.ts';
import type { TmiTags } from './parse.ts';

export interface TmiClientSetup {
  connection: { server: string; port: number; secure: boolean };
  channel: string;
  /** None: anonymous (`justinfan<digits>`, read-only). */
  identity: { login: string; token: () => string } | undefined;
  random: () => number;
  log: Logger;
}

/** tmi.js is loaded on the first connection: a Pickle in rehearsal mode never loads it. */
export async function createTmiClient(s: TmiClientSetup): Promise<TmiClient> {
  const { default: tmi } = await import('tmi.js');
  // tmi logs every chat line at `messagesLogLevel`; chat is untrusted text, keep all of it at debug.
  const quiet = (m: string) => s.log.debug({ src: 'tmi' }, m);
  const logger = { debug: quiet, info: quiet, warn: quiet, error: quiet };
  return new tmi.Client({
    options: { skipUpdatingEmotesets: true, skipMembership: true, messagesLogLevel: 'debug', joinInterval: 300 },
    connection: { ...s.connection, reconnect: false },
    identity: s.identity
      ? { username: s.identity.login, password: () => `oauth:${s.identity?.token() ?? ''}` }
      : { username: `justinfan${Math.floor(s.random() * 80_000) + 1_000}` },
    channels: [s.channel],
    logger,
  });
}

export interface RawMessageWatch {
  /** The server asked to reconnect (maintenance); tmi never sees the message. */
  onServerReconnect(): void;
  /** A USERSTATE for `channel` (`#name`): tmi emits one only on JOIN, Twitch sends one per delivered PRIVMSG. */
  onUserState(channel: string, tags: TmiTags): void;
}

/** Two things tmi.js's events do not offer, read from the messages its parser hands over. */
export function watchRawMessages(client: TmiClient, watch: RawMessageWatch): void {
  const original = client.handleMessage.bind(client);
  client.handleMessage = (m) => {
    if (m && m.prefix === 'tmi.twitch.tv' && m.command === 'RECONNECT') return watch.onServerReconnect();
    original(m);
    if (m && m.command === 'USERSTATE' && m.params[0] !== undefined) watch.onUserState(m.params[0], m.tags);
  };
}

/** Close without waiting more than `waitMs` for tmi's goodbye; its late events are not listened to. */
export async function closeQuietly(c: TmiClient, waitMs: number): Promise<void> {
  c.removeAllListeners();
  const state = c.readyState();
  if (state !== 'OPEN' && state !== 'CONNECTING') return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    c.disconnect().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    }),
  ]);
  clearTimeout(timer);
}
