import type { ChatPlatform } from '../events.ts';
import type { ChatSeen } from './minute.ts';

/**
 * Chat lines remembered by id (pure), so a reply's wait runs from the message it answers:
 * the lines of the last moment as they came, then the newest ARRIVALS_KEPT in a table that is
 * copied once per tally, not once per line.
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

export function arrivalOf(seen: readonly Arrival[], table: ArrivalTable, id: string): { at: number; platform: ChatPlatform } | undefined {
  for (let i = seen.length - 1; i >= 0; i--) {
    const l = seen[i]!;
    if (l.id === id) return { at: l.at, platform: l.platform };
  }
  return table.get(id);
}
