import { LiveTranscriptionEvents, type LiveSchema } from '@deepgram/sdk';
import type { InputEvent } from '../../machines/events.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { standaloneChildren, tell, type ChildHost } from '../children.ts';
import type { Backoff } from '../../machines/reconnect.ts';
import { openDeepgramLive } from './deepgramClient.ts';
import { closeError, transportError, type SttError } from './errors.ts';

/**
 * Deepgram live transcription through @deepgram/sdk v4 (`listen.live`): one WebSocket at a time,
 * 16 kHz mono linear16 in, `stt.*` events out.
 *
 * - KeepAlive (a text frame) whenever no audio went out for `keepAliveMs` (4 s), so silence
 *   never hits Deepgram's ~10 s NET-0001 timeout; CloseStream before closing, so the last words
 *   are transcribed; Finalize when the audio source ends, when the audio pauses (before the first
 *   KeepAlive) and before CloseStream, so words Deepgram holds back until endpointing are kept.
 * - When to connect, wait and stop is the reconnect machine's (machines/reconnect.ts), fed with
 *   each failure's class (src/errors.ts): a dropped stream reconnects with capped exponential
 *   backoff (with jitter; from 5 s when Deepgram says 429); the backoff only resets after a
 *   connection stayed up `stableMs`, so a server that accepts and drops at once is not hammered.
 *   Audio arriving meanwhile is kept (up to `maxBufferMs`) and sent on reconnect.
 * - Failures that retrying cannot fix (401/403 key, 402 credit, 400 settings, undecodable audio)
 *   stop: `stt` goes `down` with the fix, and nothing is retried until a restart.
 * - `stt: up` only while audio bytes actually go out on the open stream (machines/arrivals.ts):
 *   an open stream is `starting` until the first bytes, `down` when none come within
 *   `firstAudioMs` or stop for `audioGapMs`, `up` again as soon as they flow.
 */

export type SttInputEvent = Extract<InputEvent, { type: 'stt.words' | 'stt.voiceActivity' | 'stt.utteranceEnd' }>;

/**
 * A listener for one of the SDK's events: each event has its own payload, so listeners are
 * checked bivariantly (a method signature), as the SDK's own `on` does.
 */
type LiveListener = { bivariance(payload: unknown): void }['bivariance'];

/** The part of the SDK's ListenLiveClient used here (tests may pass a fake). */
export interface LiveClientLike {
  on(event: string, listener: LiveListener): unknown;
  send(data: ArrayBufferLike | string): void;
  keepAlive(): void;
  finalize(): void;
  requestClose(): void;
  disconnect(code?: number, reason?: string): void;
  isConnected(): boolean;
}

export interface DeepgramLiveOptions {
  /** Where the stream's reconnect machine runs (in Pickle: the orchestrator's children). */
  children?: ChildHost;
  key: string;
  /** DEEPGRAM_URL: base URL (https://api.deepgram.com, or a stand-in); http(s) or ws(s). */
  url?: string;
  model?: string;
  language?: string;
  sampleRate?: number;
  endpointingMs?: number;
  utteranceEndMs?: number;
  keepAliveMs?: number;
  backoff?: Backoff;
  stableMs?: number;
  connectTimeoutMs?: number;
  closeTimeoutMs?: number;
  maxBufferMs?: number;
  /** From the stream opening to the first audio sent before `stt` is `down` (default 10 s). */
  firstAudioMs?: number;
  /** Longest pause in the audio sent before `stt` is `down` (default 5 s). */
  audioGapMs?: number;
  /** What is being heard, for the status line ("the microphone", "file x.wav"). */
  label?: string;
  log: Logger;
  status: StatusBoard;
  onEvent: (event: SttInputEvent) => void;
  random?: () => number;
  now?: () => number;
  /** Opens one live connection (default: the Deepgram SDK over the `ws` package). */
  openClient?: (schema: LiveSchema) => LiveClientLike;
}

export const DEEPGRAM_STT_BACKOFF: Backoff = { baseMs: 500, maxMs: 30_000 };

export type LiveState = 'idle' | 'connecting' | 'open' | 'waiting' | 'failed' | 'stopped';

export interface LiveStats {
  state: LiveState;
  connects: number;
  opens: number;
  keepAlives: number;
  bytesSent: number;
  /** Audio dropped because the buffer for a reconnect was full. */
  bytesDropped: number;
  lastError: SttError | undefined;
}

export interface DeepgramLive {
  start(): void;
  /** PCM16 LE, 16 kHz mono (any length; whole samples). */
  sendAudio(chunk: Buffer): void;
  /** The source ended: ask Deepgram for the last words now. */
  finalize(): void;
  stop(): Promise<void>;
  stats(): LiveStats;
  /** The source's name became known (a microphone names its device once open): the status line says it. */
  relabelled(): void;
}

/** The WebSocket base URL the SDK should use for DEEPGRAM_URL. */
export function liveBaseUrl(url: string | undefined): string {
  const base = url ?? 'https://api.deepgram.com';
  return base.replace(/^http(s?):/i, 'ws$1:').replace(/\/+$/, '');
}

/** Streams opened so far in this process (names each one's machine). */
let streams = 0;

export function createDeepgramLive(opts: DeepgramLiveOptions): DeepgramLive {
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const model = opts.model ?? 'nova-3';
  const sampleRate = opts.sampleRate ?? 16_000;
  const keepAliveMs = opts.keepAliveMs ?? 4_000;
  const backoff = opts.backoff ?? DEEPGRAM_STT_BACKOFF;
  const stableMs = opts.stableMs ?? 10_000;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
  const closeTimeoutMs = opts.closeTimeoutMs ?? 3_000;
  const maxBufferBytes = Math.round(((opts.maxBufferMs ?? 3_000) * sampleRate * 2) / 1000);
  const labelOf = () => opts.label ?? 'the microphone';
  const { log, status } = opts;

  const schema: LiveSchema = {
    model,
    ...(opts.language ? { language: opts.language } : {}),
    encoding: 'linear16',
    sample_rate: sampleRate,
    channels: 1,
    interim_results: true,
    endpointing: opts.endpointingMs ?? 300,
    utterance_end_ms: opts.utteranceEndMs ?? 1000,
    vad_events: true,
    smart_format: true,
  };

  const openClient =
    opts.openClient ??
    ((s: LiveSchema): LiveClientLike => openDeepgramLive(opts.key, liveBaseUrl(opts.url), s));

  // One machine per stream (ears off and on again opens a new stream): a systemId of its own.
  const children = opts.children ?? standaloneChildren();
  const systemId = `reconnect:deepgram-live:${(streams += 1)}`;
  const link = children.start({ src: 'reconnect', systemId, input: { ...backoff, stableMs, connectTimeoutMs } });
  // Whether audio reaches Deepgram while the stream is open; reported at most every 500 ms.
  const flowId = `arrivals:deepgram-live:${streams}`;
  const flow = children.start({ src: 'arrivals', systemId: flowId, input: { firstMs: opts.firstAudioMs ?? 10_000, gapMs: opts.audioGapMs ?? 5_000 } });
  let reportedAt = -Infinity;
  const audioWent = () => {
    const t = now();
    if (t - reportedAt < 500) return;
    reportedAt = t;
    tell(flow, { type: 'arrivals.arrived' });
  };
  const showHearing = () => status.set('stt', 'up', `hearing ${labelOf()} (Deepgram ${model})`);
  flow.on('arrivals.flowing', () => {
    if (stateOf() === 'open') showHearing();
  });
  flow.on('arrivals.stalled', (e) => {
    // A more precise fault (the microphone page's) stays.
    if (stateOf() !== 'open' || status.get('stt')?.state === 'down') return;
    const s = Number((e.afterMs / 1000).toFixed(1));
    const what = e.arrivedBefore ? `no audio from ${labelOf()} has reached Deepgram for ${s} s` : `no audio from ${labelOf()} reached Deepgram in ${s} s`;
    status.set('stt', 'down', `${what}: Pickle cannot hear you`, {
      fix: 'check that the microphone is plugged in and not taken by another program (`npm start -- --list-devices`), or the audio piped in / AUDIO_INPUT_FILE',
      lastError: what,
    });
  });
  // Late socket events after stop() are dropped by `tell` (the machine has left the system).
  const stateOf = (): LiveState => {
    const v = link.getSnapshot().value;
    if (v === 'connected') return 'open';
    if (v === 'renewing') return 'waiting';
    if (v === 'givenUp') return 'failed';
    return v;
  };
  let client: LiveClientLike | undefined;
  let lastSentAt = now();
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let keepAliveTimer: NodeJS.Timeout | undefined;
  let onClosed: (() => void) | undefined;
  let finalizeOnOpen = false;
  let finalizedSincePause = false;
  const stats: Omit<LiveStats, 'state'> = { connects: 0, opens: 0, keepAlives: 0, bytesSent: 0, bytesDropped: 0, lastError: undefined };

  const clearConnectionTimers = () => {
    clearInterval(keepAliveTimer);
    keepAliveTimer = undefined;
  };

  /** Let go of connection `c` (closed, failed, timed out). */
  const drop = (c: LiveClientLike | undefined) => {
    clearConnectionTimers();
    client = undefined;
    try {
      c?.disconnect();
    } catch {
      /* already closed */
    }
  };

  link.on('connection.open', () => connect());
  link.on('connection.retrying', (e) => {
    if (e.cause === 'timeout') {
      stats.lastError = transportError({ message: 'connect timed out (ETIMEDOUT)' });
      drop(client);
    }
    const err = stats.lastError;
    const message = err?.message ?? e.reason;
    log.warn({ event: 'stt.reconnect', kind: err?.kind, err: message, delayMs: e.retryInMs, attempt: e.attempt }, 'Deepgram stream lost; reconnecting');
    status.set('stt', 'down', `${message}; reconnecting in ${(e.retryInMs / 1000).toFixed(1)} s`, { lastError: message });
  });
  link.on('connection.failed', (e) => {
    pending = [];
    pendingBytes = 0;
    const err = stats.lastError;
    log.error({ event: 'stt.failed', kind: err?.kind, status: err?.status, err: e.reason }, 'Deepgram transcription stopped');
    status.set('stt', 'down', `${e.reason}: Pickle cannot hear you`, { ...(e.fix ? { fix: e.fix } : {}), lastError: e.reason });
  });

  function connect(): void {
    stats.connects += 1;
    if (stats.opens === 0) status.set('stt', 'starting', `connecting to Deepgram (${model})…`);
    let c: LiveClientLike;
    try {
      c = openClient(schema);
    } catch (err) {
      return ended(undefined, transportError(err as Error));
    }
    client = c;
    let error: SttError | undefined;
    const mine = () => client === c;

    c.on(LiveTranscriptionEvents.Open, () => {
      if (!mine()) return;
      const attempt = link.getSnapshot().context.failures;
      tell(link, { type: 'connection.opened' });
      stats.opens += 1;
      log.info({ event: 'stt.open', model, attempt }, 'Deepgram stream open');
      status.set('stt', 'starting', `connected to Deepgram (${model}); waiting for audio from ${labelOf()}…`);
      reportedAt = -Infinity;
      tell(flow, { type: 'arrivals.watch' });
      lastSentAt = now();
      flushPending(c);
      if (finalizeOnOpen) {
        finalizeOnOpen = false;
        c.finalize();
      }
      const tick = Math.max(20, Math.min(1000, Math.floor(keepAliveMs / 4)));
      keepAliveTimer = setInterval(() => {
        if (!mine() || stateOf() !== 'open') return;
        if (now() - lastSentAt >= keepAliveMs) {
          // The audio paused (a muted mic): Deepgram keeps the last words until told to finalize.
          if (!finalizedSincePause) {
            finalizedSincePause = true;
            c.finalize();
          }
          c.keepAlive();
          stats.keepAlives += 1;
          lastSentAt = now();
        }
      }, tick);
    });
    c.on(LiveTranscriptionEvents.Error, (e: { message?: string; statusCode?: number }) => {
      if (!mine()) return;
      error = transportError(e);
      log.warn({ event: 'stt.error', kind: error.kind, status: error.status, err: error.message }, 'Deepgram connection error');
      // ws always follows an error with a close; in case it does not, end here after a moment.
      const failed = error;
      setTimeout(() => mine() && (stateOf() === 'connecting' || stateOf() === 'open') && ended(c, failed), 1000).unref();
    });
    c.on(LiveTranscriptionEvents.Close, (e: { code?: number; reason?: string | Buffer }) => {
      if (!mine()) return;
      const code = e?.code ?? 1006;
      const reason = e?.reason ? String(e.reason) : '';
      log.info({ event: 'stt.close', code, reason }, 'Deepgram stream closed');
      ended(c, error ?? closeError(code, reason));
    });
    c.on(LiveTranscriptionEvents.Transcript, (data: DeepgramResults) => {
      if (!mine()) return;
      const text = data?.channel?.alternatives?.[0]?.transcript ?? '';
      const isFinal = data?.is_final === true;
      // An answer to Finalize ends what was said so far (the file ended, the mic paused).
      const fromFinalize = data?.from_finalize === true;
      if (typeof text !== 'string' || ((!isFinal || fromFinalize) && !text.trim())) return;
      opts.onEvent({ type: 'stt.words', text, final: isFinal, endOfUtterance: data.speech_final === true || fromFinalize, ts: now() });
    });
    c.on(LiveTranscriptionEvents.SpeechStarted, () => mine() && opts.onEvent({ type: 'stt.voiceActivity', ts: now() }));
    c.on(LiveTranscriptionEvents.UtteranceEnd, () => mine() && opts.onEvent({ type: 'stt.utteranceEnd', ts: now() }));
    c.on(LiveTranscriptionEvents.Metadata, (m: { request_id?: string; duration?: number }) => {
      if (mine()) log.debug({ event: 'stt.metadata', requestId: m?.request_id, duration: m?.duration }, 'Deepgram metadata');
    });
  }

  /** The connection `c` is over (closed, failed): the machine decides whether to reconnect. */
  function ended(c: LiveClientLike | undefined, err: SttError): void {
    if (c && client !== c) return;
    drop(c);
    tell(flow, { type: 'arrivals.unwatch' });
    if (stateOf() === 'stopped') {
      onClosed?.();
      return;
    }
    stats.lastError = err;
    tell(link, { type: 'connection.lost', failure: err.failureClass, reason: err.message, jitter: random(), ...(err.fix ? { fix: err.fix } : {}) });
  }

  function flushPending(c: LiveClientLike): void {
    for (const chunk of pending) {
      c.send(toArrayBuffer(chunk));
      stats.bytesSent += chunk.length;
    }
    if (pending.length) audioWent();
    if (pending.length) lastSentAt = now();
    pending = [];
    pendingBytes = 0;
  }

  return {
    start() {
      if (stateOf() === 'idle') tell(link, { type: 'connection.start' });
    },
    relabelled() {
      // Audio can reach Deepgram before the microphone page names its device.
      if (stateOf() === 'open' && status.get('stt')?.state === 'up') showHearing();
    },
    sendAudio(chunk) {
      const state = stateOf();
      if (chunk.length === 0 || state === 'stopped' || state === 'failed') return;
      if (state === 'open' && client?.isConnected()) {
        client.send(toArrayBuffer(chunk));
        stats.bytesSent += chunk.length;
        audioWent();
        lastSentAt = now();
        finalizedSincePause = false;
        return;
      }
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes > maxBufferBytes && pending.length > 1) {
        const dropped = pending.shift()!;
        pendingBytes -= dropped.length;
        stats.bytesDropped += dropped.length;
      }
    },
    finalize() {
      if (stateOf() === 'open' && client?.isConnected()) client.finalize();
      else if (pendingBytes > 0) finalizeOnOpen = true;
    },
    async stop() {
      if (stateOf() === 'stopped') return;
      const c = client;
      const wasOpen = stateOf() === 'open' && c?.isConnected();
      tell(link, { type: 'connection.stop' });
      clearConnectionTimers();
      if (c && wasOpen) {
        // CloseStream: Deepgram sends what is left, then Metadata, then closes.
        const closed = new Promise<void>((resolve) => {
          onClosed = resolve;
          setTimeout(resolve, closeTimeoutMs).unref();
        });
        // Finalize first: the words Deepgram still holds come back as a final result before the close.
        c.finalize();
        c.requestClose();
        await closed;
      }
      client = undefined;
      try {
        c?.disconnect();
      } catch {
        /* already closed */
      }
      children.stop(systemId);
      children.stop(flowId);
    },
    stats: () => ({ ...stats, state: stateOf() }),
  };
}

interface DeepgramResults {
  is_final?: boolean;
  from_finalize?: boolean;
  speech_final?: boolean;
  channel?: { alternatives?: Array<{ transcript?: string; confidence?: number }> };
}

function toArrayBuffer(chunk: Buffer): ArrayBuffer {
  return chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength) as ArrayBuffer;
}
