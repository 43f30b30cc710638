import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';
import { resampleMono } from '../../src/audio/resample.ts';
import { WavError, wavToPcm16Mono } from '../../src/audio/wav.ts';

const tone = (hz: number, rate: number, seconds: number, amp = 0.5) => Float64Array.from({ length: Math.round(rate * seconds) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));
const rms = (a: ArrayLike<number>, from = 0, to = a.length) => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]! ** 2;
  return Math.sqrt(s / (to - from));
};
const samplesOf = (pcm: Buffer) => Array.from(new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2), (v) => v / 32768);

/** A WAV built by wavefile itself in the given encoding (its own packing, so the reader is checked against another writer). */
function wav(bitDepth: string, rate: number, channels: Float64Array[]): Uint8Array {
  const w = new wavefile.WaveFile();
  const scale = bitDepth === '32f' || bitDepth === '64' ? 1 : bitDepth === '8' ? 127 : 2 ** (Number(bitDepth) - 1) - 1;
  const packed = channels.map((c) => Array.from(c, (v) => (bitDepth === '8' ? Math.round(v * scale + 128) : scale === 1 ? v : Math.round(v * scale))));
  w.fromScratch(channels.length, rate, bitDepth, channels.length === 1 ? packed[0]! : packed);
  return w.toBuffer();
}

describe('WAV files to 16 kHz mono PCM16', () => {
  it.each(['8', '16', '24', '32', '32f', '64'])('%s-bit: a 440 Hz tone comes out as the same tone', (depth) => {
    const src = tone(440, 16_000, 0.5);
    const out = wavToPcm16Mono(wav(depth, 16_000, [src]));
    expect(out.sampleRate).toBe(16_000);
    expect(out.source).toEqual({ sampleRate: 16_000, channels: 1, bitDepth: depth });
    const got = samplesOf(out.pcm);
    expect(got).toHaveLength(src.length);
    const diff = got.map((v, i) => v - src[i]!);
    // 8-bit keeps about 1/128 of resolution; the others are exact to 16-bit rounding.
    expect(rms(diff)).toBeLessThan(depth === '8' ? 0.01 : 0.0001);
  });

  it('stereo is the mean of its channels: a tone in one ear and its opposite in the other is silence', () => {
    const a = tone(440, 16_000, 0.25);
    const out = wavToPcm16Mono(wav('16', 16_000, [a, a.map((v) => -v)]));
    expect(rms(samplesOf(out.pcm))).toBeLessThan(0.0001);
    expect(out.source.channels).toBe(2);
  });

  it('48 kHz becomes 16 kHz: a 440 Hz tone is kept, a 12 kHz tone (above the 8 kHz that 16 kHz can hold) is filtered out, not folded back', () => {
    const kept = samplesOf(wavToPcm16Mono(wav('16', 48_000, [tone(440, 48_000, 1)])).pcm);
    expect(kept.length).toBeGreaterThan(15_990);
    expect(kept.length).toBeLessThanOrEqual(16_000);
    expect(rms(kept, 100, kept.length - 100)).toBeCloseTo(0.5 / Math.SQRT2, 2);
    const gone = samplesOf(wavToPcm16Mono(wav('16', 48_000, [tone(12_000, 48_000, 1)])).pcm);
    expect(rms(gone, 100, gone.length - 100)).toBeLessThan(0.01);
  });

  it('8 kHz becomes 16 kHz with twice the samples and the tone intact', () => {
    const out = samplesOf(wavToPcm16Mono(wav('16', 8_000, [tone(300, 8_000, 1)])).pcm);
    expect(out.length).toBeGreaterThan(15_990);
    const expected = out.map((_, i) => 0.5 * Math.sin((2 * Math.PI * 300 * i) / 16_000));
    expect(rms(out.map((v, i) => v - expected[i]!), 10, out.length - 10)).toBeLessThan(0.01);
  });

  it('µ-law and A-law are decoded through wavefile', () => {
    for (const codec of ['mu', 'a'] as const) {
      const w = new wavefile.WaveFile(wav('16', 16_000, [tone(440, 16_000, 0.25)]));
      if (codec === 'mu') w.toMuLaw();
      else w.toALaw();
      const out = samplesOf(wavToPcm16Mono(w.toBuffer()).pcm);
      expect(rms(out)).toBeCloseTo(0.5 / Math.SQRT2, 1);
    }
  });

  it('not a WAV, or a header without a rate: a WavError that says so', () => {
    expect(() => wavToPcm16Mono(new TextEncoder().encode('hello, this is not audio'))).toThrow(WavError);
  });

  it('resampling keeps a signal with no samples empty and the same rate untouched', () => {
    const empty = new Float32Array(0);
    expect(resampleMono(empty, 48_000, 16_000)).toHaveLength(0);
    const same = new Float32Array([0.1, 0.2]);
    expect(resampleMono(same, 16_000, 16_000)).toBe(same);
  });
});
