import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import wavefile from 'wavefile';

const run = promisify(execFile);

/** espeak-ng is installed (CI installs it; see .ci/run). */
export const hasEspeak = await run('espeak-ng', ['--version']).then(
  () => true,
  () => false,
);

export const fixturesDir = mkdtempSync(join(tmpdir(), 'pickle-ears-'));

/** Real speech: espeak-ng writes a 22,050 Hz mono 16-bit WAV. */
export async function speechWav(text: string, name = 'speech.wav'): Promise<string> {
  const path = join(fixturesDir, name);
  await run('espeak-ng', ['-s', '160', '-w', path, text]);
  return path;
}

/** A pure tone WAV at any rate / channel count / bit depth (e.g. 44.1 kHz stereo 32-bit float). */
export function toneWav(opts: { hz: number; seconds: number; sampleRate: number; channels: number; bitDepth: '16' | '24' | '32f'; amplitude?: number }, name = 'tone.wav'): string {
  const n = Math.round(opts.seconds * opts.sampleRate);
  const a = opts.amplitude ?? 0.5;
  const chan = Array.from({ length: opts.channels }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const v = a * Math.sin((2 * Math.PI * opts.hz * i) / opts.sampleRate);
    for (const c of chan) c[i] = v;
  }
  const wav = new wavefile.WaveFile();
  wav.fromScratch(opts.channels, opts.sampleRate, '32f', opts.channels === 1 ? chan[0]! : chan);
  if (opts.bitDepth !== '32f') wav.toBitDepth(opts.bitDepth);
  const path = join(fixturesDir, name);
  writeFileSync(path, wav.toBuffer());
  return path;
}

/** Duration of a WAV file in ms. */
export function wavDurationMs(bytes: Uint8Array): number {
  const wav = new wavefile.WaveFile(bytes);
  const fmt = wav.fmt as { sampleRate: number; numChannels: number };
  const samples = wav.getSamples(true, Float64Array);
  return (samples.length / fmt.numChannels / fmt.sampleRate) * 1000;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
