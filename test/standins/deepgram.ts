/**
 * Deepgram TTS stand-in: `POST /v1/speak` (and `GET /v1/projects`) as Deepgram's REST API answers them, on 127.0.0.1.
 *
 * Checks what Deepgram checks (`Authorization: Token <key>`, the model name, encoding /
 * sample_rate / container / speed, the JSON body and its 2,000-character limit) and answers
 * errors the way Deepgram does: JSON `{err_code, err_msg, request_id}` with 400/401/402/429/5xx.
 * Audio is real and deterministic: a voiced tone whose loudness follows the letters of the text
 * (so lip-sync has something to follow), `msPerChar` long per character, streamed in chunks of
 * arbitrary (odd) size after a time-to-first-byte, faster than real time like the real service.
 * `linear16` only (the real API also does mp3/opus/flac/aac/mulaw/alaw: those get a 400 here).
 * Without `container=none`, linear16 comes as WAV (44-byte header first), as Deepgram sends it.
 *
 * Knobs: ttfbMs (slow), realtimeFactor, chunkBytes, status (always fail), failNext (fail the
 * next n requests), dropAfterChunks (cut the connection mid-stream), stallAfterChunks (stop
 * sending and wait), keys (which API keys are valid).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DeepgramStandinKnobs {
  /** Valid API keys (`Authorization: Token <key>`). */
  keys: string[];
  /** Time to first byte: headers and the first audio go out together after this. */
  ttfbMs: number;
  /** Length of the audio per character of text, at speed 1. */
  msPerChar: number;
  /** How much faster than real time the audio is sent (Infinity: all at once after the first byte). */
  realtimeFactor: number;
  /** Bytes per chunk; odd by default, so chunks split samples the way a network does. */
  chunkBytes: number;
  /** Every request fails with this status (null: off). */
  status: null | 400 | 401 | 402 | 403 | 429 | 500 | 502 | 503;
  /** Destroy the connection after this many audio chunks (null: off). */
  dropAfterChunks: number | null;
  /** Stop sending after this many chunks and keep the connection open (null: off). */
  stallAfterChunks: number | null;
  /** Requests answered at the same time; one more gets 429 TOO_MANY_REQUESTS, as Deepgram's
   *  per-project concurrency limit does (null: no limit). Low by default so Pickle's bound is tested. */
  maxConcurrent: number | null;
}

export interface SpeakRecord {
  at: number;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  text: string | undefined;
  status: number;
  errCode?: string;
  /** Audio bytes sent (after the WAV header, when there was one). */
  audio: Buffer;
  /** Whole samples in `audio`. */
  samples: number;
  /** Samples the full response would have had. */
  totalSamples: number;
  outcome: 'ok' | 'error' | 'dropped' | 'stalled' | 'client-closed';
  /** performance.now() when the first audio bytes were written (this process's clock). */
  firstByteAt?: number;
}

export type DeepgramStandinOptions = Partial<DeepgramStandinKnobs>;

export interface DeepgramStandin extends DeepgramStandinKnobs {
  readonly url: string;
  readonly port: number;
  readonly requests: SpeakRecord[];
  readonly events: EventEmitter<{ request: [SpeakRecord]; response: [SpeakRecord] }>;
  /** Most requests that were being answered at once (429s not counted). */
  readonly peakConcurrent: number;
  /** The next `n` requests fail with `status` (before `status`/faults are looked at). */
  failNext(status: number, n?: number): void;
  /** Resolves when the next response ends (however it ends). */
  nextResponse(): Promise<SpeakRecord>;
  /** The PCM a request for `text` gets (same text, same options → same audio). */
  audioFor(text: string, opts?: { sampleRate?: number; speed?: number }): Buffer;
  close(): Promise<void>;
}

const MODEL_RE = /^aura-(?:2-)?[a-z]+-[a-z]{2}$/;
const ENCODINGS = ['linear16', 'mulaw', 'alaw', 'mp3', 'opus', 'flac', 'aac'];
const LINEAR16_RATES = [8000, 16000, 24000, 32000, 48000];
const MAX_CHARS = 2000;

const ERRORS: Record<number, [string, string]> = {
  400: ['Bad Request', 'Bad Request'],
  401: ['INVALID_AUTH', 'Invalid credentials.'],
  402: ['ASR_PAYMENT_REQUIRED', 'Project does not have enough credits for an API request.'],
  403: ['INSUFFICIENT_PERMISSIONS', 'This key does not have access to this endpoint.'],
  413: ['PAYLOAD_TOO_LARGE', `Text exceeds the maximum of ${MAX_CHARS} characters.`],
  429: ['TOO_MANY_REQUESTS', 'Too many requests. Please try again later.'],
  500: ['INTERNAL_SERVER_ERROR', 'An internal server error occurred.'],
  502: ['BAD_GATEWAY', 'Bad gateway.'],
  503: ['SERVICE_UNAVAILABLE', 'The service is temporarily unavailable.'],
};

/** A voiced tone (140 Hz plus harmonics) whose loudness follows the text: letters loud, spaces soft, punctuation silent. */
export function toneFor(text: string, sampleRate: number, msPerChar: number, speed = 1): Buffer {
  const chars = Array.from(text.length > 0 ? text : ' ');
  const perChar = Math.max(1, Math.round(((msPerChar / speed) * sampleRate) / 1000));
  const n = chars.length * perChar;
  const out = Buffer.alloc(n * 2);
  const level = (c: string | undefined) => (c === undefined ? 0 : /[\p{L}\p{N}]/u.test(c) ? 0.55 : c === ' ' ? 0.08 : 0);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(i / perChar);
    const f = (i % perChar) / perChar;
    // Smooth between neighbouring characters so the envelope has no clicks.
    const a = level(chars[k]) * (1 - f) + level(chars[k + 1] ?? chars[k]) * f;
    const t = i / sampleRate;
    const v = a * (0.6 * Math.sin(2 * Math.PI * 140 * t) + 0.3 * Math.sin(2 * Math.PI * 280 * t) + 0.1 * Math.sin(2 * Math.PI * 420 * t));
    out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32767))), i * 2);
  }
  return out;
}

function wavHeader(dataBytes: number, sampleRate: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

export async function startDeepgramStandin(opts: DeepgramStandinOptions = {}): Promise<DeepgramStandin> {
  const knobs: DeepgramStandinKnobs = {
    keys: opts.keys ?? ['test-key'],
    ttfbMs: opts.ttfbMs ?? 0,
    msPerChar: opts.msPerChar ?? 60,
    realtimeFactor: opts.realtimeFactor ?? 8,
    chunkBytes: opts.chunkBytes ?? 2401,
    status: opts.status ?? null,
    dropAfterChunks: opts.dropAfterChunks ?? null,
    stallAfterChunks: opts.stallAfterChunks ?? null,
    maxConcurrent: opts.maxConcurrent === undefined ? 2 : opts.maxConcurrent,
  };
  let inFlight = 0;
  let peakInFlight = 0;
  const requests: SpeakRecord[] = [];
  const events = new EventEmitter<{ request: [SpeakRecord]; response: [SpeakRecord] }>();
  const failQueue: number[] = [];

  function finish(rec: SpeakRecord): void {
    events.emit('response', rec);
  }

  function sendError(res: http.ServerResponse, rec: SpeakRecord, status: number, msg?: string): void {
    const [code, text] = ERRORS[status] ?? ['ERROR', 'Error'];
    rec.status = status;
    rec.errCode = code;
    rec.outcome = 'error';
    const requestId = randomUUID();
    if (!res.destroyed) {
      res.writeHead(status, { 'Content-Type': 'application/json', 'dg-request-id': requestId });
      res.end(JSON.stringify({ err_code: code, err_msg: msg ?? text, request_id: requestId }));
    }
    finish(rec);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://standin');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const query = Object.fromEntries(u.searchParams);
    const rec: SpeakRecord = {
      at: Date.now(),
      query,
      headers: req.headers,
      text: undefined,
      status: 0,
      audio: Buffer.alloc(0),
      samples: 0,
      totalSamples: 0,
      outcome: 'ok',
    };
    try {
      const t = (JSON.parse(raw) as { text?: unknown } | null)?.text;
      if (typeof t === 'string') rec.text = t;
    } catch {
      /* judged below, after auth, as Deepgram does */
    }
    requests.push(rec);
    events.emit('request', rec);

    // GET /v1/projects: the cheapest authenticated call (what `npm run doctor` uses to test the key).
    if (req.method === 'GET' && u.pathname === '/v1/projects') {
      const key = /^Token (.+)$/.exec(req.headers.authorization ?? '');
      if (!key || !s.keys.includes(key[1]!)) return sendError(res, rec, 401);
      if (s.status !== null) return sendError(res, rec, s.status);
      rec.status = 200;
      res.writeHead(200, { 'Content-Type': 'application/json', 'dg-request-id': randomUUID() });
      res.end(JSON.stringify({ projects: [{ project_id: '3b1d9b7e-5c0a-4f4e-9b1e-0d5f3c2a9e11', name: 'Pickle stand-in project' }] }));
      return finish(rec);
    }
    if (req.method !== 'POST' || u.pathname !== '/v1/speak') {
      rec.status = 404;
      rec.outcome = 'error';
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ err_code: 'NOT_FOUND', err_msg: 'Not Found', request_id: randomUUID() }));
      return finish(rec);
    }
    const auth = /^Token (.+)$/.exec(req.headers.authorization ?? '');
    if (!auth || !s.keys.includes(auth[1]!)) return sendError(res, rec, 401);
    const queued = failQueue.shift();
    if (queued !== undefined) return sendError(res, rec, queued);
    if (s.status !== null) return sendError(res, rec, s.status);

    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return sendError(res, rec, 400, 'Content-type was application/json, but we could not process the JSON payload.');
    }
    const text = (body as { text?: unknown } | null)?.text;
    if (typeof text !== 'string' || text.trim() === '') return sendError(res, rec, 400, 'Request body must contain a non-empty "text" field.');
    if (text.length > MAX_CHARS) return sendError(res, rec, 413);

    const model = query.model ?? 'aura-asteria-en';
    if (!MODEL_RE.test(model)) return sendError(res, rec, 400, `No such model/voice combination found: ${model}`);
    const encoding = query.encoding ?? 'mp3';
    if (!ENCODINGS.includes(encoding)) return sendError(res, rec, 400, `Invalid encoding: ${encoding}`);
    if (encoding !== 'linear16') return sendError(res, rec, 400, `stand-in: only linear16 is implemented (got ${encoding})`);
    const sampleRate = query.sample_rate === undefined ? 24000 : Number(query.sample_rate);
    if (!LINEAR16_RATES.includes(sampleRate)) return sendError(res, rec, 400, `Invalid sample_rate for linear16: ${query.sample_rate}`);
    const container = query.container ?? 'wav';
    if (container !== 'wav' && container !== 'none') return sendError(res, rec, 400, `Invalid container for linear16: ${container}`);
    const speed = query.speed === undefined ? 1 : Number(query.speed);
    if (!(speed >= 0.7 && speed <= 1.5)) return sendError(res, rec, 400, `Invalid speed: ${query.speed} (0.7 to 1.5)`);

    if (s.maxConcurrent !== null && inFlight >= s.maxConcurrent) return sendError(res, rec, 429);
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    try {
      await speakOk(res, rec, { text, model, sampleRate, container, speed });
    } finally {
      inFlight--;
    }
  }

  async function speakOk(
    res: http.ServerResponse,
    rec: SpeakRecord,
    o: { text: string; model: string; sampleRate: number; container: string; speed: number },
  ): Promise<void> {
    const { text, model, sampleRate, container, speed } = o;
    const pcm = toneFor(text, sampleRate, s.msPerChar, speed);
    rec.totalSamples = pcm.length / 2;
    const requestId = randomUUID();
    let gone = false;
    res.on('close', () => {
      if (!res.writableFinished) gone = true;
    });
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

    await sleep(s.ttfbMs);
    if (gone) {
      rec.outcome = 'client-closed';
      return finish(rec);
    }
    rec.status = 200;
    res.writeHead(200, {
      'Content-Type': container === 'none' ? 'application/octet-stream' : 'audio/wav',
      'dg-request-id': requestId,
      'dg-model-name': model,
      'dg-char-count': String(text.length),
    });
    if (container === 'wav') res.write(wavHeader(pcm.length, sampleRate));
    const chunkMs = ((s.chunkBytes / 2 / sampleRate) * 1000) / s.realtimeFactor;
    let sent = 0;
    let n = 0;
    while (sent < pcm.length) {
      if (n > 0 && Number.isFinite(chunkMs) && chunkMs > 0) await sleep(chunkMs);
      if (gone) {
        rec.outcome = 'client-closed';
        return finish(rec);
      }
      if (s.dropAfterChunks !== null && n >= s.dropAfterChunks) {
        rec.outcome = 'dropped';
        res.socket?.destroy();
        return finish(rec);
      }
      if (s.stallAfterChunks !== null && n >= s.stallAfterChunks) {
        rec.outcome = 'stalled';
        await new Promise<void>((r) => res.once('close', () => r()));
        return finish(rec);
      }
      const piece = pcm.subarray(sent, sent + s.chunkBytes);
      res.write(piece);
      rec.firstByteAt ??= performance.now();
      rec.audio = Buffer.concat([rec.audio, piece]);
      rec.samples = Math.floor(rec.audio.length / 2);
      sent += piece.length;
      n += 1;
    }
    res.end();
    finish(rec);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const s: DeepgramStandin = Object.assign(knobs, {
    url: `http://127.0.0.1:${port}`,
    port,
    peakConcurrent: 0,
    requests,
    events,
    failNext(status: number, n = 1) {
      for (let i = 0; i < n; i++) failQueue.push(status);
    },
    nextResponse() {
      return new Promise<SpeakRecord>((resolve) => events.once('response', resolve));
    },
    audioFor(text: string, o: { sampleRate?: number; speed?: number } = {}) {
      return toneFor(text, o.sampleRate ?? 24000, knobs.msPerChar, o.speed ?? 1);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  });
  // Object.assign would copy a getter's value once: define it on the result instead.
  Object.defineProperty(s, 'peakConcurrent', { get: () => peakInFlight });
  return s;
}
