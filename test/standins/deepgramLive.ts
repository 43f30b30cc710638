/**
 * Stand-in for Deepgram live transcription (`wss://api.deepgram.com/v1/listen`), speaking the
 * wire protocol so the real @deepgram/sdk client can run against it (shared PROTOCOLS.md
 * "Deepgram", and Deepgram's "STT Troubleshooting WebSocket, NET, and DATA Errors").
 *
 * What it imitates:
 * - the handshake: `Authorization: Token <key>` (or the `token, <key>` subprotocol); a wrong key
 *   is HTTP 401 with Deepgram's JSON error body, a bad query (unknown model, encoding without
 *   sample_rate, a non-boolean flag, utterance_end_ms without interim_results) HTTP 400;
 * - binary frames are audio; text frames `KeepAlive`, `Finalize`, `CloseStream` (an empty binary
 *   frame also ends the stream, as Deepgram's legacy close does);
 * - `Finalize`: the words still held back go out as a final result with `from_finalize: true`
 *   (an empty one when nothing is held);
 * - `CloseStream`: the held words as a final result, a `Metadata` summary, then close 1000;
 * - no audio and no KeepAlive for `idleTimeoutMs` (Deepgram: ~10 s): close 1011 `NET-0001`;
 * - server messages shaped like Deepgram's: `Results` (interim / final / speech_final, words,
 *   start/duration on the audio clock), `SpeechStarted`, `UtteranceEnd`, `Metadata`.
 *
 * It cannot recognise speech: what it "hears" comes from a script given at start, each step
 * fired when enough audio has arrived on the connection or some time after the previous step.
 * What the client sent is recorded and analysed (PCM16 plausibility, level, real-time byte rate,
 * zero-crossing frequency at the declared rate), so tests can check the audio, not just that
 * bytes arrived. Fault knobs: handshake status (401/402/429/500), dropping a connection.
 *
 * Keys are never recorded: `auth` says only whether the credentials were accepted.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';

/** What the stand-in "hears"; it fills in the rest of Deepgram's message around it. */
export type ScriptMessage =
  | { type: 'Results'; transcript: string; is_final?: boolean; speech_final?: boolean; confidence?: number; from_finalize?: boolean }
  | { type: 'SpeechStarted' }
  | { type: 'UtteranceEnd' }
  | { type: 'Metadata' };

/**
 * `hold`: words heard at the end of the audio so far that Deepgram keeps until endpointing; only
 * `Finalize` (as a final `from_finalize: true` result) or `CloseStream` gets them out. A client
 * that just closes the socket loses them.
 */
export type ScriptAction =
  | ScriptMessage
  | { type: 'hold'; transcript: string }
  | { type: 'drop' }
  | { type: 'close'; code: number; reason: string };

export interface ScriptStep {
  /** Fire once this much audio (ms at the declared rate) has arrived on the connection, or
   *  `ms` after the previous step fired (after the connection opened, for the first step). */
  at: { audioMs: number } | { ms: number };
  do: ScriptAction | ScriptAction[];
}

export interface DeepgramLiveKnobs {
  /** No binary frame and no KeepAlive for this long: close 1011 NET-0001 (Deepgram: 10 s). */
  idleTimeoutMs: number;
  /** Answer the handshake with this HTTP status instead of upgrading (401, 402, 429, 500…). */
  handshakeStatus: number | undefined;
  /** Drop (TCP reset, no close frame) each new connection this long after it opens. */
  dropAfterMs: number | undefined;
}

export interface DeepgramLiveStandinOptions extends Partial<DeepgramLiveKnobs> {
  /** The API key that is accepted. */
  key?: string;
  /** The script, the same for every connection, or per connection (0 = first). */
  script?: ScriptStep[] | ((connection: number) => ScriptStep[]);
}

export interface AudioAnalysis {
  bytes: number;
  frames: number;
  /** Binary frames whose length is not a whole number of samples (PCM16: an odd byte count). */
  partialSampleFrames: number;
  sampleRate: number;
  channels: number;
  /** Audio duration at the declared rate and format. */
  audioMs: number;
  /** Wall time from the first to the last frame. */
  wallMs: number;
  /** Date.now() when the last frame arrived (0: none yet). */
  lastFrameAt: number;
  /** Audio time over wall time, the last frame excluded (1 = real time). */
  realtimeFactor: number;
  rms: number;
  peak: number;
  /** Share of samples at ±32767/−32768. */
  clipped: number;
  /** Mean |x[n] − x[n−1]| over mean |x[n]|: ~0.1–0.6 for speech or tones as PCM16, ≥ 1 for noise
   *  (bytes that are not little-endian 16-bit samples look like noise). */
  roughness: number;
  /** Sign changes per second / 2 at the declared rate: a pure tone's frequency. */
  zeroCrossingHz: number;
  /** Everything above says PCM16 at a sane level: whole samples, not noise, not silence, not clipped. */
  plausiblePcm16: boolean;
}

export interface ListenConnection {
  index: number;
  openedAt: number;
  /** The query string as sent. */
  query: Record<string, string>;
  /** Text frames received, parsed (`{type}`), with arrival time. */
  controls: Array<{ type: string; at: number }>;
  keepAlives: number;
  closeStream: boolean;
  /** Server messages sent, as sent. */
  sent: Array<Record<string, unknown>>;
  closed: { code: number; reason: string; by: 'server' | 'client' | 'drop' } | undefined;
  /** Audio received so far (ms at the declared rate). */
  audioMs(): number;
  /** When the first audio frame arrived (ms since epoch). */
  firstAudioAt(): number | undefined;
  analysis(): AudioAnalysis;
  /** The audio received, as sent (capped at 60 s). */
  audio(): Buffer;
  /** Send a message now (filled in like a script message). */
  push(message: ScriptMessage): void;
  /** TCP reset without a close frame, as a network drop looks to the client. */
  drop(): void;
  waitForClose(timeoutMs?: number): Promise<NonNullable<ListenConnection['closed']>>;
}

export interface DeepgramLiveStandin extends DeepgramLiveKnobs {
  /** Base URL for the client: `http://127.0.0.1:<port>` (DEEPGRAM_URL). */
  url: string;
  key: string;
  /** Every handshake attempt, accepted or not, in order. */
  handshakes: Array<{ at: number; status: number; auth: 'ok' | 'missing' | 'wrong'; path: string; query: Record<string, string> }>;
  connections: ListenConnection[];
  /** Resolves with the next connection to open from now on. */
  nextConnection(timeoutMs?: number): Promise<ListenConnection>;
  /** The currently open connection, if any. */
  current(): ListenConnection | undefined;
  close(): Promise<void>;
}

const MODELS = /^(nova-3|nova-2|nova|enhanced|base|whisper)(-[a-z0-9-]+)?$/;
const ENCODINGS = ['linear16', 'linear32', 'flac', 'alaw', 'mulaw', 'amr-nb', 'amr-wb', 'opus', 'ogg-opus', 'speex', 'g729'];
const BOOLEAN_PARAMS = ['interim_results', 'smart_format', 'punctuate', 'vad_events', 'diarize', 'filler_words', 'numerals', 'profanity_filter', 'no_delay', 'multichannel'];
const MAX_KEPT_BYTES = 60 * 32_000;

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };
const ERROR_BODY: Record<number, { err_code: string; err_msg: string }> = {
  400: { err_code: 'Bad Request', err_msg: 'Bad Request: failed to process the request' },
  401: { err_code: 'INVALID_AUTH', err_msg: 'Invalid credentials.' },
  402: { err_code: 'ASR_PAYMENT_REQUIRED', err_msg: 'Project does not have enough credits for an ASR request.' },
  403: { err_code: 'INSUFFICIENT_PERMISSIONS', err_msg: 'You do not have access to the requested resource.' },
  404: { err_code: 'Not Found', err_msg: 'Not Found' },
  429: { err_code: 'TOO_MANY_REQUESTS', err_msg: 'Too many requests. Please try again later.' },
  500: { err_code: 'INTERNAL_SERVER_ERROR', err_msg: 'Internal server error.' },
  503: { err_code: 'SERVICE_UNAVAILABLE', err_msg: 'Service unavailable.' },
};

function rejectHandshake(socket: Duplex, status: number, msg?: string): void {
  const requestId = randomUUID();
  const base = ERROR_BODY[status] ?? { err_code: 'ERROR', err_msg: 'Error.' };
  const body = JSON.stringify({ ...base, ...(msg ? { err_msg: msg } : {}), request_id: requestId });
  socket.write(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
      'content-type: application/json\r\n' +
      `dg-request-id: ${requestId}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
  socket.destroy();
}

/** Deepgram's checks on the query, as far as they matter to a client. */
function checkQuery(q: Record<string, string>): string | undefined {
  if (q.model !== undefined && !MODELS.test(q.model)) return `No such model/language/tier combination found: ${q.model}`;
  if (q.encoding !== undefined) {
    if (!ENCODINGS.includes(q.encoding)) return `Unsupported encoding: ${q.encoding}`;
    if (q.sample_rate === undefined) return 'sample_rate is required when encoding is set';
  }
  if (q.sample_rate !== undefined && !/^[1-9]\d{3,5}$/.test(q.sample_rate)) return `Invalid sample_rate: ${q.sample_rate}`;
  if (q.channels !== undefined && !/^[1-9]\d?$/.test(q.channels)) return `Invalid channels: ${q.channels}`;
  for (const p of BOOLEAN_PARAMS) if (q[p] !== undefined && q[p] !== 'true' && q[p] !== 'false') return `Invalid ${p}: ${q[p]}`;
  if (q.endpointing !== undefined && q.endpointing !== 'false' && !/^\d+$/.test(q.endpointing)) return `Invalid endpointing: ${q.endpointing}`;
  if (q.utterance_end_ms !== undefined) {
    if (!/^\d+$/.test(q.utterance_end_ms)) return `Invalid utterance_end_ms: ${q.utterance_end_ms}`;
    if (q.interim_results !== 'true') return 'utterance_end_ms requires interim_results=true';
  }
  return undefined;
}

function authOf(req: IncomingMessage, key: string): 'ok' | 'missing' | 'wrong' {
  const header = req.headers.authorization;
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  let given: string | undefined;
  if (header) given = /^token\s+(.+)$/i.exec(header.trim())?.[1] ?? '';
  else if (protocols[0]?.toLowerCase() === 'token') given = protocols[1] ?? '';
  if (given === undefined) return 'missing';
  return given === key ? 'ok' : 'wrong';
}

export function analysePcm16(buf: Buffer, sampleRate: number, channels: number, frameSizes: number[], frameTimes: number[]): AudioAnalysis {
  const n = Math.floor(buf.length / 2);
  let sumSq = 0;
  let sumAbs = 0;
  let sumDiff = 0;
  let peak = 0;
  let clipped = 0;
  let crossings = 0;
  let prev = 0;
  let prevSign = 0;
  for (let i = 0; i < n; i++) {
    const x = buf.readInt16LE(i * 2);
    sumSq += x * x;
    sumAbs += Math.abs(x);
    if (i > 0) sumDiff += Math.abs(x - prev);
    if (Math.abs(x) > peak) peak = Math.abs(x);
    if (x >= 32767 || x <= -32768) clipped += 1;
    // Small values around zero are noise floor, not crossings.
    const sign = x > 64 ? 1 : x < -64 ? -1 : 0;
    if (sign !== 0) {
      if (prevSign !== 0 && sign !== prevSign) crossings += 1;
      prevSign = sign;
    }
    prev = x;
  }
  const bytesPerMs = (sampleRate * channels * 2) / 1000;
  const audioMs = buf.length / bytesPerMs;
  const wallMs = frameTimes.length > 1 ? frameTimes[frameTimes.length - 1]! - frameTimes[0]! : 0;
  const lastFrame = frameSizes[frameSizes.length - 1] ?? 0;
  const realtimeFactor = wallMs > 0 ? (buf.length - lastFrame) / bytesPerMs / wallMs : 0;
  const rms = n ? Math.sqrt(sumSq / n) : 0;
  const roughness = sumAbs > 0 ? sumDiff / sumAbs : 0;
  const partialSampleFrames = frameSizes.filter((s) => s % (2 * channels) !== 0).length;
  const seconds = n / channels / sampleRate;
  return {
    bytes: buf.length,
    frames: frameSizes.length,
    partialSampleFrames,
    sampleRate,
    channels,
    audioMs,
    wallMs,
    lastFrameAt: frameTimes.at(-1) ?? 0,
    realtimeFactor,
    rms,
    peak,
    clipped: n ? clipped / n : 0,
    roughness,
    zeroCrossingHz: seconds > 0 ? crossings / 2 / seconds : 0,
    plausiblePcm16: partialSampleFrames === 0 && rms > 30 && roughness < 0.9 && (n ? clipped / n : 0) < 0.01,
  };
}

function wordsOf(transcript: string, start: number, duration: number, confidence: number) {
  const raw = transcript.split(/\s+/).filter(Boolean);
  const step = raw.length ? duration / raw.length : 0;
  return raw.map((w, i) => ({
    word: w.toLowerCase().replace(/[^\p{L}\p{N}']/gu, ''),
    start: +(start + i * step).toFixed(3),
    end: +(start + (i + 1) * step).toFixed(3),
    confidence,
    punctuated_word: w,
  }));
}

export async function startDeepgramLiveStandin(opts: DeepgramLiveStandinOptions = {}): Promise<DeepgramLiveStandin> {
  const key = opts.key ?? 'dg-test-key-0123456789';
  const scriptFor = (i: number): ScriptStep[] => (typeof opts.script === 'function' ? opts.script(i) : (opts.script ?? []));
  const handshakes: DeepgramLiveStandin['handshakes'] = [];
  const connections: ListenConnection[] = [];
  const waiters: Array<(c: ListenConnection) => void> = [];
  const sockets = new Set<WebSocket>();
  const server: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'application/json' }).end(JSON.stringify({ err_code: 'Upgrade Required', err_msg: 'use a WebSocket' }));
  });
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('token') ? 'token' : false),
  });

  const standin: DeepgramLiveStandin = {
    url: '',
    key,
    idleTimeoutMs: opts.idleTimeoutMs ?? 10_000,
    handshakeStatus: opts.handshakeStatus,
    dropAfterMs: opts.dropAfterMs,
    handshakes,
    connections,
    nextConnection(timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('deepgram stand-in: no connection in time')), timeoutMs);
        waiters.push((c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
    },
    current: () => [...connections].reverse().find((c) => !c.closed),
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    const auth = authOf(req, key);
    const record = (status: number) => handshakes.push({ at: Date.now(), status, auth, path: url.pathname, query });
    if (url.pathname !== '/v1/listen') return (record(404), rejectHandshake(socket, 404));
    if (auth !== 'ok') return (record(401), rejectHandshake(socket, 401));
    if (standin.handshakeStatus) {
      const status = standin.handshakeStatus;
      return (record(status), rejectHandshake(socket, status));
    }
    const bad = checkQuery(query);
    if (bad) return (record(400), rejectHandshake(socket, 400, bad));
    record(101);
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, query));
  });

  function onConnection(ws: WebSocket, query: Record<string, string>): void {
    sockets.add(ws);
    const index = connections.length;
    const requestId = randomUUID();
    const sampleRate = Number(query.sample_rate ?? 16000);
    const channels = Number(query.channels ?? 1);
    const bytesPerMs = (sampleRate * channels * 2) / 1000;
    const chunks: Buffer[] = [];
    let kept = 0;
    let total = 0;
    const frameSizes: number[] = [];
    const frameTimes: number[] = [];
    const steps = scriptFor(index);
    let stepIndex = 0;
    let stepTimer: NodeJS.Timeout | undefined;
    let timerFor = -1;
    let idleTimer: NodeJS.Timeout | undefined;
    let dropTimer: NodeJS.Timeout | undefined;
    let closeResolvers: Array<(c: NonNullable<ListenConnection['closed']>) => void> = [];
    const audioSec = () => total / bytesPerMs / 1000;
    const modelInfo = { name: `2-general-${query.model ?? 'nova-3'}`, version: '2025-01-01.0', arch: query.model ?? 'nova-3' };
    const modelUuid = randomUUID();
    /** Words heard but held back until Finalize / CloseStream. */
    let held: string[] = [];

    const conn: ListenConnection = {
      index,
      openedAt: Date.now(),
      query,
      controls: [],
      keepAlives: 0,
      closeStream: false,
      sent: [],
      closed: undefined,
      audioMs: () => total / bytesPerMs,
      firstAudioAt: () => frameTimes[0],
      analysis: () => analysePcm16(Buffer.concat(chunks), sampleRate, channels, frameSizes, frameTimes),
      audio: () => Buffer.concat(chunks),
      push: (m) => send(fill(m)),
      drop: () => finish({ code: 1006, reason: '', by: 'drop' }, () => ws.terminate()),
      waitForClose(timeoutMs = 5000) {
        if (conn.closed) return Promise.resolve(conn.closed);
        return new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('deepgram stand-in: connection did not close in time')), timeoutMs);
          closeResolvers.push((c) => {
            clearTimeout(t);
            resolve(c);
          });
        });
      },
    };
    connections.push(conn);

    function fill(m: ScriptMessage): Record<string, unknown> {
      const now = audioSec();
      switch (m.type) {
        case 'Results': {
          const duration = Math.min(now, Math.max(0.5, m.transcript.split(/\s+/).filter(Boolean).length * 0.3));
          const start = Math.max(0, now - duration);
          const confidence = m.confidence ?? 0.98;
          return {
            type: 'Results',
            channel_index: [0, 1],
            duration: +duration.toFixed(3),
            start: +start.toFixed(3),
            is_final: m.is_final ?? false,
            speech_final: m.speech_final ?? false,
            from_finalize: m.from_finalize ?? false,
            channel: { alternatives: [{ transcript: m.transcript, confidence, words: wordsOf(m.transcript, start, duration, confidence) }] },
            metadata: { request_id: requestId, model_info: modelInfo, model_uuid: modelUuid },
          };
        }
        case 'SpeechStarted':
          return { type: 'SpeechStarted', channel: [0, 1], timestamp: +now.toFixed(3) };
        case 'UtteranceEnd':
          return { type: 'UtteranceEnd', channel: [0, 1], last_word_end: +now.toFixed(3) };
        case 'Metadata':
          return {
            type: 'Metadata',
            transaction_key: 'deprecated',
            request_id: requestId,
            sha256: '',
            created: new Date(conn.openedAt).toISOString(),
            duration: +now.toFixed(3),
            channels,
            models: [modelUuid],
            model_info: { [modelUuid]: modelInfo },
          };
      }
    }

    function send(message: Record<string, unknown>): void {
      if (conn.closed || ws.readyState !== ws.OPEN) return;
      conn.sent.push(message);
      ws.send(JSON.stringify(message));
    }

    function finish(closed: NonNullable<ListenConnection['closed']>, act?: () => void): void {
      if (conn.closed) return;
      conn.closed = closed;
      clearTimeout(stepTimer);
      clearTimeout(idleTimer);
      clearTimeout(dropTimer);
      act?.();
      sockets.delete(ws);
      for (const r of closeResolvers) r(closed);
      closeResolvers = [];
    }

    function serverClose(code: number, reason: string): void {
      finish({ code, reason, by: 'server' }, () => ws.close(code, reason));
    }

    function run(action: ScriptAction): void {
      if (action.type === 'drop') conn.drop();
      else if (action.type === 'close') serverClose(action.code, action.reason);
      else if (action.type === 'hold') held.push(action.transcript);
      else send(fill(action));
    }

    /** Fires the steps whose time has come, in order; arms a timer for a time-based next step. */
    function advance(): void {
      while (!conn.closed && stepIndex < steps.length) {
        const step = steps[stepIndex]!;
        if ('audioMs' in step.at) {
          if (conn.audioMs() < step.at.audioMs) return;
        } else {
          if (timerFor === stepIndex) return; // already waiting for it
          timerFor = stepIndex;
          stepTimer = setTimeout(() => {
            stepIndex += 1;
            for (const a of [step.do].flat()) run(a);
            advance();
          }, step.at.ms);
          return;
        }
        stepIndex += 1;
        for (const a of [step.do].flat()) run(a);
      }
    }

    const armIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => serverClose(1011, 'NET-0001'), standin.idleTimeoutMs);
    };

    function releaseHeld(fromFinalize: boolean): void {
      const transcript = held.join(' ');
      held = [];
      if (transcript === '' && !fromFinalize) return;
      send(fill({ type: 'Results', transcript, is_final: true, from_finalize: fromFinalize }));
    }

    function endStream(): void {
      conn.closeStream = true;
      releaseHeld(false);
      send(fill({ type: 'Metadata' }));
      serverClose(1000, '');
    }

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (conn.closed) return;
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (isBinary) {
        if (buf.length === 0) return endStream();
        total += buf.length;
        frameSizes.push(buf.length);
        frameTimes.push(Date.now());
        if (kept < MAX_KEPT_BYTES) {
          chunks.push(buf);
          kept += buf.length;
        }
        armIdle();
        advance();
        return;
      }
      let type = 'invalid';
      try {
        type = String((JSON.parse(buf.toString('utf8')) as { type?: unknown }).type);
      } catch {
        /* recorded as invalid */
      }
      conn.controls.push({ type, at: Date.now() });
      if (type === 'KeepAlive') {
        conn.keepAlives += 1;
        armIdle();
      } else if (type === 'Finalize') releaseHeld(true);
      else if (type === 'CloseStream') endStream();
    });
    ws.on('close', (code, reason) => finish({ code, reason: reason.toString('utf8'), by: 'client' }));
    ws.on('error', () => finish({ code: 1006, reason: '', by: 'client' }));

    armIdle();
    if (standin.dropAfterMs !== undefined) dropTimer = setTimeout(() => conn.drop(), standin.dropAfterMs);
    advance();
    for (const w of waiters.splice(0)) w(conn);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  standin.url = `http://127.0.0.1:${port}`;
  return standin;
}
