import type {
  ChatOutEvent,
  ChatPlatform,
  DecisionReason,
  Emotion,
  InputEvent,
  InputKind,
  LlmEvent,
  PersonaRuntime,
  PromptMessage,
  RecallEvent,
  VisionOutEvent,
  ViewerKey,
  VoiceOutEvent,
} from '../events.ts';
import { type StmEntry } from './stm.ts';
import { type DigestLine, type DigestSummary, type SummariseEvent } from './digest.ts';
import { type AddressedEntry } from './conversation.ts';
import type { BaitingRule } from '../moderation/baiting.ts';
import type { WordList } from '../moderation/types.ts';
import type { BrainModeration } from './moderation.ts';

/** The brain's input, context and events (the machine itself is machines/brain.ts). */

export interface BrainInput {
  persona: PersonaRuntime;
  blocklist: readonly string[];
  /** Injected randomness for the spontaneous roll (src gives Math.random, tests a table). */
  random: () => number;
  /** Cut the reply when the streamer starts talking. */
  bargeIn?: boolean;
  /** How long a reply waits for long-term memory (default RECALL_BUDGET_MS); past it, it goes on without. */
  recallBudgetMs?: number;
  /** Token budget of a prompt (context.budget updates it); without one, prompts are not trimmed. */
  promptBudget?: number;
  /** Token counter for the budget (a real tokenizer from src/ where there is one); default estimateTokens. */
  countTokens?: (text: string) => number;
  /** Moderation word lists (languages + blocklist, src/config); without them, the blocklist alone. */
  wordLists?: readonly WordList[];
  /** Viewers who keep baiting (default: 3 blocked replies in 10 min → 10 min silence). */
  baitingRule?: BaitingRule;
}

/** The input a reply answers. */
export interface Trigger {
  input: InputKind;
  reason: DecisionReason;
  entries: StmEntry[];
  task: string;
  triggerId?: string;
  /** Viewers (logins on `platform`) and messages it is about: if the mods remove them, the reply is cancelled. */
  users: string[];
  /** The platform of the chat line or stream event it answers: removals there cancel it, and its reply in chat goes there. */
  platform?: ChatPlatform;
  messageIds: string[];
  ts: number;
  /** The viewer who asked (chat): their blocked replies count toward the baiting rule. */
  viewer?: ViewerKey;
  /** Its rank in the addressed queue (see brain/addressed.ts); unaddressed replies rank below all of it. */
  rank: number;
  /** The queue slot it came from (a viewer, the streamer, an event's sender); absent when unaddressed. */
  key?: string;
  /** Answer with the chat digest in the prompt. */
  recap?: boolean;
  /** Tries again after the LLM failed (brain/retry.ts). */
  retries?: number;
}

export interface Reply {
  id: string;
  trigger: Trigger;
  emotion: Emotion;
  /** Sentences that passed the guard and went to the voice ('' for one the classifier dropped after). */
  sentences: string[];
  /** Sentences the ML classifier is still judging: the LLM's sentence number → the voice's index. */
  judging?: Readonly<Record<number, number>>;
  llmDone: boolean;
  /** The output guard stopped this reply. */
  blocked: boolean;
  prompt: PromptMessage[];
}

export type Phase = 'idle' | 'thinking' | 'speaking' | 'cooldown';

export interface BrainContext {
  phase: Phase;
  persona: PersonaRuntime;
  random: () => number;
  bargeIn: boolean;
  recallBudgetMs: number;
  promptBudget: number | undefined;
  countTokens: (text: string) => number;
  muted: boolean;
  /** The mute scene that muted Pickle; unset when a person did (a scene never undoes a person's mute). */
  mutedByScene: string | undefined;
  stm: StmEntry[];
  pending: Trigger | undefined;
  reply: Reply | undefined;
  replies: number;
  /** The streamer talked over the reply: what they say next is answered without waiting out a cooldown. */
  cutByStreamer: boolean;
  /** Addressed inputs waiting for their answer (brain/addressed.ts). */
  queue: AddressedEntry[];
  queued: number;
  /** Viewer key → when they were last answered (message clock): ranks who has waited. */
  answered: Record<string, number>;
  /** Right after a reply's audio: the breath before the next addressed input. */
  breathing: boolean;
  /** Chat of the last minutes, for the digest; and its LLM summary when one was made. */
  chatLog: DigestLine[];
  digestSummary: DigestSummary | undefined;
  /** When the last recap was asked for: the next one quotes the lines since. */
  recappedAt: number | undefined;
  digestDue: boolean;
  /** The LLM is summarising chat in the background (only while idle; a reply stops it). */
  summarising: boolean;
  senses: { ears: boolean; eyes: boolean };
  /** This quiet period already had its remark. */
  remarked: boolean;
  moderation: BrainModeration;
  /** The newest input's clock (the machine has no clock of its own). */
  lastTs: number;
}

export type BrainEvent =
  | Extract<ChatOutEvent, { type: 'chat.batch' | 'chat.command' | 'chat.event' | 'chat.removed' }>
  | Extract<
      InputEvent,
      { type: 'speech.final' | 'speech.started' | 'control.skip' | 'brain.mute' | 'brain.unmute' | 'scene.live' | 'settings.changed' | 'senses.changed' | 'viewer.forget' }
    >
  /** Internal timers of the live conversation: an entry's time is up, the breath is over, the stream went quiet, the digest is due. */
  | { type: 'addressed.expire'; id: string }
  | { type: 'brain.breathed' }
  | { type: 'brain.quiet' }
  | { type: 'digest.publish' }
  | SummariseEvent
  | VisionOutEvent
  | VoiceOutEvent
  | LlmEvent
  | RecallEvent
  | Extract<InputEvent, { type: 'context.budget' | 'moderation.unblock' | 'moderation.lists' }>;

/** Seconds without any LLM progress before a reply is given up (the request's own deadlines: machines/replyDeadlines.ts). */
export const REPLY_WATCHDOG_MS = 60_000;
