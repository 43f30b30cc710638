/**
 * Memory writes, off the reply path: ops are queued (bounded), batched, embedded and sent to
 * Chroma in order. While Chroma is away — or the queue is full, or the embedding model is still
 * loading — ops go to the journal file instead, and are replayed in order when it is back.
 * Nothing is dropped: the worst case is a memory written a little later.
 */
import type { Logger } from '../log.ts';
import type { Journal } from './journal.ts';
import type { MemoryOp } from '../../machines/memory/rules.ts';

export interface WriterTarget {
  readonly ready: boolean;
  apply(ops: readonly MemoryOp[]): Promise<void>;
}

/**
 * Memories per Chroma write. Each write's request and answer are built and parsed on the event
 * loop (32 × 384 floats ≈ 100 kB of JSON), so batches stay small enough to never stall a reply.
 */
export const WRITE_BATCH = 32;

export interface WriterOptions {
  log: Logger;
  /** A batch waits at most this long. Default 250 ms. */
  batchMs?: number;
  /** A batch is sent at once when it holds this many memories. Default WRITE_BATCH. */
  batchSize?: number;
  /** Memories queued in RAM at most; beyond, they go to the journal. Default 2 000. */
  maxQueue?: number;
  /** Retry of the journal replay while it has something. Default 2 000 ms. */
  retryMs?: number;
  /** Chroma failed: the link should check it now. */
  onFailure?: (err: Error) => void;
  /** Something changed that the status line may show (journal started / emptied). */
  onChange?: () => void;
}

/**
 * A record the machines could not time (a remark on a quiet stream before any chat has no input to
 * take its time from) gets the time it is written, so no memory shows as 1 January 1970.
 */
export function stamped(op: MemoryOp, now: number): MemoryOp {
  if (op.op !== 'upsert' || op.records.every((r) => r.ts > 0)) return op;
  return { ...op, records: op.records.map((r) => (r.ts > 0 ? r : { ...r, ts: now })) };
}

const sizeOf = (op: MemoryOp) => (op.op === 'upsert' ? op.records.length : 1);

export class MemoryWriter {
  private queue: MemoryOp[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** The live batch being sent: journaled too if Pickle stops before Chroma answers (upserts are idempotent). */
  private inFlight: MemoryOp[] | undefined;
  /** Memories written to Chroma by this writer (live and replayed). */
  written = 0;
  replayed = 0;

  constructor(
    private readonly target: WriterTarget,
    readonly journal: Journal,
    private readonly opts: WriterOptions,
  ) {
    if (journal.pending > 0) this.scheduleRetry();
  }

  /** True while writes go to the journal. */
  get journaling(): boolean {
    return this.journal.pending > 0;
  }

  get queueLength(): number {
    return this.queued;
  }

  push(given: MemoryOp): void {
    const op = stamped(given, Date.now());
    if (this.journaling || !this.target.ready || this.stopped) {
      const was = this.journaling;
      this.journal.append([op]);
      if (!was) this.opts.onChange?.();
      this.scheduleRetry();
      return;
    }
    this.queue.push(op);
    this.queued += sizeOf(op);
    if (this.queued > (this.opts.maxQueue ?? 2000)) {
      // Chroma is slower than chat: spill to the journal rather than grow without bound.
      this.opts.log.warn({ event: 'memory.spill', ops: this.queue.length }, 'memory queue full: writing to the journal');
      this.spill();
      return;
    }
    if (this.queued >= (this.opts.batchSize ?? WRITE_BATCH)) this.kick();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.kick(), this.opts.batchMs ?? 250);
      this.timer.unref();
    }
  }

  private spill(): void {
    const ops = this.queue;
    this.queue = [];
    this.queued = 0;
    const was = this.journaling;
    this.journal.append(ops);
    if (!was && ops.length) this.opts.onChange?.();
    this.scheduleRetry();
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) this.running = this.run().finally(() => (this.running = undefined));
  }

  /** Sends the queue, then replays the journal while there is one. One runner at a time, so order holds. */
  private async run(): Promise<void> {
    for (;;) {
      if (this.journaling || !this.target.ready) {
        this.spill();
        if (!this.target.ready) return;
        try {
          const n = await this.journal.drain((ops) => this.target.apply(ops));
          this.replayed += n;
          if (n > 0) this.opts.log.info({ event: 'memory.replay', ops: n }, 'journaled memory writes replayed');
          this.opts.onChange?.();
        } catch (err) {
          this.fail(err as Error);
          return;
        }
        continue;
      }
      if (this.queue.length === 0) return;
      // At most one batch per write (a single op larger than that still goes whole).
      const limit = this.opts.batchSize ?? WRITE_BATCH;
      let take = 0;
      let n = 0;
      while (take < this.queue.length && (take === 0 || n + sizeOf(this.queue[take]!) <= limit)) n += sizeOf(this.queue[take++]!);
      const ops = this.queue.slice(0, take);
      this.queue = this.queue.slice(take);
      this.queued -= n;
      this.inFlight = ops;
      try {
        await this.target.apply(ops);
        this.inFlight = undefined;
        this.written += ops.reduce((s, op) => s + (op.op === 'upsert' ? op.records.length : 0), 0);
      } catch (err) {
        if (this.inFlight !== ops) return; // already journaled by stop()
        this.inFlight = undefined;
        // Order: the failed ops first, then whatever was queued meanwhile.
        this.journal.append(ops);
        this.opts.onChange?.();
        this.fail(err as Error, n);
        return;
      }
    }
  }

  private fail(err: Error, ops?: number): void {
    this.opts.log.warn({ event: 'memory.write-failed', err: err.message, ops }, 'memory write failed: journaled');
    this.opts.onFailure?.(err);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.journaling) return;
      if (this.target.ready) this.kick();
      else this.scheduleRetry();
    }, this.opts.retryMs ?? 2000);
    this.retryTimer.unref();
  }

  /** Chroma is (back) up: replay now rather than at the next retry. */
  resume(): void {
    if (this.journaling || this.queue.length) this.kick();
  }

  /** Sends everything queued now; resolves when done (or journaled). */
  async flush(): Promise<void> {
    if (this.queue.length || (this.journaling && this.target.ready)) this.kick();
    while (this.running) await this.running;
  }

  /** Last writes out (to Chroma if it is there, else to the journal); nothing more is accepted in RAM. */
  async stop(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await Promise.race([this.flush(), new Promise((r) => setTimeout(r, 3000))]);
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.inFlight) {
      this.journal.append(this.inFlight);
      this.inFlight = undefined;
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.queue.length) this.spill();
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
