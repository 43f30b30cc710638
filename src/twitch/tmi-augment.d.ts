/**
 * What tmi.js does and its typings leave out, declared once so the adapter needs no casts:
 * - `handleMessage`, the method its IRC parser hands every message to (the adapter wraps it to
 *   see RECONNECT and every USERSTATE, which tmi's events do not offer);
 * - the tags tmi passes as the 4th argument of `raided`.
 */
import type { RaidUserstate } from 'tmi.js';

/** One IRC message as tmi.js's parser produces it. */
export interface RawIrcMessage {
  command: string;
  prefix: string | null;
  params: string[];
  tags: Record<string, unknown>;
}

declare module 'tmi.js' {
  interface Actions {
    handleMessage(message: RawIrcMessage | null): void;
  }
  interface Events {
    raided(channel: string, username: string, viewers: number, tags: RaidUserstate): void;
  }
}
