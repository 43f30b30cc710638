/**
 * What the memory adapter remembers between events to give records their provenance: the
 * viewers seen in chat (a line naming one of them is about them), whom each recent chat line
 * was about, which line each reply answered, and who was forgotten while a reply was being
 * written. Bounded: the oldest entries go first.
 */
import type { ForgottenDuring, ProvenanceContext } from '../../machines/memory/rules.ts';

const MAX_KNOWN = 5000;
const MAX_LINES = 2000;

function bounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}

export class ProvenanceTracker implements ProvenanceContext {
  private readonly knownSet = new Set<string>();
  private readonly lineAbout = new Map<string, { user: string; about: readonly string[] }>();
  private readonly replyTriggers = new Map<string, string>();
  /** Replies being written (started, not yet spoken or failed), with who was forgotten meanwhile. */
  private readonly writing = new Map<string, ForgottenDuring[]>();

  get known(): ReadonlySet<string> {
    return this.knownSet;
  }

  /** A viewer chatted: from now on a line naming them is about them (kept after `!forgetme` too). */
  saw(login: string): void {
    const l = login.toLowerCase();
    this.knownSet.delete(l);
    this.knownSet.add(l);
    if (this.knownSet.size > MAX_KNOWN) this.knownSet.delete(this.knownSet.values().next().value!);
  }

  /** A chat line (by message id) and whom it was about. */
  line(messageId: string, user: string, about: readonly string[]): void {
    bounded(this.lineAbout, messageId, { user, about }, MAX_LINES);
  }

  /** A reply started, answering this message (none for a remark). */
  replyTo(replyId: string, triggerId: string | undefined): void {
    if (triggerId) bounded(this.replyTriggers, replyId, triggerId, MAX_LINES);
    bounded(this.writing, replyId, [], MAX_LINES);
  }

  /** The reply was spoken (and its records made) or failed: nothing more to hold for it. */
  replyEnded(replyId: string): void {
    this.writing.delete(replyId);
  }

  readonly forgottenDuring = (replyId: string): readonly ForgottenDuring[] => this.writing.get(replyId) ?? [];

  readonly replyTrigger = (replyId: string) => {
    const trigger = this.replyTriggers.get(replyId);
    const line = trigger ? this.lineAbout.get(trigger) : undefined;
    return line ? { users: [line.user], about: line.about } : undefined;
  };

  /** `!forgetme`: what was said by or about them is dropped here too. */
  forget(login: string): void {
    const l = login.toLowerCase();
    // Replies being written keep their trigger as it was: the rules judge them when spoken.
    for (const [replyId, forgotten] of this.writing) forgotten.push({ login: l, trigger: this.replyTrigger(replyId) });
    for (const [id, line] of this.lineAbout) if (line.user === l || line.about.includes(l)) this.lineAbout.delete(id);
  }
}
