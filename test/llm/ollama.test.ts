/**
 * The Ollama adapter with the real `ollama` client against the Ollama HTTP stand-in.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMOTIONS, type Emotion, type PromptMessage } from '../../machines/events.ts';
import { LlmError } from '../../src/llm/errors.ts';
import { createOllamaLlm, REPLY_SCHEMA, type OllamaLlm, type OllamaLlmOptions } from '../../src/llm/ollama.ts';
import { silentLogger } from '../../src/log.ts';
import { StatusBoard, type ServiceStatus } from '../../src/status.ts';
import { startOllamaStandin, type OllamaStandin } from '../standins/ollama.ts';

const MODEL = 'phi3.5:latest';
const PROMPT: PromptMessage[] = [
  { role: 'system', content: 'You are Pickle, a co-host.' },
  { role: 'user', content: 'viewer42: pickle what do you think of this run?' },
];
const LONG_REPLY = {
  emotion: 'excited',
  text: 'This run is going great! Chat, look at that jump. I am so proud of us. Honestly, no notes.',
};

let standin: OllamaStandin;
let status: StatusBoard;
let llm: OllamaLlm | undefined;

beforeEach(async () => {
  standin = await startOllamaStandin();
  status = new StatusBoard();
});

afterEach(async () => {
  await llm?.stop();
  llm = undefined;
  await standin.close();
});

function makeLlm(extra: Partial<OllamaLlmOptions> = {}): OllamaLlm {
  llm = createOllamaLlm({
    host: standin.url,
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
  const emotions: Emotion[] = [];
  const sentences: string[] = [];
  return {
    log,
    emotions,
    sentences,
    handlers: {
      onEmotion: (e: Emotion) => {
        emotions.push(e);
        log.push(`emotion:${e}`);
      },
      onSentence: (s: string) => {
        sentences.push(s);
        log.push(`sentence:${s}`);
      },
    },
  };
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

async function failure(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(LlmError);
    return err as LlmError;
  }
  throw new Error('expected the call to fail');
}

describe('generate', () => {
  it('streams the reply as an emotion then sentences in order', async () => {
    standin.responder = () => LONG_REPLY;
    const c = collect();
    const result = await makeLlm().generate(PROMPT, c.handlers, new AbortController().signal);
    expect(c.log).toEqual([
      'emotion:excited',
      'sentence:This run is going great!',
      'sentence:Chat, look at that jump.',
      'sentence:I am so proud of us.',
      'sentence:Honestly, no notes.',
    ]);
    expect(result.text).toBe(LONG_REPLY.text);
    expect(result.emotion).toBe('excited');
    expect(result.stats.evalTokens).toBeGreaterThan(10);
    expect(result.stats.promptTokens).toBeGreaterThan(0);
    expect(result.stats.tokensPerSec).toBeGreaterThan(0);
    expect(result.stats.doneReason).toBe('stop');
    // The stand-in really streamed it in many pieces, not in one.
    expect(standin.streams[0]?.pieces).toBeGreaterThan(10);
    expect(status.get('llm')?.state).toBe('up');
  });

  it('sends the prompt, the JSON schema with emotion first, temperature 0.8 and num_predict 150', async () => {
    await makeLlm().generate(PROMPT, collect().handlers, new AbortController().signal);
    const [body] = standin.chatRequests();
    expect(body).toMatchObject({
      model: MODEL,
      messages: PROMPT,
      stream: true,
      options: { temperature: 0.8, num_predict: 150 },
    });
    expect(body?.format).toEqual(JSON.parse(JSON.stringify(REPLY_SCHEMA)));
    const format = body?.format as { properties: Record<string, { enum?: string[] }> };
    expect(Object.keys(format.properties)).toEqual(['emotion', 'text']);
    expect(format.properties.emotion?.enum).toEqual([...EMOTIONS]);
    expect(body?.keep_alive).toBeDefined();
  });

  it('reports the first sentence while the model is still writing', async () => {
    standin.responder = () => LONG_REPLY;
    standin.tokenDelayMs = 5;
    const c = collect();
    standin.events.on('stream', (s) => c.log.push(`server-finished:${s.outcome}`));
    await makeLlm().generate(PROMPT, c.handlers, new AbortController().signal);
    const first = c.log.indexOf('sentence:This run is going great!');
    const finished = c.log.indexOf('server-finished:stop');
    expect(first).toBeGreaterThanOrEqual(0);
    expect(finished).toBeGreaterThan(first);
    // Several sentences were out before the server wrote its last piece.
    expect(c.log.slice(0, finished).filter((l) => l.startsWith('sentence:')).length).toBeGreaterThanOrEqual(3);
  });

  it('maps an unknown emotion to neutral', async () => {
    standin.responder = () => ({ emotion: 'furious', text: 'Grr. Fine.' });
    const c = collect();
    const result = await makeLlm().generate(PROMPT, c.handlers, new AbortController().signal);
    expect(c.emotions).toEqual(['neutral']);
    expect(result.emotion).toBe('neutral');
    expect(c.sentences).toEqual(['Grr.', 'Fine.']);
  });

  it('tolerates a model that ignores the schema and writes plain text', async () => {
    standin.ignoreFormat = true;
    standin.responder = () => ({ emotion: 'happy', text: 'Plain words here. No JSON at all!' });
    const c = collect();
    const result = await makeLlm().generate(PROMPT, c.handlers, new AbortController().signal);
    expect(standin.streams[0]?.content).toBe('Plain words here. No JSON at all!');
    expect(c.log).toEqual(['emotion:neutral', 'sentence:Plain words here.', 'sentence:No JSON at all!']);
    expect(result).toMatchObject({ text: 'Plain words here. No JSON at all!', emotion: 'neutral' });
  });

  it('stops at the token limit and keeps what came', async () => {
    standin.responder = () => LONG_REPLY;
    const c = collect();
    const result = await makeLlm({ maxTokens: 20 }).generate(PROMPT, c.handlers, new AbortController().signal);
    expect(standin.chatRequests()[0]).toMatchObject({ options: { num_predict: 20 } });
    expect(result.stats.doneReason).toBe('length');
    expect(result.stats.evalTokens).toBe(20);
    expect(LONG_REPLY.text.startsWith(result.text)).toBe(true);
    expect(result.text.length).toBeLessThan(LONG_REPLY.text.length);
  });

  it('rejects an empty reply as bad output', async () => {
    standin.responder = () => ({ emotion: 'happy', text: '' });
    const err = await failure(makeLlm().generate(PROMPT, collect().handlers, new AbortController().signal));
    expect(err.kind).toBe('bad-output');
  });
});

describe('failures', () => {
  it('model missing: model-missing with the pull command, status down', async () => {
    standin.models = ['llama3.2:latest'];
    const err = await failure(makeLlm().generate(PROMPT, collect().handlers, new AbortController().signal));
    expect(err.kind).toBe('model-missing');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('ollama pull phi3.5:latest');
    expect(status.get('llm')).toMatchObject({ state: 'down', fix: 'run `ollama pull phi3.5:latest`' });
  });

  it('Ollama not running: unreachable with the fix, status down', async () => {
    await standin.refuse();
    const err = await failure(makeLlm().generate(PROMPT, collect().handlers, new AbortController().signal));
    expect(err.kind).toBe('unreachable');
    expect(err.retryable).toBe(true);
    expect(status.get('llm')?.state).toBe('down');
    expect(status.get('llm')?.fix).toContain('ollama serve');
    expect(status.get('llm')?.fix).toContain('OLLAMA_HOST');
  });

  it('an error line mid-stream: server error, status degraded', async () => {
    standin.responder = () => LONG_REPLY;
    standin.errorMidStream = 8;
    const err = await failure(makeLlm().generate(PROMPT, collect().handlers, new AbortController().signal));
    expect(err.kind).toBe('server');
    expect(err.message).toContain('unexpected EOF');
    expect(standin.streams[0]?.outcome).toBe('error');
    expect(status.get('llm')?.state).toBe('degraded');
  });

  it('connection dropped mid-stream: server error', async () => {
    standin.responder = () => LONG_REPLY;
    standin.dropMidStream = 8;
    const err = await failure(makeLlm().generate(PROMPT, collect().handlers, new AbortController().signal));
    expect(err.kind).toBe('server');
    expect(err.retryable).toBe(true);
    expect(standin.streams[0]?.outcome).toBe('dropped');
  });

  it('HTTP 500: retryable server error', async () => {
    standin.status500 = true;
    const err = await failure(makeLlm().generate(PROMPT, collect().handlers, new AbortController().signal));
    expect(err.kind).toBe('server');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('500');
  });

  it('nothing within the first-token timeout: timeout, and the request is gone', async () => {
    standin.firstTokenDelayMs = 1_000;
    const ended = standin.nextStream();
    const err = await failure(
      makeLlm({ firstTokenTimeoutMs: 100 }).generate(PROMPT, collect().handlers, new AbortController().signal),
    );
    expect(err.kind).toBe('timeout');
    expect(err.retryable).toBe(true);
    expect(await ended).toMatchObject({ outcome: 'client-closed', pieces: 0 });
    expect(status.get('llm')?.state).toBe('degraded');
  });

  it('a reply slower than the overall timeout: timeout', async () => {
    standin.responder = () => LONG_REPLY;
    standin.tokenDelayMs = 40;
    const ended = standin.nextStream();
    const err = await failure(makeLlm({ timeoutMs: 250 }).generate(PROMPT, collect().handlers, new AbortController().signal));
    expect(err.kind).toBe('timeout');
    const rec = await ended;
    expect(rec.outcome).toBe('client-closed');
    expect(rec.pieces).toBeGreaterThan(0);
    expect(rec.pieces).toBeLessThan(rec.totalPieces);
  });
});

describe('secrets', () => {
  it('credentials in OLLAMA_HOST never reach messages or the status board', async () => {
    const host = standin.url.replace('http://', 'http://pickle:hunter2secret@');
    // They go out as Basic auth (Ollama behind a proxy)...
    const result = await makeLlm({ host }).generate(PROMPT, collect().handlers, new AbortController().signal);
    expect(result.text.length).toBeGreaterThan(0);
    expect(standin.requests.at(-1)?.headers.authorization).toBe(`Basic ${Buffer.from('pickle:hunter2secret').toString('base64')}`);
    // ...and never into what the streamer or the log sees.
    standin.models = [];
    const missing = await failure(makeLlm({ host }).generate(PROMPT, collect().handlers, new AbortController().signal));
    await standin.refuse();
    const refused = await failure(makeLlm({ host }).generate(PROMPT, collect().handlers, new AbortController().signal));
    expect(refused.kind).toBe('unreachable');
    const shown = JSON.stringify([missing.message, refused.message, refused.fix, status.all()]);
    expect(shown).toContain('127.0.0.1');
    expect(shown).not.toContain('hunter2secret');
  });
});

describe('abort', () => {
  it('aborting mid-stream stops the HTTP stream and the callbacks', async () => {
    standin.responder = () => LONG_REPLY;
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
          ctrl.abort(); // like !skip right after the first sentence
        },
      },
      ctrl.signal,
    );
    const err = await failure(p);
    expect(err.kind).toBe('aborted');
    expect(c.sentences).toEqual(['This run is going great!']);
    const rec = await ended;
    expect(rec.outcome).toBe('client-closed');
    expect(rec.pieces).toBeLessThan(rec.totalPieces);
    // Give the stream time to have gone on if it were still open: nothing more arrives.
    await new Promise((r) => setTimeout(r, 100));
    expect(c.sentences).toHaveLength(1);
    expect(status.get('llm')?.state).not.toBe('down');
  });

  it('aborting while the model is still loading cancels the request before any byte', async () => {
    standin.loadDelayMs = 300;
    const ctrl = new AbortController();
    const ended = standin.nextStream();
    const p = makeLlm().generate(PROMPT, collect().handlers, ctrl.signal);
    setTimeout(() => ctrl.abort(), 50);
    expect((await failure(p)).kind).toBe('aborted');
    expect(await ended).toMatchObject({ outcome: 'client-closed', pieces: 0 });
  });

  it('an already aborted signal fails at once without a request', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    expect((await failure(makeLlm().generate(PROMPT, collect().handlers, ctrl.signal))).kind).toBe('aborted');
    expect(standin.chatRequests()).toHaveLength(0);
  });
});

describe('prewarm and the health loop', () => {
  it('prewarm loads the model: starting, then up with the load time', async () => {
    standin.loadDelayMs = 150;
    const seen: string[] = [];
    status.on('change', (s) => seen.push(s.state));
    await makeLlm().prewarm();
    expect(seen).toEqual(['starting', 'up']);
    expect(status.get('llm')?.detail).toMatch(/loaded \(0\.\d s\)/);
    expect(standin.isLoaded(MODEL)).toBe(true);
    const preload = standin.requests.find((r) => r.path === '/api/generate');
    expect(preload?.body).toMatchObject({ model: MODEL, prompt: '' });
  });

  it('Ollama down at start, then up: the loop brings the status to up and preloads', async () => {
    await standin.refuse();
    const l = makeLlm();
    l.start();
    const down = await waitForStatus((s) => s.state === 'down');
    expect(down.fix).toContain('ollama serve');
    expect((await failure(l.generate(PROMPT, collect().handlers, new AbortController().signal))).kind).toBe('unreachable');

    await standin.resume();
    await waitForStatus((s) => s.state === 'up');
    expect(standin.requests.some((r) => r.path === '/api/generate')).toBe(true);
    expect(standin.isLoaded(MODEL)).toBe(true);
    const result = await l.generate(PROMPT, collect().handlers, new AbortController().signal);
    expect(result.text.length).toBeGreaterThan(0);
  });

  it('goes down when Ollama dies while up, and recovers', async () => {
    const l = makeLlm();
    l.start();
    await waitForStatus((s) => s.state === 'up');
    await standin.refuse();
    await waitForStatus((s) => s.state === 'down');
    await standin.resume();
    await waitForStatus((s) => s.state === 'up');
  });

  it('model not pulled: down with the pull command until it appears', async () => {
    standin.models = ['llama3.2:latest'];
    const l = makeLlm({ model: 'phi3.5' });
    l.start();
    const down = await waitForStatus((s) => s.state === 'down');
    expect(down.fix).toBe('run `ollama pull phi3.5`');
    standin.models = ['llama3.2:latest', 'phi3.5:latest']; // the streamer ran the pull
    await waitForStatus((s) => s.state === 'up');
  });

  it('loads the model again when Ollama unloaded it (keep_alive expired)', async () => {
    const l = makeLlm();
    l.start();
    await waitForStatus((s) => s.state === 'up');
    const preloads = () => standin.requests.filter((r) => r.path === '/api/generate').length;
    expect(preloads()).toBe(1);
    await fetch(`${standin.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: MODEL, keep_alive: 0 }) });
    expect(standin.isLoaded(MODEL)).toBe(false);
    await waitForStatus(() => standin.isLoaded(MODEL) && preloads() === 3);
    expect(status.get('llm')?.state).toBe('up');
  });

  it('stop() ends the loop: no more requests afterwards', async () => {
    await standin.refuse();
    const l = makeLlm();
    l.start();
    await waitForStatus((s) => s.state === 'down');
    await l.stop();
    await standin.resume();
    const before = standin.requests.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(standin.requests.length).toBe(before);
  });
});
