/**
 * The local fallback voice: espeak-ng (no key, no network), converted to the voice's PCM16
 * 24 kHz mono. espeak-ng writes 22 050 Hz WAV; sox resamples it when installed, otherwise a
 * linear resampler in-process does. The text goes in on stdin (never as arguments, so an LLM
 * sentence starting with `-` is not an option), and the processes are killed when stopped.
 */
import { spawn } from 'node:child_process';
import { VOICE_SAMPLE_RATE } from '../../machines/events.ts';
import { TtsError } from './errors.ts';
import { LinearResampler, WavStreamReader } from './pcm.ts';
import { SampleAligner, type EngineSlot, type SpeakRequest, type SpeakResult, type TtsEngine, type VoiceEnginePlugin } from './types.ts';
import { errorText } from '../errors.ts';

export interface EspeakOptions {
  /** Path or name of espeak-ng. Default `espeak-ng`. */
  binary?: string;
  /** espeak-ng voice. Default `en-us`. */
  voice?: string;
  /** Path or name of sox, or null to resample in-process. */
  sox?: string | null;
  /** Words per minute at speed 1. Default 175 (espeak-ng's own default). */
  wpm?: number;
}

/** Runs `binary args` and returns its first output line, or undefined when it cannot run. */
export function probe(binary: string, args: string[], timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    let out = '';
    let done = false;
    const finish = (v: string | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(v);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      return resolve(undefined);
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(undefined);
    }, timeoutMs);
    child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', () => finish(undefined));
    child.on('close', (code) => finish(code === 0 ? (out.split('\n')[0]?.trim() ?? '') : undefined));
  });
}

export interface LocalVoiceProbe {
  /** espeak-ng's version line, when it runs. */
  espeak: string | undefined;
  /** Whether sox runs. */
  sox: boolean;
}

export async function probeLocalVoice(binary = 'espeak-ng', sox = 'sox'): Promise<LocalVoiceProbe> {
  const [espeak, soxVersion] = await Promise.all([probe(binary, ['--version']), probe(sox, ['--version'])]);
  return { espeak, sox: soxVersion !== undefined };
}

export function createEspeakTts(opts: EspeakOptions = {}): TtsEngine & { readonly resampler: 'sox' | 'linear' } {
  const binary = opts.binary ?? 'espeak-ng';
  const voice = opts.voice ?? 'en-us';
  const sox = opts.sox ?? null;
  const baseWpm = opts.wpm ?? 175;

  function speak(req: SpeakRequest): Promise<SpeakResult> {
    return new Promise<SpeakResult>((resolve, reject) => {
      if (req.signal.aborted) return reject(new TtsError('aborted', 'aborted', false));
      const started = performance.now();
      const wpm = String(Math.round(Math.min(450, Math.max(80, baseWpm * (Number.isFinite(req.speed) ? req.speed : 1)))));
      const procs: Array<ReturnType<typeof spawn>> = [];
      let settled = false;
      let samples = 0;
      let firstAudioMs: number | undefined;
      const aligner = new SampleAligner();
      const emit = (pcm: Buffer) => {
        const whole = aligner.push(pcm);
        if (!whole || settled) return;
        firstAudioMs ??= performance.now() - started;
        samples += whole.length / 2;
        req.onAudio(whole);
      };
      const fail = (err: TtsError) => {
        if (settled) return;
        settled = true;
        for (const p of procs) p.kill('SIGKILL');
        req.signal.removeEventListener('abort', onAbort);
        reject(err);
      };
      const onAbort = () => fail(new TtsError('aborted', 'aborted', false));
      req.signal.addEventListener('abort', onAbort, { once: true });
      const spawnError = (name: string) => (err: NodeJS.ErrnoException) =>
        fail(
          err.code === 'ENOENT'
            ? new TtsError('unavailable', `${name} is not installed`, false, { fix: 'install espeak-ng (e.g. `sudo apt install espeak-ng`)' })
            : new TtsError('server', `${name} failed: ${err.message}`, false),
        );

      const espeak = spawn(binary, ['--stdin', '--stdout', '-b', '1', '-v', voice, '-s', wpm], { stdio: ['pipe', 'pipe', 'ignore'] });
      procs.push(espeak);
      espeak.on('error', spawnError('espeak-ng'));
      espeak.stdin.on('error', () => {}); // EPIPE when it dies early: reported by 'close'
      espeak.stdin.end(req.text.replace(/\s+/g, ' ').trim() + '\n', 'utf8');

      // espeak's own sample stream may split a sample between reads, too.
      const aligner2 = new SampleAligner();
      let last = espeak;
      if (sox) {
        const s = spawn(sox, ['-q', '-t', 'wav', '-', '-t', 'raw', '-r', String(VOICE_SAMPLE_RATE), '-e', 'signed-integer', '-b', '16', '-c', '1', '-L', '-'], {
          stdio: ['pipe', 'pipe', 'ignore'],
        });
        procs.push(s);
        s.on('error', spawnError('sox'));
        s.stdin.on('error', () => {});
        espeak.stdout.pipe(s.stdin);
        s.stdout.on('data', (d: Buffer) => emit(d));
        last = s;
      } else {
        const wav = new WavStreamReader();
        let resampler: LinearResampler | undefined;
        espeak.stdout.on('data', (d: Buffer) => {
          try {
            const data = wav.push(d);
            if (!wav.format) return;
            if (wav.format.channels !== 1) throw new Error(`espeak-ng wrote ${wav.format.channels} channels`);
            resampler ??= new LinearResampler(wav.format.sampleRate, VOICE_SAMPLE_RATE);
            const out = resampler.push(aligner2.push(data) ?? Buffer.alloc(0));
            if (out.length) emit(out);
          } catch (err) {
            fail(new TtsError('server', `espeak-ng output unreadable: ${errorText(err)}`, false));
          }
        });
        espeak.stdout.on('end', () => {
          const tail = resampler?.end();
          if (tail?.length) emit(tail);
        });
      }
      if (last !== espeak)
        espeak.on('close', (code) => {
          if (code !== 0 && code !== null) fail(new TtsError('server', `espeak-ng exited with code ${code}`, false));
        });
      last.on('close', (code) => {
        if (settled) return;
        if (code !== 0) return fail(new TtsError('server', `${last === espeak ? 'espeak-ng' : 'sox'} exited with code ${code}`, false));
        settled = true;
        req.signal.removeEventListener('abort', onAbort);
        resolve({ samples, firstAudioMs });
      });
    });
  }

  return { name: 'espeak', resampler: sox ? 'sox' : 'linear', speak };
}

/** The local voice's place in the fallback order (ready when espeak-ng runs). */
export function espeakSlot(engine: TtsEngine | undefined, missing = 'espeak-ng is not installed', notSetUp = false): EngineSlot {
  return {
    name: 'espeak',
    engine,
    describe: () => 'the local espeak-ng voice',
    short: 'espeak-ng',
    speaking: 'the local espeak-ng voice',
    missing,
    notSetUp,
    fix: 'install espeak-ng (`sudo apt install espeak-ng`, `brew install espeak-ng`) for a local voice',
  };
}

export const espeakVoice: VoiceEnginePlugin<'espeak'> = {
  name: 'espeak',
  async open({ localVoice, espeakBinary = 'espeak-ng', soxBinary = 'sox' }) {
    if (localVoice === false) return espeakSlot(undefined, 'the local voice is turned off', true);
    const local = await probeLocalVoice(espeakBinary, soxBinary);
    return espeakSlot(local.espeak ? createEspeakTts({ binary: espeakBinary, sox: local.sox ? soxBinary : null }) : undefined);
  },
};
