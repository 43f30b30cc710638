/**
 * OpenAI-compatible chat-completions stand-in: the wire protocol that OpenAI, LM Studio,
 * llama.cpp's server, vLLM and others speak, on 127.0.0.1 under `/v1`.
 *
 * - `POST /v1/chat/completions`: with `stream: true`, Server-Sent Events — one
 *   `data: {"object":"chat.completion.chunk",…}` line per token piece (first delta carries
 *   the role), a last chunk with `finish_reason` (`stop` or `length`), a usage chunk with empty
 *   `choices` when `stream_options.include_usage`, then `data: [DONE]`. Without `stream`, one
 *   `chat.completion` object.
 * - `response_format`: `json_schema` (properties written in the schema's order), `json_object`
 *   (valid JSON, but the model picks the key order: text first), or none (the model follows the
 *   prompt loosely and wraps its JSON in a ```json fence). A server that does not support a
 *   format answers 400 as OpenAI does (`param: "response_format"`); `json_object` also requires
 *   the word "json" in the messages, as OpenAI does.
 * - Errors are JSON bodies with the real status codes: 401 (missing or wrong `Authorization:
 *   Bearer`), 404 (unknown model, `code: "model_not_found"`), 429 (rate limit, `retry-after`),
 *   500 (server error); `errorStyle: 'string'` gives the `{"error": "..."}` shape some local
 *   servers use. Mid-stream errors arrive as `data: {"error": {...}}`.
 * - `GET /v1/models`: the model list (`{"object":"list","data":[…]}`), with `max_model_len` per
 *   model when `contextLength` is set (as vLLM reports it).
 *
 * What the "model" says comes from `responder` (shared with the Ollama stand-in); how it is
 * said (pieces, timing, faults) is the stand-in's business and the same for every test.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import { defaultResponder, type ChatView, type RecordedRequest, type Responder, type StandinReply, type StreamOutcome } from './ollama.ts';
import { listenRestartable, relisten } from './restartablePort.ts';

export type { ChatView, Responder, StandinReply } from './ollama.ts';

export type ResponseFormatType = 'json_schema' | 'json_object' | 'text';

/** One generation as the server saw it end (same shape as the Ollama stand-in's). */
export interface OpenAiStreamRecord {
  path: '/v1/chat/completions';
  model: string;
  streamed: boolean;
  pieces: number;
  totalPieces: number;
  outcome: StreamOutcome;
  content: string;
  /** The response_format type the content was shaped by. */
  format: ResponseFormatType;
}

export interface OpenAiStandinKnobs {
  /** Required bearer token; null: no auth (a local server). */
  apiKey: string | null;
  /** Models the server serves. */
  models: string[];
  /** response_format types the server accepts; others get 400. */
  responseFormats: ResponseFormatType[];
  /** Prompt processing before the first chunk (headers go out with the first chunk). */
  firstTokenDelayMs: number;
  tokenDelayMs: number;
  /** Destroy the socket after this many content pieces (null: off). */
  dropMidStream: number | null;
  /** Send `data: {"error": …}` after this many pieces and end the stream (null: off). */
  errorMidStream: number | null;
  /** Answer every chat request with this status and its error body (null: off). */
  failWith: 401 | 404 | 429 | 500 | 503 | null;
  /** `openai`: `{"error": {message, type, param, code}}`; `string`: `{"error": "message"}` (LM Studio style). */
  errorStyle: 'openai' | 'string';
  /** Reported per model as `max_model_len` in /v1/models (null: not reported, like OpenAI). */
  contextLength: number | null;
  /** Reject `max_tokens` (newer OpenAI models want `max_completion_tokens`). */
  rejectMaxTokens: boolean;
  /** A reasoning model behind an OpenAI-compatible server (vLLM, LM Studio): this text inside
   *  `<think>…</think>` comes first in the content (null: off). */
  think: string | null;
}

export interface OpenAiStandinOptions extends Partial<OpenAiStandinKnobs> {
  responder?: Responder;
  /** Start refusing connections (call `resume()` to listen on the same port). */
  refused?: boolean;
}

export interface OpenAiStandin extends OpenAiStandinKnobs {
  /** `http://127.0.0.1:<port>/v1` — the base URL a client is given (LLM_BASE_URL). */
  readonly url: string;
  readonly port: number;
  responder: Responder;
  readonly requests: RecordedRequest[];
  readonly streams: OpenAiStreamRecord[];
  readonly events: EventEmitter<{ request: [RecordedRequest]; stream: [OpenAiStreamRecord] }>;
  refuse(): Promise<void>;
  resume(): Promise<void>;
  nextStream(): Promise<OpenAiStreamRecord>;
  /** The chat-completion request bodies received. */
  chatRequests(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

const CREATED = 1_721_172_741;

function hashNumbers(text: string): number[] {
  return [...createHash('sha256').update(text).digest()];
}

/** Token-like pieces of 1–5 characters, cut anywhere, never inside a code point. */
function toPieces(content: string): string[] {
  const chars = Array.from(content);
  const lengths = hashNumbers(content).map((b) => 1 + (b % 5));
  const pieces: string[] = [];
  for (let i = 0, j = 0; i < chars.length; j++) {
    const len = lengths[j % lengths.length]!;
    pieces.push(chars.slice(i, i + len).join(''));
    i += len;
  }
  return pieces;
}

function render(reply: StandinReply, format: ResponseFormatType, schema: unknown): string {
  const field = (k: 'emotion' | 'text') => `${JSON.stringify(k)}: ${JSON.stringify(reply[k])}`;
  if (format === 'json_schema') {
    const props = (schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
    const keys = Object.keys(props).filter((k): k is 'emotion' | 'text' => k === 'emotion' || k === 'text');
    const order = [...keys, ...(['emotion', 'text'] as const).filter((k) => !keys.includes(k))];
    return `{${order.map(field).join(', ')}}`;
  }
  if (format === 'json_object') return `{${field('text')}, ${field('emotion')}}`;
  return '```json\n' + `{${field('emotion')}, ${field('text')}}` + '\n```';
}

/** Rough prompt token count, like a BPE tokenizer on English (≈ 4 characters a token) plus per-message overhead. */
function promptTokens(messages: ChatView['messages']): number {
  return messages.reduce((n, m) => n + 4 + Math.ceil(m.content.length / 4), 3);
}

export async function startOpenAiStandin(opts: OpenAiStandinOptions = {}): Promise<OpenAiStandin> {
  const requests: RecordedRequest[] = [];
  const streams: OpenAiStreamRecord[] = [];
  const events = new EventEmitter<{ request: [RecordedRequest]; stream: [OpenAiStreamRecord] }>();
  let port = 0;
  let listening = false;
  let seq = 0;

  const knobs: OpenAiStandinKnobs = {
    apiKey: opts.apiKey === undefined ? null : opts.apiKey,
    models: opts.models ?? ['gpt-4o-mini'],
    responseFormats: opts.responseFormats ?? ['json_schema', 'json_object', 'text'],
    firstTokenDelayMs: opts.firstTokenDelayMs ?? 0,
    tokenDelayMs: opts.tokenDelayMs ?? 0,
    dropMidStream: opts.dropMidStream ?? null,
    errorMidStream: opts.errorMidStream ?? null,
    failWith: opts.failWith ?? null,
    errorStyle: opts.errorStyle ?? 'openai',
    contextLength: opts.contextLength ?? null,
    rejectMaxTokens: opts.rejectMaxTokens ?? false,
    think: opts.think ?? null,
  };

  function sendError(
    res: http.ServerResponse,
    status: number,
    message: string,
    type: string,
    code: string | null,
    param: string | null = null,
    headers: Record<string, string> = {},
  ): void {
    if (res.destroyed) return;
    const body = s.errorStyle === 'string' ? { error: message } : { error: { message, type, param, code } };
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'x-request-id': `req_${++seq}`, ...headers });
    res.end(JSON.stringify(body));
  }

  function failure(res: http.ServerResponse, status: NonNullable<OpenAiStandinKnobs['failWith']>, model: string): void {
    switch (status) {
      case 401:
        return sendError(res, 401, 'Incorrect API key provided: sk-***. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key');
      case 404:
        return sendError(res, 404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
      case 429:
        return sendError(
          res,
          429,
          `Rate limit reached for ${model} on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.`,
          'requests',
          'rate_limit_exceeded',
          null,
          { 'retry-after': '20', 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '0' },
        );
      case 500:
        return sendError(res, 500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null);
      case 503:
        return sendError(res, 503, 'The engine is currently overloaded, please try again later.', 'server_error', null);
    }
  }

  /** Bearer auth as OpenAI checks it; true when the request may go on. */
  function authorised(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (s.apiKey === null) return true;
    const header = req.headers.authorization;
    if (!header || !/^Bearer\s+/i.test(header)) {
      sendError(
        res,
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        'invalid_request_error',
        null,
      );
      return false;
    }
    if (header.replace(/^Bearer\s+/i, '').trim() !== s.apiKey) {
      failure(res, 401, '');
      return false;
    }
    return true;
  }

  function record(rec: OpenAiStreamRecord): void {
    streams.push(rec);
    events.emit('stream', rec);
  }

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
        // Even with no delay, let the socket flush what was written (a real server yields between tokens).
        const timer = setTimeout(done, Math.max(0, ms));
        res.once('close', done);
      });
    return { state, sleep };
  }

  async function completions(res: http.ServerResponse, body: Record<string, unknown>): Promise<void> {
    const model = typeof body.model === 'string' ? body.model : '';
    if (model === '') return sendError(res, 400, 'you must provide a model parameter', 'invalid_request_error', null, 'model');
    const rawMessages = body.messages;
    if (!Array.isArray(rawMessages) || rawMessages.length === 0)
      return sendError(res, 400, "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'invalid_request_error', 'empty_array', 'messages');
    const messages: ChatView['messages'] = [];
    for (const [i, m] of rawMessages.entries()) {
      const msg = m as { role?: unknown; content?: unknown } | null;
      if (!msg || typeof msg !== 'object' || !['system', 'user', 'assistant', 'developer', 'tool'].includes(String(msg.role)))
        return sendError(res, 400, `Invalid value for 'messages[${i}].role'.`, 'invalid_request_error', 'invalid_value', `messages[${i}].role`);
      messages.push({ role: String(msg.role), content: typeof msg.content === 'string' ? msg.content : '' });
    }
    if (s.failWith !== null) return failure(res, s.failWith, model);
    if (!s.models.includes(model)) return failure(res, 404, model);
    if (s.rejectMaxTokens && body.max_tokens !== undefined)
      return sendError(
        res,
        400,
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        'invalid_request_error',
        'unsupported_parameter',
        'max_tokens',
      );

    // response_format
    let format: ResponseFormatType = 'text';
    let schema: unknown;
    const rf = body.response_format as { type?: unknown; json_schema?: { name?: unknown; schema?: unknown } } | undefined;
    if (rf !== undefined && rf !== null) {
      const t = rf.type;
      if (t !== 'json_schema' && t !== 'json_object' && t !== 'text')
        return sendError(res, 400, `Invalid value: '${String(t)}'. Supported values are: 'json_object', 'json_schema', and 'text'.`, 'invalid_request_error', 'invalid_value', 'response_format.type');
      if (!s.responseFormats.includes(t))
        return sendError(res, 400, `Invalid parameter: 'response_format' of type '${t}' is not supported with this model.`, 'invalid_request_error', null, 'response_format');
      if (t === 'json_schema') {
        if (!rf.json_schema || typeof rf.json_schema.name !== 'string' || typeof rf.json_schema.schema !== 'object')
          return sendError(res, 400, "Missing required parameter: 'response_format.json_schema'.", 'invalid_request_error', 'missing_required_parameter', 'response_format.json_schema');
        schema = rf.json_schema.schema;
      }
      if (t === 'json_object' && !messages.some((m) => /json/i.test(m.content)))
        return sendError(res, 400, "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", 'invalid_request_error', null, 'messages');
      format = t;
    }

    const streamed = body.stream === true;
    const includeUsage = streamed && (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const client = watchClient(res);
    const reply = s.responder({ model, messages, body });
    const content = (knobs.think !== null ? `<think>\n${knobs.think}\n</think>\n\n` : '') + render(reply, format, schema);
    const all = toPieces(content);
    const maxRaw = body.max_completion_tokens ?? body.max_tokens;
    const limit = typeof maxRaw === 'number' && maxRaw > 0 ? maxRaw : Infinity;
    const pieces = all.slice(0, limit);
    const finishReason = pieces.length < all.length ? 'length' : 'stop';
    const id = `chatcmpl-${++seq}${createHash('sha256').update(content).digest('hex').slice(0, 12)}`;
    const base = { path: '/v1/chat/completions' as const, model, streamed, totalPieces: all.length, content, format };
    const usage = { prompt_tokens: promptTokens(messages), completion_tokens: pieces.length, total_tokens: promptTokens(messages) + pieces.length };
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created: CREATED,
        model,
        system_fingerprint: 'fp_standin',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...(includeUsage ? { usage: null } : {}),
      })}\n\n`;

    await client.sleep(s.firstTokenDelayMs);
    if (client.state.gone) return record({ ...base, pieces: 0, outcome: 'client-closed' });
    let sent = 0;
    if (streamed) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'x-request-id': `req_${seq}` });
      res.write(chunk({ role: 'assistant', content: '', refusal: null }, null));
    }
    for (const piece of pieces) {
      if (sent > 0) await client.sleep(s.tokenDelayMs);
      if (client.state.gone) return record({ ...base, pieces: sent, outcome: 'client-closed' });
      if (s.dropMidStream !== null && sent >= s.dropMidStream) {
        res.socket?.destroy();
        return record({ ...base, pieces: sent, outcome: 'dropped' });
      }
      if (s.errorMidStream !== null && sent >= s.errorMidStream) {
        const error = { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null };
        if (streamed) res.end(`data: ${JSON.stringify({ error })}\n\n`);
        else failure(res, 500, model);
        return record({ ...base, pieces: sent, outcome: 'error' });
      }
      if (streamed) res.write(chunk({ content: piece }, null));
      sent++;
    }
    if (client.state.gone) return record({ ...base, pieces: sent, outcome: 'client-closed' });
    if (streamed) {
      res.write(chunk({}, finishReason));
      if (includeUsage)
        res.write(
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: CREATED, model, system_fingerprint: 'fp_standin', choices: [], usage })}\n\n`,
        );
      res.end('data: [DONE]\n\n');
    } else {
      res.writeHead(200, { 'Content-Type': 'application/json', 'x-request-id': `req_${seq}` });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created: CREATED,
          model,
          system_fingerprint: 'fp_standin',
          choices: [{ index: 0, message: { role: 'assistant', content: pieces.join(''), refusal: null }, logprobs: null, finish_reason: finishReason }],
          usage,
        }),
      );
    }
    record({ ...base, pieces: sent, outcome: finishReason });
  }

  async function readBody(req: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let parsed: unknown = raw === '' ? undefined : raw;
    try {
      if (raw !== '') parsed = JSON.parse(raw);
    } catch {
      /* keep the raw text */
    }
    const rec: RecordedRequest = { method, path, body: parsed, headers: req.headers, at: Date.now() };
    requests.push(rec);
    events.emit('request', rec);

    if (method === 'GET' && path === '/v1/models') {
      if (!authorised(req, res)) return;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data: s.models.map((m) => ({
            id: m,
            object: 'model',
            created: CREATED,
            owned_by: 'system',
            ...(s.contextLength !== null ? { max_model_len: s.contextLength } : {}),
          })),
        }),
      );
      return;
    }
    if (method === 'POST' && path === '/v1/chat/completions') {
      if (!authorised(req, res)) return;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return sendError(res, 400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)", 'invalid_request_error', null);
      return completions(res, parsed as Record<string, unknown>);
    }
    sendError(res, 404, `Invalid URL (${method} ${path})`, 'invalid_request_error', null);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, err instanceof Error ? err.message : String(err), 'server_error', null);
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
      server.closeAllConnections();
    });

  await listen(0);

  const s: OpenAiStandin = {
    ...knobs,
    get url() {
      return `http://127.0.0.1:${port}/v1`;
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
    nextStream: () => new Promise<OpenAiStreamRecord>((resolve) => events.once('stream', resolve)),
    chatRequests: () =>
      requests
        .filter((r) => r.path === '/v1/chat/completions' && r.body && typeof r.body === 'object')
        .map((r) => r.body as Record<string, unknown>),
    close: stopListening,
  };
  if (opts.refused) await stopListening();
  return s;
}
