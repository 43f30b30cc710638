import type { DecisionReason, Emotion } from '../events.ts';
import type { ModerationCategory } from '../moderation/types.ts';
import { STAGES, type ReplyLine, type ReplyOutcome, type ReplyTrigger, type Stages } from './records.ts';

/**
 * One reply as it happens (pure): the moments its stages end, what the LLM said about it, and
 * what cut it. `toLine` turns it into the stored line once its outcome is known.
 */

/** A stage's end that facts report (the queue ends at the reply's start). */
export type ReachedStage = 'llm' | 'sentence' | 'tts' | 'audio';

export interface OpenReply {
  replyId: string;
  trigger: ReplyTrigger;
  /** When the input answered arrived (ms); the reply's start when unknown. */
  origin: number;
  start: number;
  /** Its first sentence was heard (the moment is in `reached.audio` when it came with its time). */
  heard: boolean;
  reached: Partial<Record<ReachedStage, number>>;
  tokensIn: number | null;
  tokensOut: number | null;
  emotion: Emotion | null;
  blocked: Partial<Record<ModerationCategory, number>>;
  /** What cut it while it was heard: the skip command, the streamer talking over it, mute. */
  cut?: 'skip' | 'barge-in' | 'mute';
}

/**
 * The stages from the moments reached: a stage never reached (no TTS engine: captions only) or
 * reached without its time lasts 0, and a moment reported out of order never makes a stage
 * negative. Times are whole ms from the origin, so the stages add up to the total exactly.
 */
export function stagesOf(r: Pick<OpenReply, 'origin' | 'start' | 'reached' | 'heard'>): { totalMs: number; stages: Stages } | null {
  if (!r.heard) return null;
  const ends: Record<(typeof STAGES)[number], number | undefined> = { queue: r.start, llm: r.reached.llm, sentence: r.reached.sentence, tts: r.reached.tts, audio: r.reached.audio };
  const stages = {} as Stages;
  let prev = 0;
  for (const s of STAGES) {
    const end = ends[s];
    const at = Math.max(prev, end === undefined ? prev : Math.round(end - r.origin));
    stages[s] = at - prev;
    prev = at;
  }
  return { totalMs: prev, stages };
}

export function toLine(r: OpenReply, outcome: ReplyOutcome, reason?: DecisionReason | 'unfinished'): ReplyLine {
  const timed = stagesOf(r);
  return {
    k: 'reply',
    t: r.start,
    replyId: r.replyId,
    trigger: r.trigger,
    totalMs: timed?.totalMs ?? null,
    stages: timed?.stages ?? null,
    tokensIn: r.tokensIn,
    tokensOut: r.tokensOut,
    emotion: r.emotion,
    blocked: r.blocked,
    outcome,
    ...(reason ? { reason } : {}),
  };
}

/** How a reply that played ended: heard to the end, or cut (by whom). */
export function playedOutcome(r: Pick<OpenReply, 'cut'>, interrupted: boolean): ReplyOutcome {
  if (!interrupted) return 'spoken';
  return r.cut === 'barge-in' ? 'barged-in' : 'skipped';
}

/** How a reply given up before playing ended: a skip is a skip; anything else was dropped with its reason. */
export function failedOutcome(reason: DecisionReason): ReplyOutcome {
  return reason === 'skipped' ? 'skipped' : 'dropped';
}
