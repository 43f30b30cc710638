import wavefile from 'wavefile';
import { errorText } from '../errors.ts';

/**
 * WAV files to what Deepgram is told it gets: 16-bit little-endian PCM, mono, 16 kHz.
 * Any WAV that `wavefile` reads (8/16/24/32-bit integer, 32/64-bit float, A-law, µ-law,
 * IMA ADPCM; any rate; any number of channels) is decoded, mixed down to mono (mean of the
 * channels), resampled (wavefile's cubic interpolation with its low-pass filter when
 * downsampling) and converted to 16-bit.
 */

export const STT_SAMPLE_RATE = 16_000;

export interface Pcm16Audio {
  /** PCM16 LE mono at `sampleRate`. */
  pcm: Buffer;
  sampleRate: number;
  durationMs: number;
  source: { sampleRate: number; channels: number; bitDepth: string };
}

export class WavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavError';
  }
}

export function wavToPcm16Mono(bytes: Uint8Array, targetRate = STT_SAMPLE_RATE): Pcm16Audio {
  let wav: InstanceType<typeof wavefile.WaveFile>;
  try {
    wav = new wavefile.WaveFile(bytes);
  } catch (err) {
    throw new WavError(`not a WAV file (${errorText(err)})`);
  }
  // Copied out: wavefile rebuilds its `fmt` object on conversions.
  const { numChannels, sampleRate } = wav.fmt as { numChannels: number; sampleRate: number };
  const source = { sampleRate, channels: numChannels, bitDepth: wav.bitDepth };
  if (!sampleRate || !numChannels) throw new WavError('WAV header without a sample rate or channel count');
  try {
    if (wav.bitDepth === '8a') wav.fromALaw();
    else if (wav.bitDepth === '8m') wav.fromMuLaw();
    else if (wav.bitDepth === '4') wav.fromIMAADPCM();
    wav.toBitDepth('32f');
  } catch (err) {
    throw new WavError(`unsupported WAV encoding (${wav.bitDepth}: ${errorText(err)})`);
  }
  const raw = wav.getSamples(false, Float64Array);
  const channels = Array.isArray(raw) ? raw : [raw];
  const length = channels[0]?.length ?? 0;
  const mono = new Float64Array(length);
  for (const ch of channels) for (let i = 0; i < length; i++) mono[i]! += ch[i]! / channels.length;

  let pcm: Buffer;
  if (length === 0) pcm = Buffer.alloc(0);
  else {
    const out = new wavefile.WaveFile();
    out.fromScratch(1, sampleRate, '32f', mono);
    if (sampleRate !== targetRate) out.toSampleRate(targetRate);
    out.toBitDepth('16');
    const all = out.getSamples(false, Int16Array);
    // One channel: one container.
    const samples = Array.isArray(all) ? all[0]! : all;
    pcm = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  }
  return { pcm, sampleRate: targetRate, durationMs: (pcm.length / 2 / targetRate) * 1000, source };
}

