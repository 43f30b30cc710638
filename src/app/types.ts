/** What `startPickle` takes (settings, logger, test tunings) and what it hands back (the running app). */
import type { PickleActor } from '../../machines/orchestrator.ts';
import type { Env } from '../config/env.ts';
import type { ConsoleOut } from '../console.ts';
import type { Logger } from '../log.ts';
import type { Counters } from '../metrics.ts';
import type { MemoryOptions, MemoryService } from '../memory/index.ts';
import type { ModerationOptions } from '../moderation/index.ts';
import type { Screens } from '../screens/index.ts';
import type { Senses } from '../senses/index.ts';
import type { StatusBoard } from '../status.ts';
import type { Ears, EarsTuning } from '../stt/index.ts';
import type { Voice } from '../tts/index.ts';
import type { VisionService, VisionTuning } from '../vision/index.ts';

export interface PickleOptions {
  env: Env;
  log: Logger;
  console?: ConsoleOut;
  /** Randomness for the spontaneous roll (tests pass a fixed sequence). */
  random?: () => number;
  personasDir?: string;
  /** `--new-token`: new access token and overlay key (token mode), the old links stop working. */
  newToken?: boolean;
  /** Faster timings for tests: LLM health retry, Twitch reconnect backoff. */
  tuning?: {
    llmRetryMs?: number;
    twitchBackoffMs?: number;
    captionHoldMs?: number;
    voiceMsPerChar?: number;
    minSentenceMs?: number;
    /** Voice: false = never use espeak-ng (tests that are not about the voice); player lead; TTS retry pause. */
    localVoice?: boolean;
    voiceLeadMs?: number;
    ttsRetryMs?: number;
    /** Panel chart sampling and inspector batching (screens). */
    analyticsMs?: number;
    /** Stream records: a minute's length, the write batch, CPU/RSS sampling (src/analytics); `record: false` is the benchmark's baseline. */
    streams?: { minuteMs?: number; flushMs?: number; sampleMs?: number; record?: boolean };
    inspectorFlushMs?: number;
    /** false: no /inspector at all (the benchmark's baseline). */
    inspector?: boolean;
    /** Camera sampling, retries and browser switches (vision). */
    vision?: VisionTuning;
    /** Deepgram KeepAlive/backoff, audio chunking, stdin (ears). */
    stt?: EarsTuning;
    /** Long-term memory: Chroma restart delay, write batching, journal retry, hub probe. */
    memory?: MemoryOptions['tuning'];
    /** How long a reply waits for long-term memory (default 150 ms). */
    recallBudgetMs?: number;
    /** Moderation: hub probe, classifier timeout per sentence. */
    moderation?: ModerationOptions['tuning'];
  };
}

export interface PickleApp {
  url: string;
  port: number;
  status: StatusBoard;
  orchestrator: PickleActor;
  counters: Counters;
  /** Overlay state, panel history and charts, statechart inspector. */
  screens: Screens;
  /** The camera (VISION_ENABLED=true only). */
  vision?: VisionService;
  /** The streamer's voice (Deepgram live transcription). */
  ears: Ears;
  /** Long-term memory (Chroma + embeddings). */
  memory: MemoryService;
  /** The voice: TTS engines and the audio outputs (overlay, local device). */
  voice: Voice;
  /** Ears and eyes on or off (panel, settings API, !privacy). */
  senses: Senses;
  /** The hidden browser shared by the senses (undefined when no browser was found). */
  browserPid(): number | undefined;
  mode: 'twitch' | 'anonymous' | 'rehearsal';
  /** Printed at start when the server is reachable from the network. */
  accessToken?: string;
  /** What the overlay URL carries (`?key=`) when the server is reachable from the network. */
  overlayKey?: string;
  stop(): Promise<void>;
}
