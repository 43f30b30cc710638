import type { ChatPlatform } from '../events.ts';
import type { ChatSeen } from './minute.ts';

/**
 * Chat lines remembered by id (pure), so a reply's wait runs from the message it answers:
 * the lines of the last moment in a list that grows without copying, then the newest
 * ARRIVALS_KEPT in a table that is copied once per tally, not once per line.
 */

/** A chat line as the analytics see it: who, where, and when it was sent (its own `ts`). */
export interface Arrival extends ChatSeen {
  id: string;
  at: number;
}

export type ArrivalTable = ReadonlyMap<string, { at: number; platform: ChatPlatform }>;

/** Lines remembered: a reply answers one of the last few hundred lines, rarely older. */
export const ARRIVALS_KEPT = 1_000;

export function keepArrivals(table: ArrivalTable, lines: readonly Arrival[]): ArrivalTable {
  const next = new Map(table);
  for (const l of lines) {
    next.delete(l.id);
    next.set(l.id, { at: l.at, platform: l.platform });
  }
  for (const id of next.keys()) {
    if (next.size <= ARRIVALS_KEPT) break;
    next.delete(id);
  }
  return next;
}

/** The lines seen since the last tally, newest first: adding one copies nothing (a flood brings thousands a second). */
export type SeenLines = { line: Arrival; before: SeenLines } | undefined;

export const see = (seen: SeenLines, line: Arrival): SeenLines => ({ line, before: seen });

/** The lines seen, oldest first. */
export function seenLines(seen: SeenLines): Arrival[] {
  const out: Arrival[] = [];
  for (let s = seen; s; s = s.before) out.push(s.line);
  return out.reverse();
}

export const seenOf = (lines: readonly Arrival[]): SeenLines => lines.reduce<SeenLines>(see, undefined);

export function arrivalOf(seen: SeenLines, table: ArrivalTable, id: string): { at: number; platform: ChatPlatform } | undefined {
  for (let s = seen; s; s = s.before) if (s.line.id === id) return { at: s.line.at, platform: s.line.platform };
  return table.get(id);
}
