/**
 * The panel's transcript rows and the words of its notices, built from facts. Pure: the
 * presenter passes the time in.
 */
import type { ChatMessage, DecisionReason, Emotion } from '../../machines/events.ts';
import type { TranscriptLine } from './payloads.ts';

export interface PromptSize {
  tokens: number | undefined;
  budget: number | undefined;
}

export const transcriptLine = {
  chat: (m: Pick<ChatMessage, 'displayName' | 'text' | 'ts' | 'platform'> & { repeats?: number }): TranscriptLine => ({
    kind: 'chat',
    user: m.displayName,
    platform: m.platform,
    text: m.text,
    ts: m.ts,
    repeats: m.repeats ?? 1,
  }),
  reply: (r: { text: string; emotion: Emotion }, size: PromptSize | undefined, ts: number): TranscriptLine => ({
    kind: 'reply',
    text: r.text,
    emotion: r.emotion,
    ts,
    ...(size?.tokens !== undefined ? { promptTokens: size.tokens } : {}),
    ...(size?.budget !== undefined ? { promptBudget: size.budget } : {}),
  }),
  replyFailed: (f: { reason: DecisionReason; detail: string }, ts: number): TranscriptLine => ({ kind: 'reply-failed', reason: f.reason, text: f.detail, ts }),
  speech: (text: string, ts: number): TranscriptLine => ({ kind: 'speech', user: 'streamer', text, ts }),
  vision: (text: string, ts: number): TranscriptLine => ({ kind: 'vision', text, ts }),
  notice: (text: string, ts: number): TranscriptLine => ({ kind: 'notice', text, ts }),
};

/** Long-term memory forgot a viewer (`!forgetme`, the panel), or will once it is back. */
export interface ViewerForgotten {
  viewer: string;
  /** How many memories were deleted, when known. */
  deleted?: number;
  queued: boolean;
}

export const noticeText = {
  viewerForgotten: (f: ViewerForgotten): string =>
    !f.queued && f.deleted !== undefined
      ? `!forgetme: ${f.viewer}'s memories are deleted (${f.deleted} ${f.deleted === 1 ? 'memory' : 'memories'})`
      : `!forgetme: ${f.viewer}'s memories will be deleted as soon as long-term memory is back (queued)`,
  sceneMute: (muted: boolean, scene: string): string => `${muted ? 'muted' : 'unmuted'}: OBS scene "${scene}" is live`,
  unknownPersona: (name: string): string => `!persona ${name}: no such persona`,
  /** A reply cut while it was being spoken (one that had not started says so in its own row). */
  cut: (by: { skip: 'streamer' } | { skip: 'moderator'; name: string } | { bargeIn: true }): string =>
    'bargeIn' in by ? 'reply cut by barge-in: you started talking' : by.skip === 'streamer' ? 'reply skipped by you' : `reply skipped by a mod (${by.name})`,
  /** `until` is shown in the server's local time, as the streamer's clock reads. */
  silenced: (viewer: string, until: number): string => `${viewer} kept baiting: not answered until ${new Date(until).toLocaleTimeString()}`,
};
