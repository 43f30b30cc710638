import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createEspeakTts, probeLocalVoice } from '../../src/tts/espeak.ts';
import { LinearResampler, WavStreamReader } from '../../src/tts/pcm.ts';

const local = await probeLocalVoice();

function pcm(samples: number[]): Buffer {
  const b = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => b.writeInt16LE(s, i * 2));
  return b;
}
const samplesOf = (b: Buffer) => Array.from({ length: b.length / 2 }, (_, i) => b.readInt16LE(i * 2));
const rms = (b: Buffer) => Math.sqrt(samplesOf(b).reduce((s, x) => s + x * x, 0) / Math.max(1, b.length / 2));

describe('PCM helpers', () => {
  it('the linear resampler gives the same output however the input is chunked, at the right length', () => {
    const input = Array.from({ length: 2205 }, (_, i) => Math.round(10000 * Math.sin(i / 7)));
    const whole = new LinearResampler(22050, 24000);
    const a = Buffer.concat([whole.push(pcm(input)), whole.end()]);
    const chunked = new LinearResampler(22050, 24000);
    const parts: Buffer[] = [];
    for (let i = 0; i < input.length; i += 97) parts.push(chunked.push(pcm(input.slice(i, i + 97))));
    parts.push(chunked.end());
    const b = Buffer.concat(parts);
    expect(b.equals(a)).toBe(true);
    expect(Math.abs(a.length / 2 - 2400)).toBeLessThanOrEqual(1);
    // interpolation stays within the signal's range and follows it
    expect(samplesOf(a)[0]).toBe(input[0]);
    expect(Math.abs(rms(a) - rms(pcm(input)))).toBeLessThan(200);
  });

  it('reads a WAV header split across chunks, and refuses what is not PCM WAV', () => {
    const header = Buffer.alloc(44);
    header.write('RIFF', 0, 'ascii');
    header.writeUInt32LE(0x7ffff024, 4); // espeak-ng's "unknown size"
    header.write('WAVEfmt ', 8, 'ascii');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(22050, 24);
    header.writeUInt32LE(44100, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36, 'ascii');
    header.writeUInt32LE(0x7ffff000, 40);
    const r = new WavStreamReader();
    expect(r.push(header.subarray(0, 10)).length).toBe(0);
    expect(r.push(header.subarray(10, 30)).length).toBe(0);
    const rest = r.push(Buffer.concat([header.subarray(30), pcm([1, 2, 3])]));
    expect(r.format).toEqual({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
    expect(samplesOf(rest)).toEqual([1, 2, 3]);
    expect(() => new WavStreamReader().push(Buffer.from('ID3\u0004 not a wav at all'))).toThrow(/not a WAV/);
  });
});

describe.runIf(local.espeak)('espeak-ng local voice', () => {
  const speak = async (tts: ReturnType<typeof createEspeakTts>, text: string, signal = new AbortController().signal) => {
    const chunks: Buffer[] = [];
    const result = await tts.speak({ text, model: 'ignored', speed: 1, signal, onAudio: (c) => chunks.push(c) });
    return { result, audio: Buffer.concat(chunks), chunks };
  };
  /** What espeak-ng itself makes, at its own 22 050 Hz. */
  const nativeSamples = (text: string) => {
    const out = spawnSync('espeak-ng', ['--stdin', '--stdout', '-b', '1', '-v', 'en-us', '-s', '175'], { input: `${text}\n` }).stdout as Buffer;
    return (out.length - 44) / 2;
  };

  it.each([['linear', null], ...(local.sox ? [['sox', 'sox']] : [])] as Array<[string, string | null]>)(
    'speaks at 24 kHz PCM16 (%s resampling): length matches espeak-ng\'s own output, real signal',
    async (_name, sox) => {
      const text = 'Hello chat, this is the local voice.';
      const tts = createEspeakTts({ sox });
      const { result, audio, chunks } = await speak(tts, text);
      for (const c of chunks) expect(c.length % 2).toBe(0);
      const expected = (nativeSamples(text) * 24000) / 22050;
      expect(Math.abs(result.samples - expected)).toBeLessThan(8);
      expect(audio.length / 2).toBe(result.samples);
      expect(rms(audio)).toBeGreaterThan(300);
    },
  );

  it('text that looks like an option is spoken, not obeyed', async () => {
    const tts = createEspeakTts({ sox: null });
    const { result } = await speak(tts, '--version -w /tmp/pwned.wav');
    expect(result.samples).toBeGreaterThan(24000 * 0.5);
  });

  it('speed changes the length', async () => {
    const tts = createEspeakTts({ sox: null });
    const chunks: Buffer[] = [];
    const slow = await tts.speak({ text: 'One two three four five six.', model: '', speed: 0.7, signal: new AbortController().signal, onAudio: (c) => chunks.push(c) });
    const fast = await tts.speak({ text: 'One two three four five six.', model: '', speed: 1.5, signal: new AbortController().signal, onAudio: () => {} });
    expect(slow.samples).toBeGreaterThan(fast.samples * 1.5);
  });

  it('abort: rejects with kind aborted', async () => {
    const tts = createEspeakTts({ sox: null });
    const ctrl = new AbortController();
    const p = tts.speak({ text: 'A long sentence. '.repeat(40), model: '', speed: 1, signal: ctrl.signal, onAudio: () => {} });
    ctrl.abort();
    await expect(p).rejects.toMatchObject({ kind: 'aborted' });
  });

  it('a missing binary is reported as unavailable', async () => {
    const tts = createEspeakTts({ binary: '/nonexistent/espeak-ng', sox: null });
    await expect(speak(tts, 'hi')).rejects.toMatchObject({ kind: 'unavailable' });
  });
});
