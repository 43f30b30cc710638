import type { TtsEngineName } from '../../machines/events.ts';

/**
 * What the voice needs from a TTS engine, independent of the provider: speak one sentence,
 * streaming PCM16 mono little-endian at VOICE_SAMPLE_RATE (24 kHz) as it arrives. Rejects
 * with a TtsError (kind `aborted` when `signal` fired).
 */
export interface SpeakRequest {
  text: string;
  /** Deepgram voice model, e.g. `aura-asteria-en` (ignored by espeak-ng). */
  model: string;
  /** Speaking rate, 1 = normal. */
  speed: number;
  signal: AbortSignal;
  /** Whole samples only (an even number of bytes), in order. */
  onAudio(pcm: Buffer): void;
}

export interface SpeakResult {
  /** Samples delivered. */
  samples: number;
  /** Request to first audio, ms. */
  firstAudioMs: number | undefined;
}

export interface TtsEngine {
  /** Its place in the fallback order and its name on /health (`deepgram`, `espeak`, …). */
  readonly name: TtsEngineName;
  speak(req: SpeakRequest): Promise<SpeakResult>;
}

/** Collects a byte stream into whole 16-bit samples: a network chunk may end in the middle of one. */
export class SampleAligner {
  private carry: Buffer | undefined;

  push(chunk: Uint8Array): Buffer | undefined {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.carry) {
      buf = Buffer.concat([this.carry, buf]);
      this.carry = undefined;
    }
    if (buf.length % 2 === 1) {
      this.carry = Buffer.from(buf.subarray(buf.length - 1));
      buf = buf.subarray(0, buf.length - 1);
    }
    // Copy: the caller may keep the buffer after the stream reuses its memory.
    return buf.length > 0 ? Buffer.from(buf) : undefined;
  }
}
