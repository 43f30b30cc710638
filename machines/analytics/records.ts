import type { ChatPlatform, DecisionReason, Emotion, InputKind, ServiceName, ServiceState, ViewerKey } from '../events.ts';
import type { ModerationCategory } from '../moderation/types.ts';

/**
 * What a stream's record holds, one JSON object per line (`PICKLE_DATA_DIR/streams/<id>.ndjson`):
 * its start, each reply, each minute, the most engaged viewers, its end. No chat text and no
 * secrets; a viewer appears only as `platform:login` in the `engaged` lines.
 */

/** The stages of a reply's latency, in order; each runs from the end of the previous one. */
export const STAGES = ['queue', 'llm', 'sentence', 'tts', 'audio'] as const;
export type Stage = (typeof STAGES)[number];
/** Milliseconds per stage: `queue` message → reply start, `llm` → first token, `sentence` → first sentence, `tts` → first audio byte, `audio` → first audio heard. */
export type Stages = Record<Stage, number>;

export type ReplyOutcome = 'spoken' | 'skipped' | 'barged-in' | 'dropped';

export interface ReplyTrigger {
  /** The platform of the message answered; null for the streamer's voice, the camera, a quiet-stream remark. */
  platform: ChatPlatform | null;
  kind: InputKind;
  /** Someone spoke to Pickle (a mention, a channel-point question, the streamer). */
  addressed: boolean;
}

export interface StreamStartLine {
  k: 'stream';
  v: 1;
  id: string;
  /** ms since the epoch. */
  t: number;
  /** `start`: Pickle started; `online`: the channel went live. */
  reason: 'start' | 'online';
  platform?: ChatPlatform;
}

export interface ReplyLine {
  k: 'reply';
  /** When the reply started (ms since the epoch). */
  t: number;
  replyId: string;
  trigger: ReplyTrigger;
  /** Message → first audio heard; null when nothing was heard. */
  totalMs: number | null;
  /** Consecutive, adding up to `totalMs`; null when nothing was heard. */
  stages: Stages | null;
  tokensIn: number | null;
  tokensOut: number | null;
  emotion: Emotion | null;
  /** Sentences moderation dropped, by category. */
  blocked: Partial<Record<ModerationCategory, number>>;
  outcome: ReplyOutcome;
  /** Why it was dropped (a decision reason, or `unfinished` when the stream ended first). */
  reason?: DecisionReason | 'unfinished';
}

export interface ServiceChange {
  t: number;
  service: ServiceName;
  state: ServiceState;
  /** The failure's class when the service said (auth, rate-limited, retryable, fatal). */
  fault?: string;
}

export interface MinuteLine {
  k: 'minute';
  /** Minute number from the stream's start (0, 1, …). */
  i: number;
  /** The minute's start (ms since the epoch). */
  t: number;
  /** Chat lines per platform. */
  chat: Partial<Record<ChatPlatform, number>>;
  /** Distinct chatters per platform. */
  chatters: Partial<Record<ChatPlatform, number>>;
  /** Replies first heard in this minute. */
  replies: number;
  mentions: { answered: number; dropped: Partial<Record<DecisionReason, number>> };
  memories: number | null;
  rssMb: number | null;
  cpuPct: number | null;
  services: ServiceChange[];
}

export interface EngagedLine {
  k: 'engaged';
  t: number;
  /** The viewers who wrote most, most first (the table replaces any earlier one). */
  top: Array<{ viewer: ViewerKey; messages: number }>;
}

export interface StreamEndLine {
  k: 'end';
  t: number;
  reason: 'offline' | 'stop' | 'live';
}

export type StreamLine = StreamStartLine | ReplyLine | MinuteLine | EngagedLine | StreamEndLine;

/** `20261207-201500-042`: the stream's start in UTC, to the millisecond. */
export const STREAM_ID_RE = /^\d{8}-\d{6}-\d{3}$/;

export function streamIdOf(t: number): string {
  const iso = new Date(t).toISOString(); // 2026-12-07T20:15:00.042Z
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${iso.slice(20, 23)}`;
}

/** Decisions that leave a mention unanswered, by reason (the others are answers, or not about a mention). */
export const MENTION_DROPS: ReadonlySet<DecisionReason> = new Set<DecisionReason>(['stale', 'queue-full', 'replaced', 'muted', 'silenced', 'moderated']);
/** Decisions that answer someone who spoke to Pickle. */
export const ANSWERS: ReadonlySet<DecisionReason> = new Set<DecisionReason>(['mention', 'pending-mention', 'redemption', 'streamer']);

/** Whether the analytics count a decision at all (most decisions in a flood are `not-addressed`: the machine ignores them). */
export const countsForAnalytics = (d: { respond: boolean; reason: DecisionReason }): boolean => d.respond || MENTION_DROPS.has(d.reason);
