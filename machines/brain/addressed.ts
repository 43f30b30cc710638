import type { ChatMessage } from '../events.ts';

/**
 * The queue of addressed inputs (pure): who spoke to Pickle while it was busy, in the order it
 * answers them. One slot per speaker (their latest message wins the slot and keeps its place in
 * line), at most QUEUE_SIZE entries, highest rank first and first come first served within a rank.
 * Every entry that leaves without an answer leaves with a reason, so nothing is dropped silently.
 */

export const QUEUE_SIZE = 5;
/** An entry nobody got to within this long is dropped as `stale`. */
export const ENTRY_TTL_MS = 45_000;
/** A viewer answered less than this long ago ranks below viewers still waiting for their first answer. */
export const RECENTLY_ANSWERED_MS = 120_000;

/** Highest first: the streamer's voice, a paid question, the mods, a viewer waiting, a viewer just answered, a stream event. */
export const RANK = {
  streamer: 5,
  redemption: 4,
  mod: 3,
  waiting: 2,
  answered: 1,
  event: 0,
} as const;
export type AddressedRank = (typeof RANK)[keyof typeof RANK];
/** Replies nobody asked for (questions, spontaneous remarks, camera, idle talk) rank below every queue entry. */
export const UNADDRESSED_RANK = -1;

export interface Slotted<T> {
  /** The slot: the viewer (`viewerKey`), `streamer`, or a stream event's sender. */
  key: string;
  /** The input's own id (message id, `speech-<ts>`, event id): expiry and moderation find it by this. */
  id: string;
  rank: number;
  /** Arrival order: the place in line. */
  seq: number;
  item: T;
}

export type DropReason = 'replaced' | 'queue-full';

export interface Offer<T> {
  queue: Slotted<T>[];
  /** Entries that left the queue (or the newcomer itself) and why. */
  dropped: Array<{ entry: Slotted<T>; reason: DropReason }>;
  accepted: boolean;
}

const byRank = <T>(a: Slotted<T>, b: Slotted<T>) => b.rank - a.rank || a.seq - b.seq;

/** The rank of a viewer's message that speaks to Pickle. */
export function rankOfChat(m: Pick<ChatMessage, 'role' | 'ts' | 'redemption'>, lastAnsweredTs: number | undefined): AddressedRank {
  if (m.redemption) return RANK.redemption;
  if (m.role === 'broadcaster' || m.role === 'moderator') return RANK.mod;
  if (lastAnsweredTs !== undefined && m.ts - lastAnsweredTs < RECENTLY_ANSWERED_MS) return RANK.answered;
  return RANK.waiting;
}

/** Adds an entry: replaces the speaker's earlier one (keeping its place), or takes a free slot, or bumps the lowest. */
export function offer<T>(queue: readonly Slotted<T>[], entry: Slotted<T>, size = QUEUE_SIZE): Offer<T> {
  const same = queue.find((e) => e.key === entry.key);
  if (same) {
    const next = { ...entry, seq: same.seq };
    return { queue: queue.map((e) => (e === same ? next : e)).sort(byRank), dropped: [{ entry: same, reason: 'replaced' }], accepted: true };
  }
  if (queue.length < size) return { queue: [...queue, entry].sort(byRank), dropped: [], accepted: true };
  const sorted = [...queue].sort(byRank);
  const last = sorted[sorted.length - 1]!;
  // A newcomer takes the place of the last in line only if it ranks strictly higher; otherwise it is the one turned away.
  if (entry.rank > last.rank) return { queue: [...sorted.slice(0, -1), entry].sort(byRank), dropped: [{ entry: last, reason: 'queue-full' }], accepted: true };
  return { queue: sorted, dropped: [{ entry, reason: 'queue-full' }], accepted: false };
}

/** The next entry to answer, and the queue without it. */
export function takeNext<T>(queue: readonly Slotted<T>[]): { next?: Slotted<T>; queue: Slotted<T>[] } {
  const [next, ...rest] = [...queue].sort(byRank);
  return next ? { next, queue: rest } : { queue: [] };
}

export const peek = <T>(queue: readonly Slotted<T>[]): Slotted<T> | undefined => [...queue].sort(byRank)[0];

/** Removes the entries a predicate picks (expiry, moderation, mute) and returns them. */
export function removeWhere<T>(queue: readonly Slotted<T>[], pick: (e: Slotted<T>) => boolean): { queue: Slotted<T>[]; removed: Slotted<T>[] } {
  return { queue: queue.filter((e) => !pick(e)), removed: queue.filter(pick) };
}

/** Who was answered when (by the message's clock): kept only as long as it can still change a rank. */
export function noteAnswered(answered: Readonly<Record<string, number>>, key: string, ts: number): Record<string, number> {
  const next: Record<string, number> = {};
  for (const [k, t] of Object.entries(answered)) if (ts - t < RECENTLY_ANSWERED_MS) next[k] = t;
  next[key] = ts;
  return next;
}
