/**
 * Every socket.io message between Pickle and its pages, per namespace, as socket.io typed event
 * maps: the server holds `Namespace<XClientEvents, XServerEvents>`, so a wrong payload does not
 * compile, and the pages name the same types in JSDoc
 * (`@typedef {import('../src/screens/payloads.ts').TranscriptLine} TranscriptLine`).
 *
 * What a page sends is untrusted all the same: the server's handlers take `unknown` and validate.
 * All text inside these payloads that came from outside (chat, names, transcripts, LLM output,
 * vision output) is untrusted too: pages set it with `textContent` only.
 */
import type { ChatDigest } from '../../machines/brain/digest.ts';
import type { ChatPlatform, Decision, DecisionReason, Emotion, ExpressionWeights, VrmExpression, ViewerKey } from '../../machines/events.ts';
import type { Readiness } from '../../machines/readiness.ts';
import type { Settings } from '../config/settings.ts';
import type { ServiceStatus } from '../status.ts';
import type { AnalyticsPoint } from './analytics.ts';
import type { MachineGraph } from './graph.ts';
import type { ActorInfo, InspectorRecord } from './inspector.ts';
import type { Look, ModelLook } from './look.ts';

export type { AnalyticsPoint, ActorInfo, ChatDigest, Decision, Emotion, ExpressionWeights, InspectorRecord, Look, MachineGraph, ModelLook, Readiness, ServiceStatus, Settings, ViewerKey, VrmExpression };

/** A message with no fields (`stream_end`, `stream_stop`). */
export type NoFields = Record<string, never>;
/** A namespace where one side sends nothing. */
export type NoEvents = Record<never, never>;

// ---------------------------------------------------------------- /avatar (the OBS overlay)

/** What the overlay should show right now: sent on every (re)connection. */
export interface OverlayState {
  speaking: boolean;
  emotion: Emotion;
  /** The caption on screen now; '' when none. */
  caption: string;
  look: Look;
  /** The model's expressions now (a page that shows a VRM model starts from these). */
  expression: ExpressionPayload;
}

/**
 * The caption as the avatar machine decided it: the text so far of the reply being spoken (it
 * grows sentence by sentence), or `text: ''` when the machine clears it (its hold after the
 * voice ended has passed, or the reply failed). The page shows exactly this; it keeps no timer.
 */
export interface CaptionPayload {
  text: string;
  emotion: Emotion;
}
export interface EmotionPayload {
  value: Emotion;
}
/** The VRM expressions to move to, each 0–1 (capped by the avatar machine), over `easeMs`. */
export interface ExpressionPayload {
  weights: ExpressionWeights;
  easeMs: number;
}
/** Close and open the eyes once over `ms`. */
export interface BlinkPayload {
  ms: number;
}
/** Where the eyes look, in degrees from the camera. */
export interface GazePayload {
  yaw: number;
  pitch: number;
}
/**
 * What an overlay shows, as it reports it: the model it loaded (the name from the VRM meta, the
 * VRM version) or `model: null` for the built-in face, its frames per second and the expression
 * with the most weight now. Untrusted: the server validates every field.
 */
export interface AvatarReportPayload {
  model: string | null;
  version: '1.0' | '0.x' | null;
  fps: number;
  expression: VrmExpression;
}
/** The overlay could not show the model it was told to (it keeps the built-in face). */
export interface AvatarErrorPayload {
  reason: string;
}
/** How open the mouth is (0–1) from the voice now playing, and how much it smiles: for VTube Studio's lip-sync. */
export interface MouthPayload {
  open: number;
  /** -1 (corners down) to 1 (corners up), from the viseme shape (ee, ih wide; ou, oh round). */
  form: number;
}
/** Whether this overlay should report its mouth (`mouth` messages while audio plays). */
export interface MouthWantedPayload {
  value: boolean;
}
export interface SpeakingPayload {
  value: boolean;
}
/** A reply's audio starts: PCM16 LE mono at `sample_rate`. */
export interface StreamStartPayload {
  sample_rate: number;
  id: string;
}
export interface StreamAudioPayload {
  /** Base64 PCM16 LE mono. */
  audio: string;
}
/** Whether the page can play audio (a browser may block it until a click; one without Web Audio never can). */
export interface AudioStatePayload {
  state: 'running' | 'blocked' | 'unsupported';
}
/** Stream `id` has been played to the end. */
export interface PlaybackEndPayload {
  id: string;
}

/** Seconds the last caption stays after Pickle stops speaking (the avatar machine keeps 1–60). */
export interface CaptionHoldPayload {
  seconds: number;
}

export interface AvatarServerEvents {
  state: (state: OverlayState) => void;
  /** A persona switch changed the face and the name under it. */
  look: (look: Look) => void;
  caption: (caption: CaptionPayload) => void;
  emotion: (emotion: EmotionPayload) => void;
  speaking: (speaking: SpeakingPayload) => void;
  expression: (expression: ExpressionPayload) => void;
  blink: (blink: BlinkPayload) => void;
  gaze: (gaze: GazePayload) => void;
  /** VTube Studio needs the mouth: the oldest playing overlay sends `mouth` while audio plays. */
  mouth_wanted: (wanted: MouthWantedPayload) => void;
  stream_start: (start: StreamStartPayload) => void;
  stream_audio: (chunk: StreamAudioPayload) => void;
  /** No more audio for this stream: play what is queued. */
  stream_end: (end: NoFields) => void;
  /** Stop now and drop what is queued (skip, barge-in). */
  stream_stop: (stop: NoFields) => void;
}
export interface AvatarClientEvents {
  audio_state: (state: AudioStatePayload) => void;
  /** The page's `?hold=`: how long it asks the last caption to stay. */
  caption_hold: (hold: CaptionHoldPayload) => void;
  playback_end: (end: PlaybackEndPayload) => void;
  avatar_report: (report: AvatarReportPayload) => void;
  avatar_error: (error: AvatarErrorPayload) => void;
  mouth: (mouth: MouthPayload) => void;
}

// ---------------------------------------------------------------- /panel (control panel)

/** One row of the panel's transcript. `ts`: ms since epoch. */
export type TranscriptLine =
  /** A chat line (`user` is the display name, `platform` where it was said); `repeats` > 1 when the same line came several times. */
  | { kind: 'chat'; user: string; platform: ChatPlatform; text: string; ts: number; repeats: number }
  /** What Pickle said, with the prompt size of that reply when known. */
  | { kind: 'reply'; text: string; emotion: Emotion; ts: number; promptTokens?: number; promptBudget?: number }
  /** A reply that did not happen; `text` says why in words. */
  | { kind: 'reply-failed'; reason: DecisionReason; text: string; ts: number }
  /** What the streamer said (speech to text). */
  | { kind: 'speech'; user: 'streamer'; text: string; ts: number }
  /** What the camera sees. */
  | { kind: 'vision'; text: string; ts: number }
  /** Something the streamer should know (memory, moderation, OBS, commands). */
  | { kind: 'notice'; text: string; ts: number };

export interface BrainStatePayload {
  state: 'idle' | 'thinking' | 'speaking' | 'cooldown';
  muted: boolean;
}
/** The prompt size of a reply as it starts (context budget). */
export interface PromptSizePayload {
  replyId: string;
  tokens: number | undefined;
  budget: number | undefined;
  ts: number;
}
/** A panel-history entry: what was sent, in the order it was sent. */
export type PanelHistoryEntry = { event: 'transcript'; data: TranscriptLine } | { event: 'decision'; data: Decision };
/** Sent to each new panel socket: the recent transcript and the latest state. */
export interface PanelHistoryPayload {
  entries: PanelHistoryEntry[];
  latest: { brain?: BrainStatePayload; digest?: ChatDigest; readiness?: Readiness };
}
export interface AnalyticsHistoryPayload {
  intervalMs: number;
  points: AnalyticsPoint[];
}
/** Sentences blocked, per category, and their total. */
export type BlockedCounts = { total: number } & Record<string, number>;
/**
 * Moderation's layers, counters and silenced viewers (the same object as `GET /api/moderation`).
 * A type, not an interface, so it also passes where any JSON object (`/health`) is taken.
 */
export type ModerationHealthPayload = {
  /** Languages of the word lists in use. */
  lists: string[];
  /** The classifier's name, `off`, `loading`, `downloading`, or `unavailable: <fix>`. */
  classifier: string;
  threshold?: number;
  blocked: { replies: BlockedCounts; memory: BlockedCounts };
  /** Sentences the classifier failed to judge (the lists still applied). */
  classifierErrors?: number;
  /** Viewers not answered now, `until` in ms since epoch. */
  silenced: Array<{ viewer: ViewerKey; until: number }>;
};

export interface PanelServerEvents {
  /** Every service's status: on connection and on every change. */
  status: (all: ServiceStatus[]) => void;
  settings: (settings: Settings) => void;
  history: (history: PanelHistoryPayload) => void;
  transcript: (line: TranscriptLine) => void;
  decision: (decision: Decision) => void;
  brain: (state: BrainStatePayload) => void;
  /** Can Pickle reply now, and why not (`machines/readiness.ts`): on connection (in `history`) and on every change. */
  readiness: (readiness: Readiness) => void;
  digest: (digest: ChatDigest) => void;
  prompt: (size: PromptSizePayload) => void;
  analytics: (point: AnalyticsPoint) => void;
  'analytics-history': (history: AnalyticsHistoryPayload) => void;
  moderation: (health: ModerationHealthPayload) => void;
}
export type PanelClientEvents = NoEvents;

// ---------------------------------------------------------------- /inspector (statechart inspector)

export interface InspectorActorsPayload {
  actors: ActorInfo[];
  ts: number;
}
export interface InspectorBatchPayload {
  records: InspectorRecord[];
  /** Events dropped since the last batch because the page could not keep up. */
  dropped?: number;
}
export interface InspectorOptionsPayload {
  /** Whether this page wants each snapshot's context. */
  contexts: boolean;
}
export interface InspectorServerEvents {
  /** The actor tree now: first thing after connecting. */
  actors: (tree: InspectorActorsPayload) => void;
  /** Drawings of every machine in the tree. */
  machines: (graphs: MachineGraph[]) => void;
  /** The drawing of a machine that appeared since. */
  machine: (graph: MachineGraph) => void;
  batch: (batch: InspectorBatchPayload) => void;
}
export interface InspectorClientEvents {
  options: (options: InspectorOptionsPayload) => void;
}

// ---------------------------------------------------------------- /senses-mic (the hidden microphone page)

export type MicServerEvents = NoEvents;
export interface MicClientEvents {
  /** 16 kHz PCM16 LE mono, binary. */
  pcm: (chunk: ArrayBuffer | Uint8Array) => void;
}
