/**
 * The OpenAI-compatible backend with the real `openai` client against the chat-completions
 * stand-in (SSE streaming, response_format negotiation, error bodies with real status codes).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emotion, PromptMessage } from '../../machines/events.ts';
import { LlmError } from '../../src/llm/errors.ts';
import { createOpenAiLlm, OPENAI_REPLY_SCHEMA, type OpenAiLlm, type OpenAiLlmOptions } from '../../src/llm/openai.ts';
import { silentLogger } from '../../src/log.ts';
import { StatusBoard, type ServiceStatus } from '../../src/status.ts';
import { startOpenAiStandin, type OpenAiStandin } from '../standins/openai.ts';

const MODEL = 'gpt-4o-mini';
const KEY = 'sk-test-0123456789abcdef';
const PROMPT: PromptMessage[] = [
  { role: 'system', content: 'You are Pickle, a co-host. Answer with JSON only: {"emotion": …, "text": …}.' },
  { role: 'user', content: 'viewer42: pickle what do you think of this run?' },
];
const LONG_REPLY = {
  emotion: 'excited',
  text: 'This run is going great! Chat, look at that jump. I am so proud of us. Honestly, no notes.',
};
const SENTENCES = ['This run is going great!', 'Chat, look at that jump.', 'I am so proud of us.', 'Honestly, no notes.'];

let standin: OpenAiStandin;
let status: StatusBoard;
let llm: OpenAiLlm | undefined;

beforeEach(async () => {
  standin = await startOpenAiStandin({ apiKey: KEY, models: [MODEL, 'gpt-4o'] });
  standin.responder = () => LONG_REPLY;
  status = new StatusBoard();
});

afterEach(async () => {
  await llm?.stop();
  llm = undefined;
  await standin.close();
});

function makeLlm(extra: Partial<OpenAiLlmOptions> = {}): OpenAiLlm {
  llm = createOpenAiLlm({
    baseUrl: standin.url,
    apiKey: KEY,
    model: MODEL,
    log: silentLogger(),
    status,
    retryIntervalMs: 50,
    maxRetryIntervalMs: 200,
    checkIntervalMs: 200,
    ...extra,
  });
  return llm;
}

function collect() {
  const log: string[] = [];
  const sentences: string[] = [];
  return {
    log,
    sentences,
    handlers: {
      onEmotion: (e: Emotion) => log.push(`emotion:${e}`),
      onSentence: (s: string) => {
        sentences.push(s);
        log.push(`sentence:${s}`);
      },
    },
  };
}

const signal = () => new AbortController().signal;

async function failure(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(LlmError);
    return err as LlmError;
  }
  throw new Error('expected the call to fail');
}

function waitForStatus(predicate: (s: ServiceStatus) => boolean, timeoutMs = 5_000): Promise<ServiceStatus> {
  const now = status.get('llm');
  if (now && predicate(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      status.off('change', onChange);
      reject(new Error(`status never matched; last: ${JSON.stringify(status.get('llm'))}`));
    }, timeoutMs);
    const onChange = (s: ServiceStatus) => {
      if (s.service === 'llm' && predicate(s)) {
        clearTimeout(timer);
        status.off('change', onChange);
        resolve(s);
      }
    };
    status.on('change', onChange);
  });
}

describe('the stand-in speaks the chat-completions protocol', () => {
  it('SSE chunks, a finish chunk, a usage chunk and [DONE]; JSON error bodies with real status codes', async () => {
    const res = await fetch(`${standin.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: PROMPT, stream: true, stream_options: { include_usage: true } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number) } });

    const unauth = await fetch(`${standin.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: MODEL, messages: PROMPT }) });
    expect(unauth.status).toBe(401);
    expect((await unauth.json()).error).toMatchObject({ type: 'invalid_request_error' });
    const models = await fetch(`${standin.url}/models`, { headers: { authorization: `Bearer ${KEY}` } });
    expect((await models.json()).data.map((m: { id: string }) => m.id)).toEqual([MODEL, 'gpt-4o']);
  });
});

describe('generate', () => {
  it('streams the reply as an emotion then sentences in order, with usage', async () => {
    const c = collect();
    const result = await makeLlm().generate(PROMPT, c.handlers, signal());
    expect(c.log).toEqual(['emotion:excited', ...SENTENCES.map((s) => `sentence:${s}`)]);
    expect(result).toMatchObject({ text: LONG_REPLY.text, emotion: 'excited' });
    expect(result.stats.promptTokens).toBeGreaterThan(0);
    expect(result.stats.evalTokens).toBeGreaterThan(10);
    expect(result.stats.doneReason).toBe('stop');
    expect(standin.streams[0]?.pieces).toBeGreaterThan(10);
    expect(status.get('llm')?.state).toBe('up');
  });

  it('sends the prompt with a strict json_schema, temperature 0.8, max_tokens 150 and the bearer key', async () => {
    await makeLlm().generate(PROMPT, collect().handlers, signal());
    const [body] = standin.chatRequests();
    expect(body).toMatchObject({ model: MODEL, messages: PROMPT, stream: true, temperature: 0.8, max_tokens: 150 });
    expect(body?.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'pickle_reply', strict: true, schema: JSON.parse(JSON.stringify(OPENAI_REPLY_SCHEMA)) },
    });
    const chat = standin.requests.find((r) => r.path === '/v1/chat/completions');
    expect(chat?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('a server without json_schema: falls back to json_object (text-first JSON still parses) and remembers it', async () => {
    standin.responseFormats = ['json_object', 'text'];
    const l = makeLlm();
    const c = collect();
    const result = await l.generate(PROMPT, c.handlers, signal());
    expect(result).toMatchObject({ emotion: 'excited', text: LONG_REPLY.text });
    expect(c.sentences).toEqual(SENTENCES);
    expect(l.formatMode).toBe('json_object');
    await l.generate(PROMPT, collect().handlers, signal());
    const types = standin.chatRequests().map((b) => (b.response_format as { type: string } | undefined)?.type);
    // One refused attempt, then json_object for this reply and the next one.
    expect(types).toEqual(['json_schema', 'json_object', 'json_object']);
    expect(standin.streams.map((s) => s.format)).toEqual(['json_object', 'json_object']);
  });

  it('a server that refuses both (LM Studio-style string errors): no response_format, the fenced JSON is still understood', async () => {
    standin.responseFormats = ['text'];
    standin.errorStyle = 'string';
    const l = makeLlm();
    const result = await l.generate(PROMPT, collect().handlers, signal());
    expect(result).toMatchObject({ emotion: 'excited', text: LONG_REPLY.text });
    expect(l.formatMode).toBe('none');
    expect(standin.chatRequests().at(-1)?.response_format).toBeUndefined();
  });

  it('a model that wants max_completion_tokens gets it after one refusal', async () => {
    standin.rejectMaxTokens = true;
    await makeLlm().generate(PROMPT, collect().handlers, signal());
    const bodies = standin.chatRequests();
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toMatchObject({ max_completion_tokens: 150 });
    expect(bodies[1]?.max_tokens).toBeUndefined();
  });

  it('stops at the token limit and keeps what came, finish_reason length', async () => {
    const result = await makeLlm({ maxTokens: 25 }).generate(PROMPT, collect().handlers, signal());
    expect(result.stats.doneReason).toBe('length');
    expect(standin.streams[0]?.outcome).toBe('length');
  });

  it('an empty reply is bad output', async () => {
    standin.responder = () => ({ emotion: 'happy', text: '' });
    expect((await failure(makeLlm().generate(PROMPT, collect().handlers, signal()))).kind).toBe('bad-output');
  });
});

describe('failures, typed, with a fix a streamer can follow', () => {
  it('wrong API key: auth, status down with the LLM_API_KEY fix, the key nowhere in the message', async () => {
    const err = await failure(makeLlm({ apiKey: 'sk-wrong-key-000000' }).generate(PROMPT, collect().handlers, signal()));
    expect(err).toMatchObject({ kind: 'auth', retryable: false });
    expect(err.fix).toMatch(/LLM_API_KEY/);
    expect(status.get('llm')).toMatchObject({ state: 'down' });
    expect(JSON.stringify(status.all())).not.toContain('sk-wrong-key-000000');
    expect(err.message).not.toContain('sk-wrong-key-000000');
  });

  it('unknown model: model-missing (404 model_not_found)', async () => {
    const err = await failure(makeLlm({ model: 'gpt-9' }).generate(PROMPT, collect().handlers, signal()));
    expect(err).toMatchObject({ kind: 'model-missing', retryable: false });
    expect(err.fix).toMatch(/LLM_MODEL/);
  });

  it('429: retryable server error saying when to try again, status degraded', async () => {
    standin.failWith = 429;
    const err = await failure(makeLlm().generate(PROMPT, collect().handlers, signal()));
    expect(err).toMatchObject({ kind: 'server', retryable: true });
    expect(err.message).toMatch(/rate limited.*20 s/);
    expect(status.get('llm')?.state).toBe('degraded');
  });

  it('500: retryable server error', async () => {
    standin.failWith = 500;
    expect(await failure(makeLlm().generate(PROMPT, collect().handlers, signal()))).toMatchObject({ kind: 'server', retryable: true });
    // The client's own retries are off: one request, the brain decides what comes next.
    expect(standin.chatRequests()).toHaveLength(1);
  });

  it('server not running: unreachable, status down with the fix', async () => {
    await standin.refuse();
    const err = await failure(makeLlm().generate(PROMPT, collect().handlers, signal()));
    expect(err).toMatchObject({ kind: 'unreachable', retryable: true });
    expect(err.fix).toMatch(/LLM_BASE_URL/);
    expect(status.get('llm')?.state).toBe('down');
  });

  it('an error event mid-stream: server error after the first sentences', async () => {
    standin.errorMidStream = 40;
    const c = collect();
    const err = await failure(makeLlm().generate(PROMPT, c.handlers, signal()));
    expect(err).toMatchObject({ kind: 'server', retryable: true });
    expect(err.message).toMatch(/mid-reply/);
  });

  it('connection dropped mid-stream: server error', async () => {
    standin.dropMidStream = 10;
    expect(await failure(makeLlm().generate(PROMPT, collect().handlers, signal()))).toMatchObject({ kind: 'server' });
    expect(standin.streams[0]?.outcome).toBe('dropped');
  });

  it('nothing within the first-token timeout: timeout, and the request is gone', async () => {
    standin.firstTokenDelayMs = 2_000;
    const ended = standin.nextStream();
    const err = await failure(makeLlm({ firstTokenTimeoutMs: 100 }).generate(PROMPT, collect().handlers, signal()));
    expect(err).toMatchObject({ kind: 'timeout', retryable: true });
    expect((await ended).outcome).toBe('client-closed');
  });
});

describe('abort', () => {
  it('aborting mid-stream stops the HTTP stream and the callbacks', async () => {
    standin.tokenDelayMs = 10;
    const ctrl = new AbortController();
    const c = collect();
    const ended = standin.nextStream();
    const p = makeLlm().generate(
      PROMPT,
      {
        onEmotion: c.handlers.onEmotion,
        onSentence: (s) => {
          c.handlers.onSentence(s);
          ctrl.abort();
        },
      },
      ctrl.signal,
    );
    expect((await failure(p)).kind).toBe('aborted');
    expect(c.sentences).toEqual([SENTENCES[0]]);
    const rec = await ended;
    expect(rec.outcome).toBe('client-closed');
    expect(rec.pieces).toBeLessThan(rec.totalPieces);
    await new Promise((r) => setTimeout(r, 100));
    expect(c.sentences).toHaveLength(1);
  });

  it('an already aborted signal fails at once without a request', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    expect((await failure(makeLlm().generate(PROMPT, collect().handlers, ctrl.signal))).kind).toBe('aborted');
    expect(standin.chatRequests()).toHaveLength(0);
  });
});

describe('health (GET /models)', () => {
  it('server down at start, then up: the loop brings llm from down to up', async () => {
    await standin.refuse();
    makeLlm().start();
    const down = await waitForStatus((s) => s.state === 'down');
    expect(down.fix).toMatch(/LLM_BASE_URL/);
    await standin.resume();
    await waitForStatus((s) => s.state === 'up');
  });

  it('a rejected key: down with the fix; a model the server does not list: degraded, naming the ones it has', async () => {
    makeLlm({ apiKey: 'sk-nope-nope-nope' }).start();
    expect((await waitForStatus((s) => s.state === 'down')).fix).toMatch(/LLM_API_KEY/);
    await llm!.stop();
    status = new StatusBoard();
    const l = makeLlm({ model: 'llama-3-8b' });
    await l.check();
    expect(status.get('llm')).toMatchObject({ state: 'degraded' });
    expect(status.get('llm')?.fix).toContain('gpt-4o-mini, gpt-4o');
  });

  it('keeps the model context length when the server reports it (vLLM max_model_len)', async () => {
    const l = makeLlm();
    await l.check();
    expect(l.contextWindow()).toBeUndefined();
    standin.contextLength = 32_768;
    await l.check();
    expect(l.contextWindow()).toBe(32_768);
  });
});
