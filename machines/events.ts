/**
 * The event catalogue: every event that crosses an actor boundary in Pickle.
 *
 * Adapters in src/ send the "input" events to the orchestrator; machines send their
 * outputs to the orchestrator (sendParent), which routes them to the actors that need
 * them (see ROUTES in orchestrator.ts) and emits every routed event to the outside
 * (server sockets, logs, Twitch replies).
 *
 * All text in these events that came from outside (chat, usernames, transcripts,
 * LLM output) is untrusted: render it as text, quote it in prompts, never log secrets.
 */

/** The avatar's faces. The LLM is asked for one of these; anything else becomes `neutral`. */
export const EMOTIONS = [
  'neutral',
  'happy',
  'excited',
  'laughing',
  'surprised',
  'thinking',
  'confused',
  'sad',
  'angry',
  'smug',
] as const;
export type Emotion = (typeof EMOTIONS)[number];

export function toEmotion(value: unknown): Emotion {
  const v = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return (EMOTIONS as readonly string[]).includes(v) ? (v as Emotion) : 'neutral';
}

export type ChatRole = 'broadcaster' | 'moderator' | 'viewer';

/** One chat line, normalised from Twitch tags (or injected by the rehearsal API). */
export interface ChatMessage {
  /** Twitch message id (tag `id`); rehearsal messages get a generated one. */
  id: string;
  /** Login name, lowercase ASCII. */
  user: string;
  /** Display name as Twitch sends it: any Unicode, untrusted. */
  displayName: string;
  text: string;
  role: ChatRole;
  /** Milliseconds since the epoch (tag `tmi-sent-ts`, or the adapter's clock). */
  ts: number;
  /** Bits cheered with this message, when any. */
  bits?: number;
  /** How many identical messages were collapsed into this one (duplicate spam). */
  repeats?: number;
}

export type StreamEventKind = 'sub' | 'resub' | 'subgift' | 'submysterygift' | 'raid' | 'bits';

/** A Twitch USERNOTICE (or a cheer) that a co-host may acknowledge. */
export interface StreamEvent {
  kind: StreamEventKind;
  id: string;
  user: string;
  displayName: string;
  ts: number;
  /** The viewer's own message attached to a resub or cheer, if any. */
  text?: string;
  /** raid: viewer count; subgift/submysterygift: number of gifts; bits: amount; resub: months. */
  amount?: number;
  /** subgift: who received it. */
  recipient?: string;
}

export type ModCommand = 'skip' | 'mute' | 'unmute' | 'persona';
/** Commands anyone may use. */
export type ViewerCommand = 'forgetme';
export type ChatCommandName = ModCommand | ViewerCommand;

export type ServiceName = 'twitch' | 'llm' | 'memory' | 'tts' | 'stt' | 'vision' | 'audio' | 'server';
export type ServiceState = 'up' | 'down' | 'disabled' | 'degraded' | 'starting';

/** Why the brain answered, or why it stayed quiet. Shown on the panel and in the log. */
export type DecisionReason =
  | 'mention'
  | 'question'
  | 'spontaneous'
  | 'streamer'
  | 'event'
  | 'pending-mention'
  | 'not-addressed'
  | 'cooldown'
  | 'busy'
  | 'muted'
  | 'blocked'
  | 'moderated'
  | 'skipped'
  | 'event-off'
  | 'failed';

export type InputKind = 'chat' | 'speech' | 'event' | 'vision';

export interface Decision {
  /** What was decided about: the batch / transcript / event. */
  input: InputKind;
  respond: boolean;
  reason: DecisionReason;
  /** Short human summary, e.g. `3 messages from foo, bar`. Untrusted text inside. */
  summary: string;
  /** The message that triggered (or would have triggered) a reply. */
  triggerId?: string;
  ts: number;
}

/** A prompt message as sent to the LLM. */
export interface PromptMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What an invoked LLM actor reports about its failure. */
export interface LlmFailure {
  kind: 'unreachable' | 'model-missing' | 'timeout' | 'aborted' | 'bad-output' | 'server';
  message: string;
  retryable: boolean;
}

/** Runtime persona settings the machines need (a projection of the persona YAML + settings). */
export interface PersonaRuntime {
  /** Persona file name, e.g. `default`. */
  id: string;
  /** The name viewers use to address the co-host, e.g. `Pickle`. */
  name: string;
  /** Extra names that count as a mention. */
  aliases: string[];
  personality: string;
  style: string[];
  spontaneousRate: number;
  cooldownSec: number;
  chatBatchSize: number;
  maxReplyChars: number;
  /** Which stream events the co-host acknowledges out loud. */
  acknowledge: Record<StreamEventKind, boolean>;
}

// ---------------------------------------------------------------- input events (adapters -> orchestrator)

export type InputEvent =
  | { type: 'twitch.message'; message: ChatMessage }
  | { type: 'twitch.event'; event: StreamEvent }
  /** CLEARMSG: a moderator deleted one message. */
  | { type: 'twitch.deleted'; messageId: string; user?: string }
  /** CLEARCHAT: user timed out (durationSec) or banned (no duration); no user = whole chat cleared. */
  | { type: 'twitch.cleared'; user?: string; durationSec?: number }
  | { type: 'speech.started'; ts: number }
  | { type: 'speech.final'; text: string; ts: number }
  | { type: 'vision.scene'; text: string; ts: number }
  /** Control from the panel / API (already authorised by the server). */
  | { type: 'control.skip' }
  | { type: 'brain.mute' }
  | { type: 'brain.unmute' }
  | { type: 'settings.changed'; persona: PersonaRuntime }
  | { type: 'service.status'; service: ServiceName; state: ServiceState; detail: string };

// ---------------------------------------------------------------- events between machines

export type ChatOutEvent =
  | { type: 'chat.batch'; messages: ChatMessage[]; flush: 'size' | 'timer' | 'mention' }
  | { type: 'chat.command'; command: ChatCommandName; args: string[]; message: ChatMessage }
  | { type: 'chat.event'; event: StreamEvent }
  /** Messages a moderator removed: by id, by user, or all chat. */
  | { type: 'chat.removed'; messageIds: string[]; users: string[]; all: boolean }
  | {
      type: 'chat.ignored';
      reason: 'self' | 'bot' | 'duplicate' | 'not-mod' | 'unknown-command' | 'moderated';
      message: ChatMessage;
    };

export type BrainOutEvent =
  | { type: 'brain.decision'; decision: Decision }
  | { type: 'brain.state'; state: 'idle' | 'thinking' | 'speaking' | 'cooldown'; muted: boolean }
  | { type: 'reply.start'; replyId: string; prompt: PromptMessage[]; triggerId?: string }
  | { type: 'reply.emotion'; replyId: string; emotion: Emotion }
  | { type: 'reply.sentence'; replyId: string; index: number; text: string; emotion: Emotion }
  /** The LLM finished; `text` is what the LLM wrote and passed the guard (not necessarily spoken yet). */
  | { type: 'reply.done'; replyId: string; text: string; emotion: Emotion }
  | { type: 'reply.failed'; replyId: string; reason: DecisionReason; detail: string }
  /** The reply as it will be remembered: only what was actually spoken. */
  | { type: 'reply.spoken'; replyId: string; text: string; emotion: Emotion; ts: number }
  | { type: 'voice.skip' }
  | { type: 'persona.switch'; name: string; by: string };

export type VoiceOutEvent =
  /** First audio of a reply started playing. */
  | { type: 'voice.started'; replyId: string }
  | { type: 'voice.playing'; replyId: string; index: number; text: string }
  /** Playback of the reply ended (finished or interrupted); spokenText is what was heard. */
  | { type: 'voice.done'; replyId: string; spokenText: string; interrupted: boolean };

export type AvatarOutEvent =
  | { type: 'avatar.speaking'; value: boolean }
  | { type: 'avatar.emotion'; value: Emotion }
  | { type: 'avatar.caption'; text: string; emotion: Emotion };

/** Events the LLM actor sends to the brain that invoked it. */
export type LlmEvent =
  | { type: 'llm.emotion'; emotion: Emotion }
  | { type: 'llm.sentence'; text: string }
  | { type: 'llm.done'; text: string; emotion: Emotion; ts: number }
  | { type: 'llm.error'; error: LlmFailure };

export type PickleEvent = InputEvent | ChatOutEvent | BrainOutEvent | VoiceOutEvent | AvatarOutEvent;
export type PickleEventType = PickleEvent['type'];
