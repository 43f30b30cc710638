/**
 * Keeps the bot's own chat messages inside Twitch's send limits. Exceeding the per-user
 * bucket locks the account out of chat for 30 minutes, so this errs on the safe side:
 * a sliding window (stricter than Twitch's fixed refills) plus a safety margin for network jitter.
 *
 * Pure apart from the injected clock: `enqueue` then `poll` until it says to wait.
 */

export interface ChatRateLimits {
  /** Bucket window (Twitch: 30 s). */
  windowMs: number;
  /** Messages per window without a badge (Twitch: 20). */
  normalLimit: number;
  /** Messages per window as moderator/VIP/broadcaster (Twitch: 100). */
  privilegedLimit: number;
  /** Gap between two messages without a badge (Twitch's minimum slow mode is 1 s; a little more for jitter). */
  minIntervalMs: number;
  /**
   * Longest message in UTF-16 units. Twitch allows 500 characters, but tmi.js splits anything of
   * 500 units or more into a second message sent behind our back, so 499.
   */
  maxChars: number;
  /** An identical message within this window is rejected (Twitch: 30 s). */
  duplicateWindowMs: number;
  /** Pending messages kept; the oldest is dropped beyond this. */
  maxQueue: number;
  /** Added to the window so our window and Twitch's can never overlap by a message. */
  safetyMs: number;
}

export const TWITCH_SEND_LIMITS: ChatRateLimits = {
  windowMs: 30_000,
  normalLimit: 20,
  privilegedLimit: 100,
  minIntervalMs: 1_100,
  maxChars: 499,
  duplicateWindowMs: 30_000,
  maxQueue: 5,
  safetyMs: 1_000,
};

export type EnqueueResult =
  | { ok: true; text: string; truncated: boolean; droppedOldest: boolean }
  | { ok: false; reason: 'empty' | 'duplicate' };

export type PollResult = { text: string } | { waitMs: number } | null;

export interface RateLimiterStats {
  sent: number;
  droppedOverflow: number;
  rejectedDuplicate: number;
  truncated: number;
}

/**
 * Turns arbitrary (LLM) text into one safe chat line: no control characters (a CR/LF would
 * inject IRC commands), no leading `/`, `\` or single `.` (tmi.js would run it as a chat command
 * such as /ban), collapsed whitespace, and cut on a word boundary with `…` when too long.
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

export class ChatRateLimiter {
  readonly limits: ChatRateLimits;
  private readonly now: () => number;
  private readonly queue: string[] = [];
  private readonly sentAt: number[] = [];
  private readonly recent: Array<{ text: string; at: number }> = [];
  private lastSentAt: number | undefined;
  private privilegedFlag = false;
  readonly stats: RateLimiterStats = { sent: 0, droppedOverflow: 0, rejectedDuplicate: 0, truncated: 0 };

  constructor(limits: Partial<ChatRateLimits> = {}, now: () => number = Date.now) {
    this.limits = { ...TWITCH_SEND_LIMITS, ...limits };
    this.now = now;
  }

  get privileged(): boolean {
    return this.privilegedFlag;
  }

  /** Moderator/VIP/broadcaster status in the channel, learnt from USERSTATE. */
  setPrivileged(on: boolean): void {
    this.privilegedFlag = on;
  }

  get pending(): number {
    return this.queue.length;
  }

  enqueue(raw: string): EnqueueResult {
    const { text, truncated } = prepareChatText(raw, this.limits.maxChars);
    if (!text) return { ok: false, reason: 'empty' };
    const t = this.now();
    this.forgetOld(t);
    if (this.queue.includes(text) || this.recent.some((r) => r.text === text)) {
      this.stats.rejectedDuplicate++;
      return { ok: false, reason: 'duplicate' };
    }
    if (truncated) this.stats.truncated++;
    this.queue.push(text);
    let droppedOldest = false;
    while (this.queue.length > this.limits.maxQueue) {
      this.queue.shift();
      this.stats.droppedOverflow++;
      droppedOldest = true;
    }
    return { ok: true, text, truncated, droppedOldest };
  }

  /** The next message if it may go out now (and counts it as sent), else how long to wait; null if none. */
  poll(): PollResult {
    if (this.queue.length === 0) return null;
    const t = this.now();
    this.forgetOld(t);
    const window = this.limits.windowMs + this.limits.safetyMs;
    const limit = this.privilegedFlag ? this.limits.privilegedLimit : this.limits.normalLimit;
    let wait = 0;
    if (this.sentAt.length >= limit) {
      const oldestThatCounts = this.sentAt[this.sentAt.length - limit] ?? t;
      wait = Math.max(wait, oldestThatCounts + window - t);
    }
    if (!this.privilegedFlag && this.lastSentAt !== undefined) {
      wait = Math.max(wait, this.lastSentAt + this.limits.minIntervalMs - t);
    }
    if (wait > 0) return { waitMs: wait };
    const text = this.queue.shift() as string;
    this.sentAt.push(t);
    this.lastSentAt = t;
    this.recent.push({ text, at: t });
    this.stats.sent++;
    return { text };
  }

  clear(): void {
    this.queue.length = 0;
  }

  private forgetOld(t: number): void {
    const window = this.limits.windowMs + this.limits.safetyMs;
    while (this.sentAt.length > 0 && (this.sentAt[0] ?? t) <= t - window) this.sentAt.shift();
    while (this.recent.length > 0 && (this.recent[0]?.at ?? t) <= t - this.limits.duplicateWindowMs) this.recent.shift();
  }
}
