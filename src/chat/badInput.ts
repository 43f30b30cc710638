/**
 * Bad input from a chat platform (a malformed frame, JSON that does not parse, an error body, an
 * oversized line): each kind is logged once per connection, then only counted, so a flood of
 * garbage never floods the log; the connection stays.
 */
import type { Logger } from '../log.ts';

/** Longest chat line Pickle takes from any platform; longer ones are clipped. */
export const MAX_CHAT_CHARS = 500;

export interface BadInput {
  /** Notes one bad input; `detail` is logged the first time this kind is seen. */
  (kind: string, detail: Record<string, unknown>): void;
  readonly counts: Readonly<Record<string, number>>;
}

export function badInputLog(log: Logger, platform: string): BadInput {
  const counts: Record<string, number> = {};
  const note = (kind: string, detail: Record<string, unknown>) => {
    counts[kind] = (counts[kind] ?? 0) + 1;
    if (counts[kind] === 1) log.warn({ event: 'chat.badInput', platform, kind, ...detail }, `${platform}: ${kind} (logged once; later ones are counted)`);
  };
  return Object.assign(note, { counts });
}

/** A line clipped to MAX_CHAT_CHARS (noted as `oversized`). */
export function clipLine(text: string, bad: BadInput): string {
  if (text.length <= MAX_CHAT_CHARS) return text;
  bad('oversized message clipped', { chars: text.length });
  return text.slice(0, MAX_CHAT_CHARS);
}
