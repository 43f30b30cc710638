import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { RealtimePacer } from './pacer.ts';
import { findInputDevice, loadPortAudio, MICROPHONE_FIX, type PortAudioLoad, type PortAudioStream } from './portaudio.ts';
import { STT_SAMPLE_RATE, wavToPcm16Mono } from './wav.ts';
import { errorText } from '../errors.ts';

/**
 * Where the streamer's voice comes from: all give 16 kHz mono PCM16 chunks in real time.
 * - `fileSource`: a WAV file (any rate/channels/bit depth, converted), played once.
 * - `streamSource`: raw PCM16 16 kHz mono from a stream (stdin with AUDIO_INPUT_FILE=-), paced
 *   to real time with backpressure, so `sox … | npm start` and a live pipe from OBS both work.
 * - `microphoneSource`: a sound device through naudiodon (AUDIO_INPUT_DEVICE by name).
 */

export interface AudioInput {
  /** For the status line: "the microphone", "file voice.wav", "stdin". */
  readonly label: string;
  /** Starts delivering audio; rejects with an AudioInputError when the source cannot start. */
  start(onChunk: (pcm: Buffer) => void, onEnd: () => void): Promise<void>;
  stop(): Promise<void>;
}

export class AudioInputError extends Error {
  constructor(
    message: string,
    readonly state: 'down' | 'disabled',
    readonly fix: string,
  ) {
    super(message);
    this.name = 'AudioInputError';
  }
}

const BYTES_PER_SECOND = STT_SAMPLE_RATE * 2;

export function fileSource(path: string, opts: { chunkMs?: number } = {}): AudioInput {
  let pacer: RealtimePacer | undefined;
  const name = path.split(/[\\/]/).pop() ?? path;
  return {
    label: `file ${name}`,
    async start(onChunk, onEnd) {
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (err) {
        throw new AudioInputError(`cannot read AUDIO_INPUT_FILE ${path} (${(err as NodeJS.ErrnoException).code ?? errorText(err)})`, 'down', 'set AUDIO_INPUT_FILE to an existing WAV file, or `-` for stdin');
      }
      let pcm: Buffer;
      try {
        pcm = wavToPcm16Mono(bytes).pcm;
      } catch (err) {
        throw new AudioInputError(`AUDIO_INPUT_FILE ${path}: ${errorText(err)}`, 'down', 'use a .wav file (e.g. `sox input.mp3 voice.wav`), or pipe raw audio with AUDIO_INPUT_FILE=-');
      }
      pacer = new RealtimePacer({ bytesPerSecond: BYTES_PER_SECOND, ...(opts.chunkMs ? { chunkMs: opts.chunkMs } : {}), onChunk, onEnd });
      pacer.push(pcm);
      pacer.end();
      pacer.start();
    },
    async stop() {
      pacer?.stop();
    },
  };
}

/** Raw PCM16 LE, 16 kHz mono, from a stream (stdin). */
export function streamSource(stream: Readable, label = 'stdin', opts: { chunkMs?: number; highWaterMs?: number } = {}): AudioInput {
  let pacer: RealtimePacer | undefined;
  let cleanup = () => {};
  const highWater = ((opts.highWaterMs ?? 2000) * BYTES_PER_SECOND) / 1000;
  return {
    label,
    async start(onChunk, onEnd) {
      let resumeTimer: NodeJS.Timeout | undefined;
      const p = new RealtimePacer({
        bytesPerSecond: BYTES_PER_SECOND,
        ...(opts.chunkMs ? { chunkMs: opts.chunkMs } : {}),
        onChunk,
        onEnd: () => {
          clearInterval(resumeTimer);
          onEnd();
        },
      });
      pacer = p;
      const onData = (data: Buffer | string) => {
        p.push(typeof data === 'string' ? Buffer.from(data, 'binary') : data);
        if (p.queued > highWater) stream.pause();
      };
      const onStreamEnd = () => p.end();
      const onError = () => p.end();
      stream.on('data', onData);
      stream.once('end', onStreamEnd);
      stream.once('error', onError);
      // Backpressure: resume reading once the pacer has sent most of what was queued.
      resumeTimer = setInterval(() => {
        if (stream.isPaused() && p.queued < highWater / 2) stream.resume();
      }, 50);
      stream.resume();
      p.start();
      cleanup = () => {
        clearInterval(resumeTimer);
        stream.off('data', onData);
        stream.off('end', onStreamEnd);
        stream.off('error', onError);
        stream.pause();
      };
    },
    async stop() {
      cleanup();
      pacer?.stop();
    },
  };
}

/** A sound device through naudiodon, 16 kHz mono 16-bit (PortAudio converts where the host API can). */
export function microphoneSource(deviceName: string | undefined, load: () => Promise<PortAudioLoad> = loadPortAudio): AudioInput {
  let io: PortAudioStream | undefined;
  let label = deviceName ? `microphone "${deviceName}"` : 'the microphone';
  return {
    get label() {
      return label;
    },
    async start(onChunk) {
      const pa = await load();
      if (!pa.ok) throw new AudioInputError(`no microphone support: ${pa.reason}`, 'disabled', MICROPHONE_FIX);
      let deviceId = -1;
      if (deviceName) {
        let devices;
        try {
          devices = pa.module.getDevices();
        } catch (err) {
          throw new AudioInputError(`cannot list sound devices (${errorText(err)})`, 'down', 'check your sound setup, or use AUDIO_INPUT_FILE');
        }
        const device = findInputDevice(devices, deviceName);
        if (!device) {
          const names = devices.filter((d) => d.maxInputChannels > 0).map((d) => d.name);
          throw new AudioInputError(
            `no input device named "${deviceName}"${names.length ? ` (there are: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''})` : ''}`,
            'down',
            'run `npm start -- --list-devices` and set AUDIO_INPUT_DEVICE to one of the names (or leave it empty for the default microphone)',
          );
        }
        deviceId = device.id;
        label = `microphone "${device.name}"`;
      }
      try {
        io = new pa.module.AudioIO({
          inOptions: { channelCount: 1, sampleFormat: pa.module.SampleFormat16Bit, sampleRate: STT_SAMPLE_RATE, deviceId, closeOnError: false },
        });
        io.on('data', (chunk: Buffer) => onChunk(chunk));
        io.on('error', () => {});
        io.start();
      } catch (err) {
        throw new AudioInputError(`cannot open ${label} at 16 kHz mono (${errorText(err)})`, 'down', 'pick another device with AUDIO_INPUT_DEVICE (`npm start -- --list-devices`)');
      }
    },
    async stop() {
      const current = io;
      io = undefined;
      if (!current) return;
      // naudiodon's quit takes a callback (some versions return a promise); never hang on it.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        const done = () => (clearTimeout(timer), resolve());
        try {
          const ret = current.quit(done) as unknown;
          if (ret && typeof (ret as Promise<void>).then === 'function') (ret as Promise<void>).then(done, done);
        } catch {
          done();
        }
      });
    },
  };
}
