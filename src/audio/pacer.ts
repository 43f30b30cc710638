/**
 * Sends queued PCM at the pace it would play: `chunkMs` pieces, real time by the wall clock.
 * A file or a fast pipe is streamed as if someone were speaking it (Deepgram's endpointing and
 * timeouts assume that); a live pipe that runs a little late catches up by at most `maxBurstMs`.
 * Chunks are whole samples. `queued` tells a producer when to pause (backpressure).
 */
export interface PacerOptions {
  bytesPerSecond: number;
  /** Size of the pieces sent, in ms of audio (default 100). */
  chunkMs?: number;
  maxBurstMs?: number;
  /** Bytes per sample frame (PCM16 mono: 2). */
  frameBytes?: number;
  onChunk: (chunk: Buffer) => void;
  /** The input ended and everything was sent. */
  onEnd?: () => void;
  now?: () => number;
}

export class RealtimePacer {
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private sent = 0;
  private t0 = 0;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  private done = false;
  private readonly bytesPerMs: number;
  private readonly chunkBytes: number;
  private readonly frameBytes: number;
  private readonly now: () => number;

  constructor(private readonly opts: PacerOptions) {
    this.bytesPerMs = opts.bytesPerSecond / 1000;
    this.frameBytes = opts.frameBytes ?? 2;
    this.chunkBytes = this.align(Math.round((opts.chunkMs ?? 100) * this.bytesPerMs));
    this.now = opts.now ?? Date.now;
  }

  get queued(): number {
    return this.queuedBytes;
  }

  push(data: Buffer): void {
    if (this.ended || data.length === 0) return;
    this.queue.push(data);
    this.queuedBytes += data.length;
  }

  /** No more input: send what is left, then onEnd. */
  end(): void {
    this.ended = true;
  }

  start(): void {
    if (this.timer) return;
    this.t0 = this.now();
    this.sent = 0;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.opts.chunkMs ?? 100);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private align(n: number): number {
    return n - (n % this.frameBytes);
  }

  private tick(): void {
    if (this.done) return;
    const maxBurst = this.align(Math.round((this.opts.maxBurstMs ?? 500) * this.bytesPerMs));
    // Audio owed by the clock, the next chunk included; a late source does not earn a long burst.
    let owed = Math.round((this.now() - this.t0) * this.bytesPerMs) + this.chunkBytes - this.sent;
    if (owed > maxBurst) {
      this.sent += owed - maxBurst;
      owed = maxBurst;
    }
    // Whole chunks as the clock owes them; the input's last piece, shorter than a chunk, once the clock owes that much.
    while (owed >= this.chunkBytes || (this.ended && this.queuedBytes > 0 && this.queuedBytes < this.chunkBytes && owed >= this.queuedBytes)) {
      const size = this.align(Math.min(this.chunkBytes, this.queuedBytes));
      if (size <= 0) break;
      const chunk = this.take(size);
      this.sent += chunk.length;
      owed -= chunk.length;
      this.opts.onChunk(chunk);
    }
    if (this.ended && this.queuedBytes < this.frameBytes) {
      // A trailing partial sample is not audio.
      this.queue.length = 0;
      this.queuedBytes = 0;
      this.done = true;
      this.stop();
      this.opts.onEnd?.();
    }
  }

  private take(n: number): Buffer {
    const parts: Buffer[] = [];
    let need = n;
    while (need > 0 && this.queue.length) {
      const head = this.queue[0]!;
      if (head.length <= need) {
        parts.push(head);
        this.queue.shift();
        need -= head.length;
      } else {
        parts.push(head.subarray(0, need));
        this.queue[0] = head.subarray(need);
        need = 0;
      }
    }
    const out = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    this.queuedBytes -= out.length;
    return out;
  }
}
