/**
 * Mono float samples to another rate: linear interpolation, between points low-pass filtered
 * (a windowed sinc) when going down, so what cannot be kept does not fold back as noise. Speech
 * for a transcriber needs no more. wavefile's own resampler packs every sample through its byte
 * codec: 9 s for 30 s of 48 kHz audio here, all of it blocking Pickle's event loop.
 */

/** Taps on each side of the low-pass's centre. */
const HALF_TAPS = 16;

export function resampleMono(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate || samples.length === 0) return samples;
  const at = toRate < fromRate ? lowPassed(samples, (0.45 * toRate) / fromRate) : (k: number) => samples[k]!;
  const step = fromRate / toRate;
  const last = samples.length - 1;
  const out = new Float32Array(Math.floor(last / step) + 1);
  for (let i = 0; i < out.length; i++) {
    const pos = i * step;
    const k = Math.floor(pos);
    const a = at(k);
    out[i] = k < last ? a + (at(k + 1) - a) * (pos - k) : a;
  }
  return out;
}

/**
 * The signal through a Blackman-windowed sinc low-pass (cut-off as a fraction of the sample
 * rate), computed only at the points asked for: interpolation needs two per output sample.
 */
function lowPassed(samples: Float32Array, cutoff: number): (k: number) => number {
  const taps = new Float32Array(2 * HALF_TAPS + 1);
  let sum = 0;
  for (let j = -HALF_TAPS; j <= HALF_TAPS; j++) {
    const x = 2 * cutoff * j;
    const sinc = j === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const w = 0.42 + 0.5 * Math.cos((Math.PI * j) / HALF_TAPS) + 0.08 * Math.cos((2 * Math.PI * j) / HALF_TAPS);
    taps[j + HALF_TAPS] = sinc * w;
    sum += sinc * w;
  }
  for (let j = 0; j < taps.length; j++) taps[j] = taps[j]! / sum;
  // The edges repeated, so the filter never reads outside the signal.
  const padded = new Float32Array(samples.length + 2 * HALF_TAPS);
  padded.set(samples, HALF_TAPS);
  padded.fill(samples[0]!, 0, HALF_TAPS);
  padded.fill(samples[samples.length - 1]!, HALF_TAPS + samples.length);
  return (k) => {
    let acc = 0;
    for (let j = 0; j < taps.length; j++) acc += taps[j]! * padded[k + j]!;
    return acc;
  };
}
