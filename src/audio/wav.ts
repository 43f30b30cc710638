import wavefile from 'wavefile';
import { errorText } from '../errors.ts';
import { resampleMono } from './resample.ts';

/**
 * WAV files to what Deepgram is told it gets: 16-bit little-endian PCM, mono, 16 kHz.
 * Any WAV that `wavefile` reads (8/16/24/32-bit integer, 32/64-bit float, A-law, µ-law,
 * IMA ADPCM; any rate; any number of channels) is decoded, mixed down to mono (mean of the
 * channels), resampled (resample.ts: a windowed-sinc low-pass when going down, then linear
 * interpolation) and converted to 16-bit. wavefile parses the file and decodes the companded and
 * compressed encodings; the rest is read here, fast enough not to stall Pickle's event loop.
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
  const { numChannels, sampleRate } = wav.fmt as { numChannels: number; sampleRate: number };
  const source = { sampleRate, channels: numChannels, bitDepth: wav.bitDepth };
  if (!sampleRate || !numChannels) throw new WavError('WAV header without a sample rate or channel count');
  try {
    // The companded and compressed encodings become 16-bit PCM (wavefile's codecs).
    if (wav.bitDepth === '8a') wav.fromALaw();
    else if (wav.bitDepth === '8m') wav.fromMuLaw();
    else if (wav.bitDepth === '4') wav.fromIMAADPCM();
  } catch (err) {
    throw new WavError(`unsupported WAV encoding (${wav.bitDepth}: ${errorText(err)})`);
  }
  const mono = resampleMono(monoOf(samplesOf(wav), wav.bitDepth, numChannels), sampleRate, targetRate);
  const pcm = Buffer.alloc(mono.length * 2);
  for (let i = 0; i < mono.length; i++) pcm.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(mono[i]! * 32768))), i * 2);
  return { pcm, sampleRate: targetRate, durationMs: (pcm.length / 2 / targetRate) * 1000, source };
}

/** The `data` chunk's bytes (wavefile keeps them as read, untyped in its declarations). */
function samplesOf(wav: object): Uint8Array {
  const data = 'data' in wav ? wav.data : undefined;
  return data && typeof data === 'object' && 'samples' in data && data.samples instanceof Uint8Array ? data.samples : new Uint8Array(0);
}

/** How to read one sample of each PCM encoding, as a float in [-1, 1). */
const READERS: Record<string, { bytes: number; read: (v: DataView, at: number) => number }> = {
  '8': { bytes: 1, read: (v, at) => (v.getUint8(at) - 128) / 128 },
  '16': { bytes: 2, read: (v, at) => v.getInt16(at, true) / 32768 },
  '24': { bytes: 3, read: (v, at) => ((v.getUint8(at) | (v.getUint8(at + 1) << 8) | (v.getInt8(at + 2) << 16)) / 8388608) },
  '32': { bytes: 4, read: (v, at) => v.getInt32(at, true) / 2147483648 },
  '32f': { bytes: 4, read: (v, at) => v.getFloat32(at, true) },
  '64': { bytes: 8, read: (v, at) => v.getFloat64(at, true) },
};

/**
 * The interleaved samples mixed down to mono (the mean of the channels). Read by hand: wavefile's
 * own conversions pack every sample through its byte codec (13 s for 30 s of 16 kHz mono here).
 */
function monoOf(data: Uint8Array, bitDepth: string, channels: number): Float32Array {
  const reader = READERS[bitDepth];
  if (!reader) throw new WavError(`unsupported WAV encoding (${bitDepth}-bit)`);
  const frame = reader.bytes * channels;
  const frames = Math.floor(data.byteLength / frame);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const mono = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += reader.read(view, f * frame + c * reader.bytes);
    mono[f] = sum / channels;
  }
  return mono;
}

