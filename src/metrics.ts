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

  constructor(private readonly now: () => number = () => performance.now()) {}

  received(): void {
    this.counts.received += 1;
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
  replyStarted(replyId: string): void {
    this.replyStarts.set(replyId, this.now());
    if (this.replyStarts.size > 100) this.replyStarts.delete(this.replyStarts.keys().next().value!);
  }
  /** Time from the decision to answer until the reply is first shown/heard. */
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
    };
  }
}
