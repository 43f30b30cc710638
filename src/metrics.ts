import type { LlmClient } from './llm/types.ts';

/**
 * Counters for /health, the panel and the benchmarks: what came in, what was dropped and why
 * (nothing is dropped silently), what was decided, and how fast replies started.
 */
export class Counters {
  private readonly counts = {
    received: 0,
    batches: 0,
    batchedMessages: 0,
    replies: 0,
    ignored: {} as Record<string, number>,
    decisions: {} as Record<string, number>,
  };
  private readonly replyStarts = new Map<string, number>();
  private readonly latencies: number[] = [];
  /** When each recent chat message arrived (by message id), so latency runs from the message. */
  private readonly arrivals = new Map<string, number>();
  private readonly llm = { replies: 0, evalTokens: 0, evalMs: 0, lastTokensPerSec: null as number | null };

  constructor(private readonly now: () => number = () => performance.now()) {}

  received(messageId?: string): void {
    this.counts.received += 1;
    if (messageId) {
      this.arrivals.set(messageId, this.now());
      if (this.arrivals.size > 500) this.arrivals.delete(this.arrivals.keys().next().value!);
    }
  }
  batch(size: number): void {
    this.counts.batches += 1;
    this.counts.batchedMessages += size;
  }
  ignored(reason: string): void {
    this.counts.ignored[reason] = (this.counts.ignored[reason] ?? 0) + 1;
  }
  decision(reason: string, respond: boolean): void {
    const key = `${respond ? 'answer' : 'quiet'}:${reason}`;
    this.counts.decisions[key] = (this.counts.decisions[key] ?? 0) + 1;
  }
  /** The reply's clock starts when the message it answers arrived (else now). */
  replyStarted(replyId: string, triggerId?: string): void {
    const arrived = triggerId !== undefined ? this.arrivals.get(triggerId) : undefined;
    this.replyStarts.set(replyId, arrived ?? this.now());
    if (this.replyStarts.size > 100) this.replyStarts.delete(this.replyStarts.keys().next().value!);
  }
  /** Time from the message (or the decision, for other inputs) until the reply is first shown/heard. */
  firstAudio(replyId: string): void {
    const start = this.replyStarts.get(replyId);
    if (start === undefined) return;
    this.replyStarts.delete(replyId);
    this.latencies.push(this.now() - start);
    if (this.latencies.length > 200) this.latencies.shift();
  }
  replied(): void {
    this.counts.replies += 1;
  }
  /** One LLM generation's figures (Ollama's eval_count / eval_duration). */
  llmGeneration(given: { evalTokens?: number; tokensPerSec?: number; durationMs: number }): void {
    // A rate no model reaches means the server did not measure the time (a duration of a few ns): not a figure.
    const { tokensPerSec, ...rest } = given;
    const stats: { evalTokens?: number; tokensPerSec?: number; durationMs: number } =
      tokensPerSec !== undefined && Number.isFinite(tokensPerSec) && tokensPerSec <= MAX_TOKENS_PER_SEC ? given : rest;
    this.llm.replies += 1;
    if (stats.evalTokens !== undefined) {
      this.llm.evalTokens += stats.evalTokens;
      const evalMs = stats.tokensPerSec ? (stats.evalTokens / stats.tokensPerSec) * 1000 : stats.durationMs;
      this.llm.evalMs += evalMs;
    }
    if (stats.tokensPerSec !== undefined) this.llm.lastTokensPerSec = stats.tokensPerSec;
  }

  snapshot() {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const pct = (p: number) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!) : null);
    const dropped = Object.values(this.counts.ignored).reduce((a, b) => a + b, 0);
    return {
      ...this.counts,
      ignored: { ...this.counts.ignored },
      decisions: { ...this.counts.decisions },
      dropped,
      replyLatencyMs: { p50: pct(0.5), p95: pct(0.95), samples: sorted.length },
      llm: {
        generations: this.llm.replies,
        evalTokens: this.llm.evalTokens,
        tokensPerSec: this.llm.lastTokensPerSec,
        meanTokensPerSec: this.llm.evalMs > 0 ? Math.round((this.llm.evalTokens / this.llm.evalMs) * 10000) / 10 : null,
      },
    };
  }
}

/** Above this many tokens a second a reported rate is a measuring error, not a speed. */
export const MAX_TOKENS_PER_SEC = 100_000;

/** The LLM client, counting each generation's tokens/s into `counters` (for /health and the panel). */
export function meteredLlm(llm: LlmClient, counters: Counters): LlmClient {
  return {
    async generate(messages, handlers, signal) {
      const result = await llm.generate(messages, handlers, signal);
      counters.llmGeneration(result.stats);
      return result;
    },
  };
}
