/**
 * What chat gets written to long-term memory under load. In a raid or an emote flood, storing
 * every line is neither possible (each one is an embedding and a Chroma write) nor useful, so
 * chat is admitted per viewer (a few lines a minute each) and overall (a few lines a second);
 * facts about a viewer ("I'm a nurse") get a bigger share than small talk. The streamer's
 * speech, camera scenes and Pickle's own replies are never limited here. What is turned away
 * stays in short-term memory and is counted, never dropped silently. A viewer is their
 * `platform:login` key, so two platforms never share a budget. Time is given, never read.
 */
export interface AdmissionOptions {
  /** Lines per viewer per minute (facts count half). */
  perViewerPerMinute?: number;
  /** Chat lines per second overall (burst: twice that). */
  perSecond?: number;
}

const MAX_TRACKED_VIEWERS = 5000;

export class ChatAdmission {
  private readonly perViewer: number;
  private readonly perSecond: number;
  private readonly now: () => number;
  private tokens: number;
  private refilledAt: number;
  private readonly viewers = new Map<string, { windowStart: number; used: number }>();
  skipped = 0;

  constructor(opts: AdmissionOptions & { now: () => number }) {
    this.perViewer = opts.perViewerPerMinute ?? 6;
    this.perSecond = opts.perSecond ?? 10;
    this.now = opts.now;
    this.tokens = this.perSecond * 2;
    this.refilledAt = this.now();
  }

  admit(user: string, fact: boolean): boolean {
    const now = this.now();
    this.tokens = Math.min(this.perSecond * 2, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = now;
    let v = this.viewers.get(user);
    if (!v || now - v.windowStart >= 60_000) {
      v = { windowStart: now, used: 0 };
      this.viewers.delete(user);
      this.viewers.set(user, v);
      if (this.viewers.size > MAX_TRACKED_VIEWERS) this.viewers.delete(this.viewers.keys().next().value!);
    }
    const cost = fact ? 0.5 : 1;
    if (this.tokens < 1 || v.used + cost > this.perViewer) {
      this.skipped += 1;
      return false;
    }
    this.tokens -= 1;
    v.used += cost;
    return true;
  }
}
