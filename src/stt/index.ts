import type { Readable } from 'node:stream';
import type { PickleEvent, PickleEventType } from '../../machines/events.ts';
import { AudioInputError, fileSource, microphoneSource, streamSource, type AudioInput } from '../audio/inputs.ts';
import type { PortAudioLoad } from '../audio/portaudio.ts';
import type { Env } from '../config/env.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { createDeepgramLive, type DeepgramLive, type LiveStats } from './deepgram.ts';

/**
 * Ears: the streamer's voice → Deepgram → `stt.*` events for the speech machine.
 * Started by the app; reports `stt` on the status board in every case (disabled with the step
 * that enables it, down with the fix, up while hearing).
 */

export interface EarsTuning {
  keepAliveMs?: number;
  backoffMs?: number;
  stableMs?: number;
  closeTimeoutMs?: number;
  /** Audio chunk size in ms (default 100). */
  chunkMs?: number;
  /** Stands in for process.stdin with AUDIO_INPUT_FILE=-. */
  stdin?: Readable;
  loadPortAudio?: () => Promise<PortAudioLoad>;
}

export interface EarsOptions {
  env: Env;
  log: Logger;
  status: StatusBoard;
  send: (event: PickleEvent) => void;
  /** Subscribe to the orchestrator's outputs. */
  on: <T extends PickleEventType>(type: T, listener: (event: Extract<PickleEvent, { type: T }>) => void) => void;
  panel?: { emit(event: string, data: unknown): unknown };
  tuning?: EarsTuning;
}

export interface Ears {
  /** What is heard from ("the microphone", "file x.wav", "stdin"), when listening. */
  source: string | undefined;
  stats(): LiveStats | undefined;
  stop(): Promise<void>;
}

const idle: Ears = { source: undefined, stats: () => undefined, stop: async () => {} };

export async function startEars(opts: EarsOptions): Promise<Ears> {
  const { env, log, status } = opts;
  const t = opts.tuning ?? {};

  if (!env.STT_ENABLED) {
    status.set('stt', 'disabled', 'STT_ENABLED=false: Pickle does not listen to your microphone', { fix: 'set STT_ENABLED=true in .env' });
    return idle;
  }
  if (!env.DEEPGRAM_API_KEY) {
    status.set('stt', 'disabled', 'no DEEPGRAM_API_KEY: Pickle cannot hear you (chat still works)', {
      fix: 'set DEEPGRAM_API_KEY in .env (https://console.deepgram.com) to talk to Pickle out loud',
    });
    return idle;
  }

  const file = env.AUDIO_INPUT_FILE;
  if (file === '-' && !t.stdin && process.stdin.isTTY) {
    status.set('stt', 'down', 'AUDIO_INPUT_FILE=- but nothing is piped in: Pickle cannot hear you', {
      fix: 'pipe raw 16 kHz mono 16-bit audio in (e.g. `sox -d -t raw -r 16000 -c 1 -b 16 -e signed - | npm start`), or unset AUDIO_INPUT_FILE to use the microphone',
    });
    return idle;
  }
  const input: AudioInput =
    file === '-'
      ? streamSource(t.stdin ?? process.stdin, 'stdin', t.chunkMs ? { chunkMs: t.chunkMs } : {})
      : file
        ? fileSource(file, t.chunkMs ? { chunkMs: t.chunkMs } : {})
        : microphoneSource(env.AUDIO_INPUT_DEVICE, t.loadPortAudio);

  // Created first (not connected yet) so that no audio is lost: it is kept until the stream opens.
  const live: DeepgramLive = createDeepgramLive({
    key: env.DEEPGRAM_API_KEY,
    ...(env.DEEPGRAM_URL ? { url: env.DEEPGRAM_URL } : {}),
    model: env.STT_MODEL,
    ...(env.STT_LANGUAGE ? { language: env.STT_LANGUAGE } : {}),
    get label() {
      return input.label;
    },
    log,
    status,
    onEvent: (e) => opts.send(e),
    ...(t.keepAliveMs ? { keepAliveMs: t.keepAliveMs } : {}),
    ...(t.backoffMs ? { backoff: { baseMs: t.backoffMs, maxMs: t.backoffMs * 8 } } : {}),
    ...(t.stableMs ? { stableMs: t.stableMs } : {}),
    ...(t.closeTimeoutMs ? { closeTimeoutMs: t.closeTimeoutMs } : {}),
  });
  try {
    await input.start(
      (pcm) => live.sendAudio(pcm),
      () => {
        log.info({ event: 'stt.input-ended', source: input.label }, 'audio input ended');
        live.finalize();
      },
    );
  } catch (err) {
    await live.stop();
    if (!(err instanceof AudioInputError)) throw err;
    log.warn({ event: 'stt.input', err: err.message }, 'no audio input');
    status.set('stt', err.state, `${err.message}: Pickle cannot hear you`, { fix: err.fix, lastError: err.message });
    return idle;
  }
  live.start();

  opts.on('speech.final', (e) => {
    log.info({ event: 'speech', chars: e.text.length }, 'streamer spoke');
    log.debug({ event: 'speech.text', text: e.text }, 'streamer said');
    opts.panel?.emit('transcript', { kind: 'speech', user: 'streamer', text: e.text, ts: e.ts });
  });
  opts.on('speech.ignored', (e) => {
    log.debug({ event: 'speech.ignored', reason: e.reason, chars: e.text.length }, 'transcript ignored');
  });

  const current = live;
  return {
    source: input.label,
    stats: () => current.stats(),
    async stop() {
      await input.stop();
      await current.stop();
    },
  };
}
