/**
 * Small PCM16 helpers for the local voice: read a streamed WAV header, and resample mono
 * PCM16 to the voice's 24 kHz when sox is not installed (linear interpolation: fine for
 * espeak-ng's 22 050 Hz speech going up; sox's resampler is used when it is there).
 */

export interface WavFormat {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

/**
 * Parses a WAV stream's header as bytes come, then passes the sample data through.
 * espeak-ng writes a streaming header (sizes unknown), so sizes are ignored: data runs to EOF.
 */
export class WavStreamReader {
  private head: Buffer = Buffer.alloc(0);
  format: WavFormat | undefined;
  private inData = false;

  /** Returns sample bytes (possibly empty) once the header is read; throws on a file that is not PCM WAV. */
  push(chunk: Buffer): Buffer {
    if (this.inData) return chunk;
    this.head = Buffer.concat([this.head, chunk]);
    if (this.head.length < 12) return Buffer.alloc(0);
    if (this.head.toString('ascii', 0, 4) !== 'RIFF' || this.head.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV stream');
    let off = 12;
    while (off + 8 <= this.head.length) {
      const id = this.head.toString('ascii', off, off + 4);
      const size = this.head.readUInt32LE(off + 4);
      if (id === 'data') {
        if (!this.format) throw new Error('WAV data before fmt');
        this.inData = true;
        const rest = this.head.subarray(off + 8);
        this.head = Buffer.alloc(0);
        return rest;
      }
      if (off + 8 + size > this.head.length) return Buffer.alloc(0);
      if (id === 'fmt ') {
        const audioFormat = this.head.readUInt16LE(off + 8);
        const channels = this.head.readUInt16LE(off + 10);
        const sampleRate = this.head.readUInt32LE(off + 12);
        const bitsPerSample = this.head.readUInt16LE(off + 22);
        if (audioFormat !== 1 || bitsPerSample !== 16) throw new Error(`unsupported WAV format ${audioFormat}/${bitsPerSample} bit`);
        this.format = { sampleRate, channels, bitsPerSample };
      }
      off += 8 + size + (size % 2);
    }
    return Buffer.alloc(0);
  }
}

/** Streaming linear resampler for mono PCM16 (whole samples in, whole samples out). */
export class LinearResampler {
  /** Outputs produced so far; output k sits at input position k × from / to (exact, however the input is chunked). */
  private produced = 0;
  /** Absolute input index of `prev`. */
  private base = 0;
  private prev: number | undefined;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {}

  private posOf(k: number): number {
    return (k * this.fromRate) / this.toRate;
  }

  push(pcm: Buffer): Buffer {
    if (this.fromRate === this.toRate) return pcm;
    const n = pcm.length >> 1;
    if (n === 0) return Buffer.alloc(0);
    // Joined view: [prev?, ...pcm], index 0 at absolute input index `start`.
    const offset = this.prev === undefined ? 0 : 1;
    const start = this.base;
    const len = n + offset;
    const at = (i: number): number => (i < offset ? this.prev! : pcm.readInt16LE((i - offset) * 2));
    const out: number[] = [];
    for (;;) {
      const p = this.posOf(this.produced) - start;
      if (p + 1 >= len) {
        // Exactly on the last sample with nothing after it yet: wait for more (or end()).
        break;
      }
      const i = Math.floor(p);
      const f = p - i;
      out.push(Math.round(at(i) * (1 - f) + at(i + 1) * f));
      this.produced += 1;
    }
    this.prev = at(len - 1);
    this.base = start + len - 1;
    const buf = Buffer.alloc(out.length * 2);
    for (let k = 0; k < out.length; k++) buf.writeInt16LE(Math.max(-32768, Math.min(32767, out[k]!)), k * 2);
    return buf;
  }

  /** The last input sample, when the next output falls exactly on it. */
  end(): Buffer {
    if (this.prev === undefined || this.posOf(this.produced) - this.base > 1e-9) return Buffer.alloc(0);
    const buf = Buffer.alloc(2);
    buf.writeInt16LE(this.prev, 0);
    this.produced += 1;
    return buf;
  }
}
