/**
 * The arithmetic of pacing the bot's chat lines, pure: what a reply becomes as a chat line, and
 * when the next one may go out. Exceeding a platform's per-user bucket can lock the account out of
 * chat (Twitch: 30 minutes), so this errs on the safe side: a sliding window (stricter than fixed
 * refills) plus a safety margin for network jitter. Time is given by the caller.
 */

export interface ChatSendLimits {
  /** Bucket window. */
  windowMs: number;
  /** Messages per window without a badge. */
  normalLimit: number;
  /** Messages per window as moderator/VIP/broadcaster. */
  privilegedLimit: number;
  /** Gap between two messages without a badge. */
  minIntervalMs: number;
  /** Longest message in UTF-16 units. */
  maxChars: number;
  /** An identical message within this window is not sent again. */
  duplicateWindowMs: number;
  /** Pending messages kept; the oldest is dropped beyond this. */
  maxQueue: number;
  /** Added to the window so ours and the platform's can never overlap by a message. */
  safetyMs: number;
}

export interface PacingStats {
  sent: number;
  droppedOverflow: number;
  rejectedDuplicate: number;
  truncated: number;
}

/** A line waiting to go out, and the message it answers (a platform that threads replies shows it as a reply). */
export interface QueuedLine {
  text: string;
  inReplyTo?: string;
}

export interface Pacing {
  queue: readonly QueuedLine[];
  /** When each message still inside the window went out. */
  sentAt: readonly number[];
  /** Messages sent within the duplicate window. */
  recent: readonly { text: string; at: number }[];
  lastSentAt: number | undefined;
  privileged: boolean;
  stats: PacingStats;
}

export const EMPTY_PACING: Pacing = {
  queue: [],
  sentAt: [],
  recent: [],
  lastSentAt: undefined,
  privileged: false,
  stats: { sent: 0, droppedOverflow: 0, rejectedDuplicate: 0, truncated: 0 },
};

export type Enqueued =
  | { ok: true; text: string; truncated: boolean; droppedOldest: boolean }
  | { ok: false; reason: 'empty' | 'duplicate' };

/** The next message if it may go out at `now`, else how long to wait; null when nothing waits. */
export type NextSend = QueuedLine | { waitMs: number } | null;

/**
 * Turns arbitrary (LLM) text into one safe chat line: no control characters (a CR/LF would
 * inject IRC commands), no leading `/`, `\` or single `.` (chat clients run it as a command such
 * as /ban), collapsed whitespace, and cut on a word boundary with `…` when too long.
 */
export function prepareChatText(raw: string, maxChars: number): { text: string; truncated: boolean } {
  let t = raw.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ').replace(/\s+/g, ' ').trim();
  while (t.startsWith('/') || t.startsWith('\\') || (t.startsWith('.') && !t.startsWith('..'))) t = t.slice(1).trimStart();
  if (t.length <= maxChars) return { text: t, truncated: false };
  // Cut by code points so a surrogate pair (emoji) is never split; keep one unit for the ellipsis.
  let cut = '';
  for (const ch of t) {
    if (cut.length + ch.length > maxChars - 1) break;
    cut += ch;
  }
  const space = cut.lastIndexOf(' ');
  if (space >= maxChars / 2) cut = cut.slice(0, space);
  return { text: cut.trimEnd() + '…', truncated: true };
}

/** Sends and duplicates that no longer count at `now`. */
function forgetOld(p: Pacing, limits: ChatSendLimits, now: number): Pacing {
  const window = limits.windowMs + limits.safetyMs;
  return {
    ...p,
    sentAt: p.sentAt.filter((at) => at > now - window),
    recent: p.recent.filter((r) => r.at > now - limits.duplicateWindowMs),
  };
}

/** A reply asked for at `now`: cleaned, refused when empty or a duplicate, queued (dropping the oldest beyond `maxQueue`). */
export function enqueue(pacing: Pacing, limits: ChatSendLimits, raw: string, now: number, inReplyTo?: string): { pacing: Pacing; result: Enqueued } {
  const { text, truncated } = prepareChatText(raw, limits.maxChars);
  if (!text) return { pacing, result: { ok: false, reason: 'empty' } };
  const p = forgetOld(pacing, limits, now);
  if (p.queue.some((q) => q.text === text) || p.recent.some((r) => r.text === text)) {
    return { pacing: { ...p, stats: { ...p.stats, rejectedDuplicate: p.stats.rejectedDuplicate + 1 } }, result: { ok: false, reason: 'duplicate' } };
  }
  const queue = [...p.queue, { text, ...(inReplyTo ? { inReplyTo } : {}) }];
  const dropped = Math.max(0, queue.length - limits.maxQueue);
  const stats = { ...p.stats, truncated: p.stats.truncated + (truncated ? 1 : 0), droppedOverflow: p.stats.droppedOverflow + dropped };
  return { pacing: { ...p, queue: queue.slice(dropped), stats }, result: { ok: true, text, truncated, droppedOldest: dropped > 0 } };
}

/** The next message if it may go out at `now` (counted as sent), else how long to wait. */
export function nextSend(pacing: Pacing, limits: ChatSendLimits, now: number): { pacing: Pacing; next: NextSend } {
  const [line, ...rest] = pacing.queue;
  if (line === undefined) return { pacing, next: null };
  const p = forgetOld(pacing, limits, now);
  const window = limits.windowMs + limits.safetyMs;
  const limit = p.privileged ? limits.privilegedLimit : limits.normalLimit;
  let wait = 0;
  if (p.sentAt.length >= limit) {
    const oldestThatCounts = p.sentAt[p.sentAt.length - limit] ?? now;
    wait = Math.max(wait, oldestThatCounts + window - now);
  }
  if (!p.privileged && p.lastSentAt !== undefined) wait = Math.max(wait, p.lastSentAt + limits.minIntervalMs - now);
  if (wait > 0) return { pacing: p, next: { waitMs: wait } };
  return {
    pacing: {
      ...p,
      queue: rest,
      sentAt: [...p.sentAt, now],
      lastSentAt: now,
      recent: [...p.recent, { text: line.text, at: now }],
      stats: { ...p.stats, sent: p.stats.sent + 1 },
    },
    next: line,
  };
}
