/**
 * Ollama HTTP stand-in: the wire protocol of a local `ollama serve` (NDJSON streaming,
 * structured output streamed in token pieces, per-model queueing, cold loads, keep_alive,
 * 404/400/500 error bodies) on 127.0.0.1, with knobs for timing and faults.
 *
 * What the "model" says comes from `responder` (a test may define its model); how it is
 * said — JSON shaped by `format`, cut into pieces anywhere, capped by `num_predict`,
 * delayed, dropped — is the stand-in's business and the same for every test.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import jpeg from 'jpeg-js';
import { listenRestartable, relisten } from './restartablePort.ts';

export interface StandinReply {
  emotion: string;
  text: string;
}

export interface ChatView {
  model: string;
  /** `images`: what each message carried, decoded from base64 (as Ollama does), when it carried any. */
  messages: Array<{ role: string; content: string; images?: Buffer[] }>;
  /** The parsed request body as sent. */
  body: Record<string, unknown>;
}

export type Responder = (request: ChatView) => StandinReply;

export interface RecordedRequest {
  method: string;
  path: string;
  /** Parsed JSON body; the raw text when it was not JSON; undefined for bodiless requests. */
  body: unknown;
  /** Lowercase header names, as node parses them. */
  headers: http.IncomingHttpHeaders;
  at: number;
}

export interface ReceivedImage {
  model: string;
  data: Buffer;
  at: number;
}

export type StreamOutcome = 'stop' | 'length' | 'client-closed' | 'dropped' | 'error';

/** One generation as the server saw it end. */
export interface StreamRecord {
  path: '/api/chat' | '/api/generate';
  model: string;
  streamed: boolean;
  /** Pieces written before the end. */
  pieces: number;
  /** Pieces the model would have produced without faults or limits. */
  totalPieces: number;
  outcome: StreamOutcome;
  /** Everything the model produced (not only what was sent). */
  content: string;
}

export interface OllamaStandinKnobs {
  /** Cold load before the first token, for a model that is not loaded (first use, or keep_alive expired). */
  loadDelayMs: number;
  /** Prompt evaluation: after the load, before the first piece. */
  firstTokenDelayMs: number;
  /** The same for guard models (llama-guard, shieldgemma: small and fast); null: as `firstTokenDelayMs`. */
  guardDelayMs: number | null;
  tokenDelayMs: number;
  /** Destroy the socket after this many pieces (null: off). */
  dropMidStream: number | null;
  /** Emit an `{"error"}` line after this many pieces and end the response (null: off). */
  errorMidStream: number | null;
  /** Generation endpoints answer 500 `{"error"}`. */
  status500: boolean;
  /** The model ignores `format` and writes plain text (an old Ollama / a model without grammar support). */
  ignoreFormat: boolean;
  /** Under `format` (JSON mode) the model writes `{` and then whitespace forever, past `num_predict`
   *  (the well-known grammar fault); only the client going away ends it. */
  endlessWhitespace: boolean;
  /** A reasoning model: this text inside `<think>…</think>` comes before the answer (null: off). */
  think: string | null;
  /** Installed models (`name:tag`; a name without tag means `:latest`). */
  models: string[];
  embedDims: number;
  /** The model's trained context length (`/api/show` model_info `<arch>.context_length`). */
  contextLength: number;
  /** The context the server allocates when a request sets no `num_ctx` (Ollama: 4096 on small GPUs); `/api/ps` shows the loaded one. */
  numCtx: number;
}

export interface OllamaStandinOptions extends Partial<OllamaStandinKnobs> {
  responder?: Responder;
  /** Start refusing connections (call `resume()` to bring it up on the same port). */
  refused?: boolean;
}

export interface OllamaStandin extends OllamaStandinKnobs {
  /** `http://127.0.0.1:<port>` — give it to the client as OLLAMA_HOST. */
  readonly url: string;
  readonly port: number;
  responder: Responder;
  readonly requests: RecordedRequest[];
  readonly streams: StreamRecord[];
  readonly events: EventEmitter<{ request: [RecordedRequest]; stream: [StreamRecord] }>;
  /** Stop listening and cut open connections: clients get ECONNREFUSED, like Ollama not running. */
  refuse(): Promise<void>;
  /** Listen again on the same port. */
  resume(): Promise<void>;
  /** Resolves when the next generation ends (however it ends). */
  nextStream(): Promise<StreamRecord>;
  /** Whether the model is loaded in memory now. */
  isLoaded(model: string): boolean;
  /** The chat requests received, bodies parsed. */
  chatRequests(): Array<Record<string, unknown>>;
  /** Every image received in a chat message that Ollama accepted, decoded, in order of arrival. */
  readonly images: ReceivedImage[];
  close(): Promise<void>;
}

const MID_STREAM_ERROR = 'an error was encountered while running the model: unexpected EOF';
const SERVER_ERROR = 'llama runner process has terminated: exit status 2';
const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;
const VERSION = '0.12.3';

export function normalizeModel(name: string): string {
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last.includes(':') ? name : `${name}:latest`;
}

function hashNumbers(text: string): number[] {
  return [...createHash('sha256').update(text).digest()];
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// ---------------------------------------------------------------- the default "model"

const OPENERS = [
  'Oh, I have thoughts about this.',
  'Okay chat, hear me out.',
  'Wait, that is actually a great point!',
  'Honestly? I love this energy.',
  'Hold on, let me process that.',
];
const QUESTION_OPENERS = [
  'Good question, and I have a very confident answer.',
  'Ooh, a question! My favourite.',
  'Great question, and the answer is obviously yes.',
];
const MIDDLES = [
  'The streamer would never admit it, but I am right again.',
  'Let us not pretend that was anything but legendary.',
  'I give it a solid eight out of ten, no notes.',
  'Somebody clip that before it disappears.',
  'This is exactly why I am the brains of this operation.',
];
const CLOSERS = ['Anyway, back to the stream!', 'Chat, you know I am right.', '', 'Next topic, please.'];
const MOODS = ['happy', 'excited', 'laughing', 'surprised', 'thinking', 'smug'];

/** A short co-host style reply that depends on, but never repeats, the last user message. */
export const defaultResponder: Responder = ({ messages }) => {
  const image = [...messages].reverse().find((m) => m.images && m.images.length > 0)?.images?.at(-1);
  if (image) return { emotion: 'neutral', text: describeImage(image) };
  const last = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const n = hashNumbers(last);
  const pick = <T>(list: readonly T[], i: number): T => list[(n[i] ?? 0) % list.length]!;
  const opener = last.includes('?') ? pick(QUESTION_OPENERS, 0) : pick(OPENERS, 0);
  const text = [opener, pick(MIDDLES, 1), pick(CLOSERS, 2)].filter(Boolean).join(' ');
  return { emotion: pick(MOODS, 3), text };
};

// ---------------------------------------------------------------- guard models (llama-guard, shieldgemma)

export const isGuardModel = (model: string): boolean => /llama-guard|shieldgemma/i.test(model);

/**
 * What a small guard model judges, by hazard (MLCommons codes as llama-guard3 uses them). Like
 * the real one it knows nothing of the caller's word lists: it catches plain-worded hate, threats
 * and self-harm, and it misses what is spelled around it.
 */
const HAZARD_WORDS: Array<[string, RegExp]> = [
  ['S1', /\b(?:i will|i'll|gonna|going to) (?:kill|stab|shoot|hurt|beat) (?:you|him|her|them)\b|\bbomb the\b/i],
  ['S10', /\b(?:subhuman|vermin|inferior race|go back to your country|(?:all|those) \w+ (?:people )?are (?:animals|trash|scum))\b/i],
  ['S11', /\b(?:kill yourself|end your life|cut yourself|suicide is the answer|you should die)\b/i],
  ['S12', /\b(?:nude|naked|explicit sex)\b/i],
];

/** A guard model's answer to the last user message: llama-guard ("safe" / "unsafe\nS10") or shieldgemma ("Yes" / "No"). */
export function guardReply({ model, messages }: ChatView): StandinReply {
  const last = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  // shieldgemma's prompt quotes the sentence after "Sentence:"; llama-guard gets it as the turn itself.
  const judged = /shieldgemma/i.test(model) ? (/Sentence: (.*)\n/.exec(last)?.[1] ?? last) : last;
  const hit = HAZARD_WORDS.find(([, re]) => re.test(judged));
  if (/shieldgemma/i.test(model)) return { emotion: 'neutral', text: hit ? 'Yes' : 'No' };
  return { emotion: 'neutral', text: hit ? `unsafe\n${hit[0]}` : 'safe' };
}

// ---------------------------------------------------------------- images (a "vision model")

const PALETTE: Array<[string, number, number, number]> = [
  ['red', 220, 30, 30],
  ['green', 30, 200, 30],
  ['blue', 30, 30, 220],
  ['yellow', 230, 220, 40],
  ['orange', 240, 140, 20],
  ['purple', 130, 40, 170],
  ['cyan', 30, 210, 220],
  ['magenta', 220, 30, 200],
  ['white', 245, 245, 245],
  ['black', 10, 10, 10],
  ['grey', 128, 128, 128],
];

export function imageKind(data: Buffer): 'jpeg' | 'png' | 'webp' | 'gif' | undefined {
  if (data.length > 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
  if (data.length > 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (data.length > 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (data.length > 6 && data.toString('latin1', 0, 3) === 'GIF') return 'gif';
  return undefined;
}

/** What a tiny vision model would say: the dominant colour of the picture, and how uniform it is. */
export function describeImage(data: Buffer): string {
  if (imageKind(data) !== 'jpeg') return 'A picture.';
  const img = jpeg.decode(data, { useTArray: true, maxResolutionInMP: 50 });
  let r = 0;
  let g = 0;
  let b = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    r += img.data[i * 4]!;
    g += img.data[i * 4 + 1]!;
    b += img.data[i * 4 + 2]!;
  }
  const mean = [r / n, g / n, b / n] as const;
  let spread = 0;
  for (let i = 0; i < n; i += 7) spread += Math.abs(img.data[i * 4]! - mean[0]) + Math.abs(img.data[i * 4 + 1]! - mean[1]) + Math.abs(img.data[i * 4 + 2]! - mean[2]);
  spread /= Math.ceil(n / 7) * 3;
  const nearest = (r: number, g: number, b: number) =>
    PALETTE.reduce((best, c) => ((c[1] - r) ** 2 + (c[2] - g) ** 2 + (c[3] - b) ** 2 < (best[1] - r) ** 2 + (best[2] - g) ** 2 + (best[3] - b) ** 2 ? c : best))[0];
  if (spread < 12) return `A plain ${nearest(...mean)} wall fills the whole view.`;
  // A busy picture: the two colours most of its pixels are closest to.
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i += 7) {
    const name = nearest(img.data[i * 4]!, img.data[i * 4 + 1]!, img.data[i * 4 + 2]!);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const [first, second] = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  return `A busy scene, mostly ${first}${second ? ` with some ${second}` : ''}.`;
}

/** Go's base64.StdEncoding as encoding/json applies it to `[]byte` fields: strict alphabet and padding. */
export function decodeBase64Strict(text: string): Buffer | { badByte: number } {
  const s = text.replace(/[\r\n]/g, '');
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || (c === 61 && i >= s.length - 2);
    if (!ok) return { badByte: i };
  }
  if (s.length % 4 !== 0) return { badByte: s.length - (s.length % 4) };
  return Buffer.from(s, 'base64');
}

// ---------------------------------------------------------------- output shaping

/** The content the model writes for this request: JSON shaped by `format`, or plain text. */
export function renderContent(reply: StandinReply, format: unknown, ignoreFormat: boolean): string {
  if (format === undefined || format === null || format === '' || ignoreFormat) return reply.text;
  // With a schema, Ollama's grammar writes properties in the schema's order.
  let order: string[] = ['emotion', 'text'];
  if (typeof format === 'object') {
    const props = (format as { properties?: Record<string, unknown> }).properties;
    if (props) {
      const keys: string[] = Object.keys(props).filter((k) => k === 'emotion' || k === 'text');
      order = [...keys, ...order.filter((k) => !keys.includes(k))];
    }
  }
  const fields = order.map((k) => `${JSON.stringify(k)}: ${JSON.stringify(reply[k as keyof StandinReply])}`);
  return `{${fields.join(', ')}}`;
}

/** `{` and then whitespace tokens forever: what a model stuck in JSON mode streams. */
function* endlessWhitespacePieces(): Generator<string> {
  yield '{';
  const ws = ['\n', ' ', '  ', '\n\n', '\t', ' \n'];
  for (let i = 0; ; i++) yield ws[i % ws.length]!;
}

/** Token-like pieces of 1–5 characters, cut anywhere (inside keys and escapes too), never inside a code point. */
export function toPieces(content: string): string[] {
  const chars = Array.from(content);
  const lengths = hashNumbers(content).map((b) => 1 + (b % 5));
  const pieces: string[] = [];
  let i = 0;
  let j = 0;
  while (i < chars.length) {
    const len = lengths[j++ % lengths.length]!;
    pieces.push(chars.slice(i, i + len).join(''));
    i += len;
  }
  return pieces;
}

/** Go `time.ParseDuration` subset, or seconds as a number; negative = forever. Returns ms or an error. */
function parseKeepAlive(value: unknown): number | Error {
  if (value === undefined || value === null) return DEFAULT_KEEP_ALIVE_MS;
  if (typeof value === 'number') return value < 0 ? Infinity : value * 1000;
  if (typeof value !== 'string') return new Error(`json: cannot unmarshal ${typeof value} into Go value of type time.Duration`);
  if (value === '0') return 0;
  const m = /^(-?)((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(value);
  if (!m) return new Error(`time: invalid duration "${value}"`);
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  for (const part of m[2]!.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(part[1]) * unit[part[2]!]!;
  return m[1] === '-' ? Infinity : ms;
}

function embed(text: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const w of words) {
    const h = fnv1a(w);
    v[h % dims]! += (h & 0x80000000) !== 0 ? -1 : 1;
  }
  if (words.length === 0) v[0] = 1;
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

function modelDetails(name: string) {
  const family = (name.split(':')[0] ?? name).replace(/[^a-z]+.*$/i, '') || 'llama';
  return {
    parent_model: '',
    format: 'gguf',
    family,
    families: [family],
    parameter_size: /minilm|embed/.test(name) ? '23M' : '3.8B',
    quantization_level: 'Q4_0',
  };
}

function capabilities(name: string): string[] {
  if (/embed|minilm/.test(name)) return ['embedding'];
  if (/llava|moondream|vision|qwen2\.5vl|minicpm-v|gemma3/.test(name)) return ['completion', 'vision'];
  return ['completion'];
}

// ---------------------------------------------------------------- server

export async function startOllamaStandin(opts: OllamaStandinOptions = {}): Promise<OllamaStandin> {
  const loadedUntil = new Map<string, number>();
  const loading = new Map<string, Promise<void>>();
  const queues = new Map<string, Promise<void>>();
  const events = new EventEmitter<{ request: [RecordedRequest]; stream: [StreamRecord] }>();
  let port = 0;
  let listening = false;

  const knobs: OllamaStandinKnobs = {
    loadDelayMs: opts.loadDelayMs ?? 0,
    firstTokenDelayMs: opts.firstTokenDelayMs ?? 0,
    guardDelayMs: opts.guardDelayMs ?? null,
    tokenDelayMs: opts.tokenDelayMs ?? 0,
    dropMidStream: opts.dropMidStream ?? null,
    errorMidStream: opts.errorMidStream ?? null,
    status500: opts.status500 ?? false,
    ignoreFormat: opts.ignoreFormat ?? false,
    endlessWhitespace: opts.endlessWhitespace ?? false,
    think: opts.think ?? null,
    models: opts.models ?? ['phi3.5:latest', 'all-minilm:latest', 'moondream:latest'],
    embedDims: opts.embedDims ?? 384,
    contextLength: opts.contextLength ?? 131_072,
    numCtx: opts.numCtx ?? 4096,
  };
  const requests: RecordedRequest[] = [];
  const streams: StreamRecord[] = [];
  const images: ReceivedImage[] = [];
  /** The context size each loaded model runs with (`/api/ps` `context_length`). */
  const loadedCtx = new Map<string, number>();

  const installed = (model: string) => s.models.some((m) => normalizeModel(m) === normalizeModel(model));
  const isLoaded = (model: string) => (loadedUntil.get(normalizeModel(model)) ?? 0) > Date.now();

  /** Loads the model unless loaded; the load goes on even if the client that asked leaves. Returns ns spent. */
  async function ensureLoaded(model: string): Promise<number> {
    const key = normalizeModel(model);
    if (isLoaded(key)) return 120_000; // a warm model still reports a tiny load_duration
    const started = performance.now();
    let load = loading.get(key);
    if (!load) {
      load = new Promise<void>((r) => setTimeout(r, s.loadDelayMs)).then(() => {
        loadedUntil.set(key, Infinity);
        loading.delete(key);
      });
      loading.set(key, load);
    }
    await load;
    return Math.round((performance.now() - started) * 1e6);
  }

  function keepAfterUse(model: string, keepAliveMs: number): void {
    loadedUntil.set(normalizeModel(model), keepAliveMs <= 0 ? 0 : Date.now() + keepAliveMs);
  }

  /** Runs `work` when the model's previous requests are done (Ollama serves one at a time per model here). */
  async function inQueue<T>(model: string, work: () => Promise<T>): Promise<T> {
    const key = normalizeModel(model);
    const prev = queues.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    queues.set(
      key,
      prev.then(() => mine),
    );
    await prev;
    try {
      return await work();
    } finally {
      release();
    }
  }

  function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }

  function notFoundModel(res: http.ServerResponse, model: string): void {
    sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` });
  }

  function record(rec: StreamRecord): void {
    streams.push(rec);
    events.emit('stream', rec);
  }

  /** Tracks whether the client went away before the response finished. */
  function watchClient(res: http.ServerResponse) {
    const state = { gone: false };
    res.on('close', () => {
      if (!res.writableFinished) state.gone = true;
    });
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        if (state.gone) return resolve();
        const done = () => {
          clearTimeout(timer);
          res.off('close', done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, ms));
        res.once('close', done);
      });
    return { state, sleep };
  }

  /** /api/chat and /api/generate with something to generate. */
  async function generation(
    res: http.ServerResponse,
    path: StreamRecord['path'],
    body: Record<string, unknown>,
    view: ChatView,
    keepAliveMs: number,
  ): Promise<void> {
    const model = view.model;
    const streamed = body.stream !== false;
    const client = watchClient(res);
    const reply = isGuardModel(model) ? guardReply(view) : s.responder(view);
    const answer = renderContent(reply, body.format, s.ignoreFormat);
    const content = (s.think !== null && !isGuardModel(model) ? `<think>\n${s.think}\n</think>\n\n` : '') + answer;
    const all = toPieces(content);
    const options = (body.options ?? {}) as { num_predict?: unknown };
    const limit = typeof options.num_predict === 'number' && options.num_predict > 0 ? options.num_predict : Infinity;
    const runaway = s.endlessWhitespace && body.format !== undefined && body.format !== null && body.format !== '';
    const pieces: Iterable<string> = runaway ? endlessWhitespacePieces() : all.slice(0, limit);
    const doneReason = !runaway && all.length > limit ? 'length' : 'stop';
    const base = { path, model, streamed, totalPieces: all.length, content };
    // The runner's context is `num_ctx` (or the server default); a longer prompt is silently truncated to it.
    const reqCtx = (body.options as { num_ctx?: unknown } | undefined)?.num_ctx;
    const ctx = typeof reqCtx === 'number' && reqCtx > 0 ? reqCtx : s.numCtx;
    loadedCtx.set(normalizeModel(model), ctx);
    const promptEvalCount = Math.min(ctx, Math.ceil(view.messages.reduce((n, m) => n + m.content.length, 0) / 4) + 8);
    const line = (piece: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        model,
        created_at: new Date().toISOString(),
        ...(path === '/api/chat' ? { message: { role: 'assistant', content: piece } } : { response: piece }),
        done: false,
        ...extra,
      }) + '\n';

    await inQueue(model, async () => {
      const started = performance.now();
      if (client.state.gone) return record({ ...base, pieces: 0, outcome: 'client-closed' });
      const loadNs = await ensureLoaded(model);
      if (client.state.gone) return record({ ...base, pieces: 0, outcome: 'client-closed' });
      const promptStarted = performance.now();
      await client.sleep(isGuardModel(model) && s.guardDelayMs !== null ? s.guardDelayMs : s.firstTokenDelayMs);
      const promptNs = Math.round((performance.now() - promptStarted) * 1e6);
      const evalStarted = performance.now();
      let sent = 0;
      try {
        for (const piece of pieces) {
          // Tokens come at a steady rate (scheduled from the first one), so timer drift does not add up.
          if (sent > 0) await client.sleep(evalStarted + sent * s.tokenDelayMs - performance.now());
          if (client.state.gone) return record({ ...base, pieces: sent, outcome: 'client-closed' });
          if (s.dropMidStream !== null && sent >= s.dropMidStream) {
            res.socket?.destroy();
            return record({ ...base, pieces: sent, outcome: 'dropped' });
          }
          if (s.errorMidStream !== null && sent >= s.errorMidStream) {
            if (streamed) {
              if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
              res.end(JSON.stringify({ error: MID_STREAM_ERROR }) + '\n');
            } else sendJson(res, 500, { error: MID_STREAM_ERROR });
            return record({ ...base, pieces: sent, outcome: 'error' });
          }
          if (streamed) {
            // Headers go out with the first piece, as Ollama's do: nothing arrives during load or queueing.
            if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
            res.write(line(piece));
          }
          sent++;
        }
        const evalNs = Math.round((performance.now() - evalStarted) * 1e6);
        const stats = {
          done: true,
          done_reason: doneReason,
          total_duration: Math.round((performance.now() - started) * 1e6),
          load_duration: loadNs,
          prompt_eval_count: promptEvalCount,
          prompt_eval_duration: promptNs,
          eval_count: sent,
          eval_duration: Math.max(evalNs, 1),
        };
        if (client.state.gone) return record({ ...base, pieces: sent, outcome: 'client-closed' });
        if (streamed) {
          if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
          res.end(line('', stats));
        } else {
          const whole = [...pieces].join('');
          const final = JSON.parse(line(whole, stats)) as Record<string, unknown>;
          sendJson(res, 200, final);
        }
        record({ ...base, pieces: sent, outcome: doneReason });
      } finally {
        keepAfterUse(model, keepAliveMs);
      }
    });
  }

  async function readBody(req: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Parses a JSON object body the way Ollama's handlers reject bad ones (400 + Go-style message). */
  function parseObject(raw: string): Record<string, unknown> | Error {
    if (raw.trim() === '') return new Error('missing request body');
    try {
      const v: unknown = JSON.parse(raw);
      if (v === null || typeof v !== 'object' || Array.isArray(v))
        return new Error('json: cannot unmarshal value into Go value of type api.Request');
      return v as Record<string, unknown>;
    } catch {
      const first = raw.trim()[0] ?? '';
      return new Error(/[{["\d\-tfn]/.test(first) ? 'unexpected EOF' : `invalid character '${first}' looking for beginning of value`);
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let parsed: unknown = raw === '' ? undefined : raw;
    try {
      if (raw !== '') parsed = JSON.parse(raw);
    } catch {
      /* keep the raw text in the record */
    }
    const rec: RecordedRequest = { method, path, body: parsed, headers: req.headers, at: Date.now() };
    requests.push(rec);
    events.emit('request', rec);

    if ((method === 'GET' || method === 'HEAD') && path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(method === 'HEAD' ? undefined : 'Ollama is running');
      return;
    }
    if (method === 'GET' && path === '/api/version') return sendJson(res, 200, { version: VERSION });
    if (method === 'GET' && path === '/api/tags') {
      return sendJson(res, 200, {
        models: s.models.map((m) => {
          const name = normalizeModel(m);
          return {
            name,
            model: name,
            modified_at: '2025-01-01T00:00:00Z',
            size: 2_176_178_913,
            digest: createHash('sha256').update(name).digest('hex'),
            details: modelDetails(name),
          };
        }),
      });
    }
    if (method === 'GET' && path === '/api/ps') {
      return sendJson(res, 200, {
        models: s.models.filter(isLoaded).map((m) => {
          const name = normalizeModel(m);
          const until = loadedUntil.get(name) ?? 0;
          return {
            name,
            model: name,
            size: 3_400_000_000,
            digest: createHash('sha256').update(name).digest('hex'),
            details: modelDetails(name),
            // Ollama shows a far-future date for "forever".
            expires_at: new Date(Number.isFinite(until) ? until : Date.UTC(2318, 0, 1)).toISOString(),
            size_vram: 3_400_000_000,
            context_length: loadedCtx.get(name) ?? s.numCtx,
          };
        }),
      });
    }
    const routes = ['/api/chat', '/api/generate', '/api/show', '/api/embed', '/api/embeddings'];
    if (method !== 'POST' || !routes.includes(path)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found');
      return;
    }

    const body = parseObject(raw);
    if (body instanceof Error) return sendJson(res, 400, { error: body.message });
    const model = typeof body.model === 'string' ? body.model : typeof body.name === 'string' ? body.name : '';
    if (model === '') return sendJson(res, 400, { error: 'model is required' });

    if (path === '/api/show') {
      if (!installed(model)) return sendJson(res, 404, { error: `model '${model}' not found` });
      const name = normalizeModel(model);
      return sendJson(res, 200, {
        license: '',
        modelfile: `# Modelfile generated by "ollama show"\nFROM ${name}\n`,
        parameters: 'stop "<|end|>"',
        template: '{{ if .System }}<|system|>\n{{ .System }}<|end|>\n{{ end }}<|user|>\n{{ .Prompt }}<|end|>\n<|assistant|>\n',
        details: modelDetails(name),
        model_info: {
          'general.architecture': modelDetails(name).family,
          'general.parameter_count': 3_821_079_552,
          [`${modelDetails(name).family}.context_length`]: s.contextLength,
        },
        capabilities: capabilities(name),
        modified_at: '2025-01-01T00:00:00Z',
      });
    }

    if (s.status500) return sendJson(res, 500, { error: SERVER_ERROR });
    if (!installed(model)) return notFoundModel(res, model);
    const keepAlive = parseKeepAlive(body.keep_alive);
    if (keepAlive instanceof Error) return sendJson(res, 400, { error: keepAlive.message });

    if (path === '/api/embed' || path === '/api/embeddings') {
      const input = path === '/api/embed' ? body.input : body.prompt;
      const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input : null;
      if (!texts || texts.some((t) => typeof t !== 'string')) return sendJson(res, 400, { error: 'invalid input type' });
      const started = performance.now();
      const loadNs = await ensureLoaded(model);
      keepAfterUse(model, keepAlive);
      const dims = typeof body.dimensions === 'number' && body.dimensions > 0 ? body.dimensions : s.embedDims;
      const vectors = (texts as string[]).map((t) => embed(t, dims));
      if (path === '/api/embeddings') return sendJson(res, 200, { embedding: vectors[0] });
      return sendJson(res, 200, {
        model,
        embeddings: vectors,
        total_duration: Math.round((performance.now() - started) * 1e6),
        load_duration: loadNs,
        prompt_eval_count: (texts as string[]).reduce((n, t) => n + Math.ceil(t.length / 4), 0),
      });
    }

    const messages = path === '/api/chat' ? body.messages : undefined;
    const prompt = path === '/api/generate' ? body.prompt : undefined;
    const nothingToDo =
      path === '/api/chat' ? !Array.isArray(messages) || messages.length === 0 : typeof prompt !== 'string' || prompt === '';
    if (nothingToDo) {
      // Preload (or unload with keep_alive 0): one JSON object, whatever `stream` says.
      const doneReason = keepAlive === 0 ? 'unload' : 'load';
      await inQueue(model, async () => {
        if (keepAlive !== 0) await ensureLoaded(model);
        keepAfterUse(model, keepAlive);
      });
      return sendJson(res, 200, {
        model,
        created_at: new Date().toISOString(),
        ...(path === '/api/chat' ? { message: { role: 'assistant', content: '' } } : { response: '' }),
        done_reason: doneReason,
        done: true,
      });
    }

    let view: ChatView;
    if (path === '/api/chat') {
      const list = messages as unknown[];
      if (!list.every((m) => m && typeof m === 'object' && typeof (m as { role?: unknown }).role === 'string'))
        return sendJson(res, 400, { error: 'json: cannot unmarshal into Go struct field ChatRequest.messages' });
      // `images` is a []byte list in Ollama's Go structs: JSON strings holding plain base64 (no data: URL).
      const decoded: Array<Buffer[] | undefined> = [];
      for (const m of list) {
        const raw = (m as { images?: unknown }).images;
        if (raw === undefined || raw === null) {
          decoded.push(undefined);
          continue;
        }
        if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string'))
          return sendJson(res, 400, { error: 'json: cannot unmarshal into Go struct field Message.messages.images of type []uint8' });
        const bufs: Buffer[] = [];
        for (const x of raw as string[]) {
          const d = decodeBase64Strict(x);
          if (!Buffer.isBuffer(d)) return sendJson(res, 400, { error: `illegal base64 data at input byte ${d.badByte}` });
          bufs.push(d);
        }
        decoded.push(bufs);
      }
      const all = decoded.flatMap((d) => d ?? []);
      if (all.length > 0) {
        // A text-only model has no projector; the runner refuses images, after the request was accepted.
        if (!capabilities(normalizeModel(model)).includes('vision'))
          return sendJson(res, 500, { error: 'this model is missing data required for image input' });
        if (all.some((d) => imageKind(d) === undefined)) return sendJson(res, 500, { error: 'failed to process inputs: image: unknown format' });
        for (const data of all) images.push({ model, data, at: Date.now() });
      }
      view = {
        model,
        messages: list.map((m, i) => {
          const msg = m as { role: string; content?: unknown };
          const imgs = decoded[i];
          return { role: msg.role, content: typeof msg.content === 'string' ? msg.content : '', ...(imgs ? { images: imgs } : {}) };
        }),
        body,
      };
    } else {
      const system = typeof body.system === 'string' ? [{ role: 'system', content: body.system }] : [];
      view = { model, messages: [...system, { role: 'user', content: prompt as string }], body };
    }
    await generation(res, path === '/api/chat' ? '/api/chat' : '/api/generate', body, view, keepAlive);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: err instanceof Error ? err.message : String(err) });
      else res.destroy();
    });
  });

  const listen = async (p: number) => {
    port = p === 0 ? await listenRestartable(server) : await relisten(server, p);
    listening = true;
  };

  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
      // A dead Ollama takes its connections with it; keep-alive sockets must not survive.
      server.closeAllConnections();
    });

  await listen(0);

  // Knobs are plain properties of the returned object: tests change them at runtime.
  const s: OllamaStandin = {
    ...knobs,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    responder: opts.responder ?? defaultResponder,
    requests,
    streams,
    events,
    refuse: stopListening,
    resume: async () => {
      if (!listening) await listen(port);
    },
    nextStream: () => new Promise<StreamRecord>((resolve) => events.once('stream', resolve)),
    isLoaded,
    images,
    chatRequests: () =>
      requests
        .filter((r) => r.path === '/api/chat' && r.body && typeof r.body === 'object')
        .map((r) => r.body as Record<string, unknown>),
    close: stopListening,
  };

  if (opts.refused) await stopListening();
  return s;
}
