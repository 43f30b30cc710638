/**
 * What the brain needs from an LLM, independent of Ollama: stream one reply as an
 * emotion and sentences. The reply actor and tests depend on this, not on the adapter.
 */
import type { Emotion, PromptMessage } from '../../machines/events.ts';

export interface ReplyHandlers {
  /** Called once, when the model's first token arrives (before any emotion or sentence). */
  onFirstToken?(): void;
  /** Called once per reply, as soon as the emotion is known (`neutral` when the model gave none). */
  onEmotion(emotion: Emotion): void;
  /** Called for each complete sentence, in order, while the model is still writing. */
  onSentence(text: string): void;
}

export interface GenerationStats {
  promptTokens?: number;
  evalTokens?: number;
  tokensPerSec?: number;
  /** Wall time from request to last token, measured here. */
  durationMs: number;
  /** `length` when the reply was cut by the token limit. */
  doneReason?: string;
}

export interface GenerationResult {
  /** The whole reply text, trimmed. */
  text: string;
  emotion: Emotion;
  stats: GenerationStats;
}

export interface LlmClient {
  /**
   * Streams one reply; rejects with an `LlmError` (kind `aborted` when `signal` fired). A function
   * of its own (no `this`), so a backend hands it on as it is, not through a wrapper.
   */
  generate: (messages: PromptMessage[], handlers: ReplyHandlers, signal: AbortSignal) => Promise<GenerationResult>;
}

/** How either backend is tuned; the defaults are the seed's (`LLM_DEFAULTS`). */
export interface LlmTuning {
  /** Whole reply, request to last token. */
  timeoutMs?: number;
  /** Request to first token (covers queueing behind another request). */
  firstTokenTimeoutMs?: number;
  temperature?: number;
  /** Reply token limit (Ollama's `num_predict`). */
  maxTokens?: number;
  /** First retry delay of the health loop while the backend is down; doubles up to `maxRetryIntervalMs`. */
  retryIntervalMs?: number;
  maxRetryIntervalMs?: number;
  /** Health check period while everything is up. */
  checkIntervalMs?: number;
}

export const LLM_DEFAULTS = {
  timeoutMs: 30_000,
  firstTokenTimeoutMs: 20_000,
  temperature: 0.8,
  maxTokens: 150,
  retryIntervalMs: 2_000,
  maxRetryIntervalMs: 30_000,
  checkIntervalMs: 30_000,
} as const satisfies Required<LlmTuning>;
