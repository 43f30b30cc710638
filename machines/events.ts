import type { ChatDigest } from './brain/digest.ts';

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

import type { ModerationCategory, ModerationLayer, WordList } from './moderation/types.ts';

/** The avatar's faces. The LLM is asked for one of these; anything else becomes `neutral`. */
import type { ChatCommandName } from './commands.ts';

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

/**
 * Where a chat line came from. A viewer is platform + login everywhere (memory, bans,
 * `!forgetme`, admission), so two platforms never share a viewer by name.
 */
export const CHAT_PLATFORMS = ['twitch', 'rehearsal', 'plugin', 'youtube', 'kick'] as const;
export type ChatPlatform = (typeof CHAT_PLATFORMS)[number];

/** The key that names one viewer across Pickle: `twitch:alice`. */
export type ViewerKey = `${ChatPlatform}:${string}`;
export const viewerKey = (platform: ChatPlatform, login: string): ViewerKey => `${platform}:${login}`;

/** `twitch:sam` → ['twitch', 'sam']; `sam` (or an unknown platform) → [undefined, 'sam']. */
export function splitViewer(viewer: string): [ChatPlatform | undefined, string] {
  const at = viewer.indexOf(':');
  const platform = CHAT_PLATFORMS.find((p) => p === viewer.slice(0, at));
  return at > 0 && platform ? [platform, viewer.slice(at + 1)] : [undefined, viewer];
}

/** One chat line, normalised by its platform's adapter (or injected by the rehearsal API or a plugin). */
export interface ChatMessage {
  platform: ChatPlatform;
  /** The platform's message id; rehearsal and plugin lines get a generated one. */
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
  /** A question paid for with channel points: always addressed to Pickle. */
  redemption?: Redemption;
}

/** A channel-point redemption of Pickle's reward; settled (fulfilled or refunded) after the answer. */
export interface Redemption {
  id: string;
  rewardId: string;
  rewardTitle: string;
}

export type StreamEventKind = 'sub' | 'resub' | 'subgift' | 'submysterygift' | 'raid' | 'bits' | 'follow';

/** A sub, raid, cheer or follow that a co-host may acknowledge. */
export interface StreamEvent {
  platform: ChatPlatform;
  kind: StreamEventKind;
  id: string;
  user: string;
  displayName: string;
  ts: number;
  /** The viewer's own message attached to a resub or cheer, if any. */
  text?: string;
  /** raid: viewer count; subgift/submysterygift: number of gifts; bits: amount; resub: months; follow: followers thanked at once. */
  amount?: number;
  /** subgift: who received it. */
  recipient?: string;
  /** bits paid in money instead (a YouTube Super Chat): the amount as the platform shows it, e.g. `$5.00`. */
  paid?: string;
}

export type { ChatCommandName, ModCommand, ViewerCommand } from './commands.ts';

export type ServiceName = 'avatar' | 'vts' | 'twitch' | 'twitch-events' | 'youtube' | 'kick' | 'llm' | 'memory' | 'tts' | 'voice' | 'stt' | 'vision' | 'audio' | 'obs' | 'moderation' | 'server' | 'analytics' | `plugin:${string}`;
export type ServiceState = 'up' | 'down' | 'disabled' | 'degraded' | 'starting' | 'paused';

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
  /** The viewer kept baiting: not answered for a while (machines/moderation/baiting.ts). */
  | 'silenced'
  | 'moderated'
  | 'skipped'
  | 'event-off'
  | 'failed'
  /** Live conversation: a channel-point question, a recap of chat, a remark on a quiet stream. */
  | 'redemption'
  | 'recap'
  | 'idle'
  /** An addressed input left the queue unanswered: too old, no room, or its sender wrote again. */
  | 'stale'
  | 'queue-full'
  | 'replaced';

/** `idle`: nothing came in for a while; Pickle starts a topic. */
export type InputKind = 'chat' | 'speech' | 'event' | 'vision' | 'idle';

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
  /** `auth`: the server refused the API key (OpenAI-compatible backends). */
  kind: 'unreachable' | 'model-missing' | 'auth' | 'timeout' | 'aborted' | 'bad-output' | 'server';
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
  /** Seconds without chat or the streamer's speech before Pickle starts a topic itself; 0 = never. */
  idleAfterSec: number;
  /** Spoken replies are also posted in chat (settings `replyInChat`); off when absent. */
  replyInChat?: boolean;
  chatBatchSize: number;
  maxReplyChars: number;
  /** Which stream events the co-host acknowledges out loud. */
  acknowledge: Record<StreamEventKind, boolean>;
}

// ---------------------------------------------------------------- input events (adapters -> orchestrator)

export type InputEvent =
  /** One chat line from any platform (Twitch, rehearsal, a plugin, …). */
  | { type: 'chat.message'; message: ChatMessage }
  /** A sub, raid, cheer, follow, … from the platform's event feed. */
  | { type: 'stream.event'; event: StreamEvent }
  /** The channel went live, or ended its broadcast (Twitch EventSub `stream.online`/`stream.offline`, a YouTube broadcast). */
  | { type: 'stream.online'; platform: ChatPlatform; ts: number }
  | { type: 'stream.offline'; platform: ChatPlatform; ts: number }
  /** A moderator deleted one message. */
  | { type: 'chat.deleted'; platform: ChatPlatform; messageId: string; user?: string }
  /** A viewer timed out (durationSec) or banned (no duration); no user = the whole chat cleared. */
  | { type: 'chat.cleared'; platform: ChatPlatform; user?: string; durationSec?: number }
  | { type: 'speech.started'; ts: number }
  | { type: 'speech.final'; text: string; ts: number; speaker?: 'streamer' }
  /**
   * Words heard by the speech-to-text engine (src/stt), consumed by the speech machine. `final`:
   * these words will not change; `endOfUtterance`: the engine heard the end of a sentence.
   * Empty interim results are not sent.
   */
  | { type: 'stt.words'; text: string; final: boolean; endOfUtterance: boolean; ts: number }
  /** Voice activity: someone may be talking, maybe Pickle itself. */
  | { type: 'stt.voiceActivity'; ts: number }
  /** A gap after the last word: ends the utterance when no `endOfUtterance` came. */
  | { type: 'stt.utteranceEnd'; ts: number }
  /** One description of what the camera shows (src/vision: a local vision model, or Overshoot). Untrusted text. */
  | { type: 'vision.scene'; text: string; ts: number }
  /** An overlay asked how long the last caption stays after Pickle stops (its `?hold=` option). Untrusted number. */
  | { type: 'caption.holdRequested'; seconds: number }
  /** How many overlays show a 3D model now (a face that blinks and looks around only lives while one does). */
  | { type: 'avatar.modelsShown'; count: number }
  /** Random numbers in [0, 1) for the face's life (blink timing, where the eyes look): drawn by an adapter, never in a machine. */
  | { type: 'avatar.noise'; blink: number; saccade: number; yaw: number; pitch: number }
  /** Control from the panel / API (already authorised by the server). */
  | { type: 'control.skip' }
  /** The panel forgot a viewer (as their `!forgetme`): they leave short-term memory too. */
  | { type: 'viewer.forget'; login: string }
  /** Mute / unmute Pickle: a person (a mod's `!mute`, the panel), or, with `scene`, the live OBS scene (the brain's own rule, see `scene.live`). */
  | { type: 'brain.mute'; scene?: string }
  | { type: 'brain.unmute'; scene?: string }
  /** The program scene is live (on connect and on every switch); `mutes`: it is one of the scenes that mute Pickle (machines/sceneMute.ts). */
  | { type: 'scene.live'; scene: string; mutes: boolean }
  | { type: 'settings.changed'; persona: PersonaRuntime }
  /** Ears (microphone) and eyes (camera) turned on or off (panel, settings API, `!privacy`); while either is paused Pickle starts no topic of its own. */
  | { type: 'senses.changed'; ears: boolean; eyes: boolean }
  /** The prompt's token budget (src/llm: CONTEXT_TOKENS, or the model's context as the server reports it, minus the reply). */
  | { type: 'context.budget'; promptTokens: number; contextTokens: number; source: 'CONTEXT_TOKENS' | 'model' | 'default' }
  | { type: 'service.status'; service: ServiceName; state: ServiceState; detail: string }
  /** The streamer lifts a baiting silence (panel/API): a login or a `platform:login` key. */
  | { type: 'moderation.unblock'; viewer: string; by: string }
  /** New word lists for the moderation pipeline (the persona's languages changed). */
  | { type: 'moderation.lists'; lists: WordList[] };

// ---------------------------------------------------------------- events between machines

export type ChatOutEvent =
  | { type: 'chat.batch'; messages: ChatMessage[]; flush: 'size' | 'timer' | 'mention' }
  | { type: 'chat.command'; command: ChatCommandName; args: string[]; message: ChatMessage }
  | { type: 'chat.event'; event: StreamEvent }
  /**
   * Messages a moderator removed on one platform: by id, by viewer (`platform:login`), or all of
   * that platform's chat. `banned`: the subset of `users` banned for good (no duration); timeouts
   * only leave STM, bans leave LTM too. A same-named viewer on another platform is untouched.
   */
  | { type: 'chat.removed'; platform: ChatPlatform; messageIds: string[]; users: ViewerKey[]; all: boolean; banned?: ViewerKey[] }
  | {
      type: 'chat.ignored';
      reason: 'self' | 'bot' | 'duplicate' | 'not-mod' | 'unknown-command' | 'moderated';
      message: ChatMessage;
    };

/** `ts` on a reply's moments (and the voice's): when it happened, ms since the epoch, copied from the adapter fact that caused it; absent when none did. */
export type BrainOutEvent =
  | { type: 'brain.decision'; decision: Decision }
  | { type: 'brain.state'; state: 'idle' | 'thinking' | 'speaking' | 'cooldown'; muted: boolean }
  /** The live scene muted or unmuted Pickle (the panel and the console say why). */
  | { type: 'scene.muteChanged'; muted: boolean; scene: string }
  /** `promptTokens`: the prompt's size as counted against `promptBudget` (shown on the panel per reply). */
  | { type: 'reply.start'; replyId: string; prompt: PromptMessage[]; triggerId?: string; promptTokens?: number; promptBudget?: number; ts?: number }
  | { type: 'reply.emotion'; replyId: string; emotion: Emotion }
  /** The LLM's first token for this reply arrived (the end of the first-token wait). */
  | { type: 'reply.firstToken'; replyId: string; ts?: number }
  /** `pending`: the ML classifier is still judging it; synthesise it, but play it only after `reply.judged` says ok. */
  | { type: 'reply.sentence'; replyId: string; index: number; text: string; emotion: Emotion; pending?: true; ts?: number }
  /** The ML classifier's verdict on a pending sentence: played when ok, never heard or shown otherwise. */
  | { type: 'reply.judged'; replyId: string; index: number; ok: boolean }
  /** The LLM finished; `text` is what the LLM wrote and passed the guard (not necessarily spoken yet); `tokens`: what the LLM wrote, as its server counted. */
  | { type: 'reply.done'; replyId: string; text: string; emotion: Emotion; tokens?: number }
  | { type: 'reply.failed'; replyId: string; reason: DecisionReason; detail: string }
  /** The reply as it will be remembered: only what was actually spoken. `about`: the viewers whose input the reply answered (its provenance in memory). */
  | { type: 'reply.spoken'; replyId: string; text: string; emotion: Emotion; ts: number; about?: string[] }
  /**
   * Post this spoken reply in the chat of the platform whose message it answers (`inReplyTo`, that
   * platform's message id); the platform's adapter carries it out, paced by its send limits.
   */
  | { type: 'chat.say'; replyId: string; text: string; platform: ChatPlatform; inReplyTo: string }
  | { type: 'voice.skip' }
  | { type: 'persona.switch'; name: string; by: string }
  /** What chat said lately, for the streamer who could not read it (panel: "while you were busy"). Untrusted text inside. */
  | { type: 'chat.digest'; digest: ChatDigest }
  /** A sentence was dropped by moderation: its category only, never its text. */
  | { type: 'reply.blocked'; replyId: string; category: ModerationCategory; layer: ModerationLayer; viewer?: ViewerKey }
  /** A viewer kept baiting and is not answered until `until` (ms, message time). */
  | { type: 'viewer.silenced'; viewer: ViewerKey; until: number }
  | { type: 'viewer.unsilenced'; viewer: ViewerKey; by: string };

export type VoiceOutEvent =
  /** The first bytes of the reply's audio came from its TTS engine (not yet heard). */
  | { type: 'voice.firstByte'; replyId: string; ts?: number }
  /**
   * Sentence `index` of a reply starts being heard (caption sync). `first`: the first of the reply
   * heard, that is the reply started being heard (not always index 0: a sentence may be dropped unheard).
   */
  | { type: 'voice.sentenceStarted'; replyId: string; index: number; text: string; first: boolean; ts?: number }
  /** Playback of the reply ended (finished or interrupted); spokenText is what was heard. */
  | { type: 'voice.done'; replyId: string; spokenText: string; interrupted: boolean };

/** The expressions every VRM model has (its presets), which an emotion is blended into. */
export const VRM_EXPRESSIONS = ['happy', 'angry', 'sad', 'relaxed', 'surprised', 'neutral'] as const;
export type VrmExpression = (typeof VRM_EXPRESSIONS)[number];
/** Weight 0–1 of each expression. */
export type ExpressionWeights = Record<VrmExpression, number>;

export type AvatarOutEvent =
  | { type: 'avatar.speaking'; value: boolean }
  /** The model's expressions move to these weights over `easeMs`. */
  | { type: 'avatar.expression'; weights: ExpressionWeights; easeMs: number }
  /** Close and open the eyes once, over `ms`. */
  | { type: 'avatar.blink'; ms: number }
  /** Where the eyes look, in degrees from the camera (small saccades around it). */
  | { type: 'avatar.gaze'; yaw: number; pitch: number }
  | { type: 'avatar.emotion'; value: Emotion }
  | { type: 'avatar.caption'; text: string; emotion: Emotion };

/** Events the LLM actor sends to the brain that invoked it. */
export type LlmEvent =
  /** The model began answering (its first token); sent once, before anything else. */
  | { type: 'llm.firstToken'; ts?: number }
  | { type: 'llm.emotion'; emotion: Emotion }
  /**
   * `flagged`: the optional ML classifier (src/moderation) judged it toxic; the brain drops it.
   * `pending`: the classifier is judging it while it is synthesised; its `llm.judged` (same `seq`) follows.
   */
  | { type: 'llm.sentence'; text: string; flagged?: 'toxicity'; seq?: number; pending?: true; ts?: number }
  | { type: 'llm.judged'; seq: number; flagged?: 'toxicity' }
  /** `tokens`: what the model wrote, as its server counted (when it says). */
  | { type: 'llm.done'; text: string; emotion: Emotion; ts: number; tokens?: number }
  | { type: 'llm.error'; error: LlmFailure };

// ---------------------------------------------------------------- inside the voice (voice machine <-> its actors)

export * from './voiceEvents.ts';

/** Where a long-term memory came from. */
export type MemorySource = 'chat' | 'speech' | 'vision' | 'reply';

/** One long-term memory as recalled for a prompt (src/memory). Text and user are untrusted. */
export interface RecalledMemory {
  /** The memory's id in the store. */
  id: string;
  /** Twitch message id, for chat memories: lets the brain skip what is already in STM. */
  messageId?: string;
  /** Login of who said it; `streamer` for speech, the persona id for Pickle's own replies, `camera` for vision. */
  user: string;
  text: string;
  ts: number;
  source: MemorySource;
  /** 1 − cosine distance to the query (absent for a viewer's facts fetched by user). */
  relevance?: number;
  /** Logins the memory is about (named in it; for a reply, the viewers it answered). */
  about?: string[];
  /** A viewer's claim about other viewers: shown as their claim, never as a fact. */
  hearsay?: boolean;
}

/** What the memory actor (provided from src/memory) sends back to the brain that invoked it. */
export type RecallEvent = { type: 'memory.recalled'; memories: RecalledMemory[]; ts?: number };

/** What the speech machine says about the streamer's transcripts besides `speech.final` / `speech.started`. */
export type SpeechOutEvent =
  /** A final transcript that does not reach the brain: too short (< 5 characters), or Pickle's own voice. */
  { type: 'speech.ignored'; reason: 'short' | 'echo'; text: string; ts: number };

/** A camera scene as batched for the brain: near-duplicate descriptions are collapsed (`repeats`). */
export interface VisionScene {
  text: string;
  ts: number;
  /** How many near-identical descriptions this one stands for. */
  repeats: number;
}

/** What the vision batcher sends: the seed's batch of 5 scene events or 15 s. */
export type VisionOutEvent = { type: 'vision.batch'; scenes: VisionScene[]; flush: 'size' | 'timer' };

/**
 * Plugins (src/plugins): each runs as an actor `plugin:<name>` under the orchestrator.
 * `plugin.input` is a chat-shaped input (routed to chat like a Twitch line: batching, gating,
 * commands and moderation apply); `plugin.status` is the plugin's own line on /health;
 * `plugin.failed` means it threw (at start, on an event, or later) and was stopped.
 */
export type PluginEvent =
  | { type: 'plugin.input'; plugin: string; message: ChatMessage }
  | { type: 'plugin.status'; plugin: string; state: ServiceState; detail: string; fix?: string }
  | { type: 'plugin.failed'; plugin: string; phase: 'start' | 'event' | 'running'; error: string };

export type PickleEvent = InputEvent | ChatOutEvent | BrainOutEvent | VoiceOutEvent | AvatarOutEvent | SpeechOutEvent | VisionOutEvent | PluginEvent;
export type PickleEventType = PickleEvent['type'];
