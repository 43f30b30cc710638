/**
 * The Ollama stand-in speaks Ollama's HTTP protocol: checked with raw fetch (framing,
 * status codes, bodies) and with the official client.
 */
import { Ollama } from 'ollama';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaStandin, type OllamaStandin } from '../standins/ollama.ts';

let standin: OllamaStandin;
beforeEach(async () => {
  standin = await startOllamaStandin();
});
afterEach(async () => {
  await standin.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${standin.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const SCHEMA = {
  type: 'object',
  properties: { emotion: { type: 'string', enum: ['happy', 'sad'] }, text: { type: 'string' } },
  required: ['emotion', 'text'],
};
const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: 'phi3.5:latest',
  messages: [{ role: 'user', content: 'hello there, how is it going?' }],
  format: SCHEMA,
  ...extra,
});

function ndjson(text: string): Array<Record<string, unknown>> {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('Ollama stand-in: plain endpoints', () => {
  it('GET / and /api/version', async () => {
    const root = await fetch(standin.url);
    expect(root.status).toBe(200);
    expect(await root.text()).toBe('Ollama is running');
    const v = (await (await fetch(`${standin.url}/api/version`)).json()) as { version: string };
    expect(v.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('GET /api/tags lists the installed models with details', async () => {
    standin.models = ['phi3.5', 'all-minilm:latest'];
    const list = await new Ollama({ host: standin.url }).list();
    expect(list.models.map((m) => m.name)).toEqual(['phi3.5:latest', 'all-minilm:latest']);
    expect(list.models[0]).toMatchObject({ model: 'phi3.5:latest', details: { format: 'gguf' } });
    expect(list.models[0]?.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('POST /api/show: details for an installed model, 404 otherwise', async () => {
    const show = await new Ollama({ host: standin.url }).show({ model: 'phi3.5' });
    expect(show.capabilities).toContain('completion');
    const missing = await post('/api/show', { model: 'nope' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "model 'nope' not found" });
  });

  it('POST /api/embed: deterministic, normalised 384-dim vectors; related texts are closer', async () => {
    const client = new Ollama({ host: standin.url });
    const res = await client.embed({
      model: 'all-minilm',
      input: ['pickle loves speedruns', 'pickle loves speedruns a lot', 'tax forms are due in april'],
    });
    expect(res.embeddings).toHaveLength(3);
    const [a, b, c] = res.embeddings as [number[], number[], number[]];
    expect(a).toHaveLength(384);
    const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * (y[i] ?? 0), 0);
    expect(dot(a, a)).toBeCloseTo(1, 6);
    expect(dot(a, b)).toBeGreaterThan(0.7);
    expect(dot(a, c)).toBeLessThan(0.3);
    const again = await client.embed({ model: 'all-minilm', input: 'pickle loves speedruns' });
    expect(again.embeddings[0]).toEqual(a);
  });

  it('errors: malformed body 400, missing model 400, unknown model 404, unknown path 404', async () => {
    const bad = await post('/api/chat', '{"model": ');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toHaveProperty('error');
    const garbage = await post('/api/chat', 'hello');
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: string }).error).toContain('invalid character');
    const noModel = await post('/api/chat', { messages: [] });
    expect(noModel.status).toBe(400);
    expect(await noModel.json()).toEqual({ error: 'model is required' });
    const unknown = await post('/api/chat', chatBody({ model: 'llama9' }));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'model "llama9" not found, try pulling it first' });
    const nowhere = await fetch(`${standin.url}/api/nowhere`);
    expect(nowhere.status).toBe(404);
    expect(await nowhere.text()).toBe('404 page not found');
  });
});

describe('Ollama stand-in: generation', () => {
  it('preload and unload with an empty /api/generate', async () => {
    const load = await post('/api/generate', { model: 'phi3.5:latest', keep_alive: '10m' });
    expect(await load.json()).toMatchObject({ model: 'phi3.5:latest', response: '', done: true, done_reason: 'load' });
    expect(standin.isLoaded('phi3.5')).toBe(true);
    const unload = await post('/api/generate', { model: 'phi3.5:latest', keep_alive: 0 });
    expect(await unload.json()).toMatchObject({ done: true, done_reason: 'unload' });
    expect(standin.isLoaded('phi3.5')).toBe(false);
    const badKeepAlive = await post('/api/generate', { model: 'phi3.5:latest', keep_alive: 'soon' });
    expect(badKeepAlive.status).toBe(400);
  });

  it('streams NDJSON: structured output in small pieces cut anywhere, then a done line with stats', async () => {
    standin.responder = () => ({ emotion: 'happy', text: 'It is going great. Thanks for asking!' });
    const res = await post('/api/chat', chatBody());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = ndjson(await res.text());
    const last = lines.at(-1)!;
    const pieces = lines.slice(0, -1).map((l) => (l.message as { content: string }).content);
    const content = pieces.join('');
    expect(JSON.parse(content)).toEqual({ emotion: 'happy', text: 'It is going great. Thanks for asking!' });
    expect(Object.keys(JSON.parse(content) as object)).toEqual(['emotion', 'text']);
    expect(pieces.every((p) => p.length >= 1 && Array.from(p).length <= 5)).toBe(true);
    // Pieces are not aligned on JSON tokens: some boundary falls inside a key or a word.
    expect(pieces.some((p) => /^[a-z]/.test(p) && !p.startsWith('emotion') && !p.startsWith('text'))).toBe(true);
    expect(lines.slice(0, -1).every((l) => l.done === false && l.model === 'phi3.5:latest')).toBe(true);
    expect(last).toMatchObject({ done: true, done_reason: 'stop', eval_count: pieces.length });
    for (const k of ['total_duration', 'load_duration', 'prompt_eval_count', 'eval_duration'])
      expect(Number.isInteger(last[k]), k).toBe(true);
  });

  it('writes the keys in the order of the schema', async () => {
    standin.responder = () => ({ emotion: 'sad', text: 'Oh no.' });
    const res = await post('/api/chat', chatBody({ format: { ...SCHEMA, properties: { text: {}, emotion: {} } } }));
    const content = ndjson(await res.text())
      .slice(0, -1)
      .map((l) => (l.message as { content: string }).content)
      .join('');
    expect(content).toBe('{"text": "Oh no.", "emotion": "sad"}');
  });

  it('stream:false answers one JSON object; no format means plain text', async () => {
    standin.responder = () => ({ emotion: 'happy', text: 'Plain answer.' });
    const res = await post('/api/chat', chatBody({ stream: false, format: undefined }));
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toMatchObject({ message: { role: 'assistant', content: 'Plain answer.' }, done: true });
  });

  it('num_predict caps the pieces: done_reason length', async () => {
    const res = await post('/api/chat', chatBody({ options: { num_predict: 3 } }));
    const lines = ndjson(await res.text());
    expect(lines).toHaveLength(4);
    expect(lines.at(-1)).toMatchObject({ done_reason: 'length', eval_count: 3 });
  });

  it('cold load only on the first request of a model', async () => {
    standin.loadDelayMs = 80;
    const first = ndjson(await (await post('/api/chat', chatBody())).text()).at(-1)!;
    const second = ndjson(await (await post('/api/chat', chatBody())).text()).at(-1)!;
    expect(first.load_duration as number).toBeGreaterThanOrEqual(70e6);
    expect(second.load_duration as number).toBeLessThan(10e6);
  });

  it('queues requests for the same model behind each other', async () => {
    standin.firstTokenDelayMs = 50;
    standin.tokenDelayMs = 2;
    const order: string[] = [];
    const read = async (name: string) => {
      const res = await post('/api/chat', chatBody());
      const reader = res.body!.getReader();
      let first = true;
      for (;;) {
        const { done } = await reader.read();
        if (done) break;
        if (first) order.push(`${name}:first`);
        first = false;
      }
      order.push(`${name}:end`);
    };
    await Promise.all([read('a'), read('b')]);
    expect(order).toEqual(['a:first', 'a:end', 'b:first', 'b:end']);
  });

  it('the error knobs: error line, dropped socket, 500', async () => {
    standin.errorMidStream = 2;
    const lines = ndjson(await (await post('/api/chat', chatBody())).text());
    expect(lines).toHaveLength(3);
    expect(lines[2]).toEqual({ error: expect.stringContaining('error') });

    standin.errorMidStream = null;
    standin.dropMidStream = 2;
    const res = await post('/api/chat', chatBody());
    await expect(res.text()).rejects.toThrow();
    expect(standin.streams.at(-1)).toMatchObject({ outcome: 'dropped', pieces: 2 });

    standin.dropMidStream = null;
    standin.status500 = true;
    const failed = await post('/api/chat', chatBody());
    expect(failed.status).toBe(500);
    expect(await failed.json()).toHaveProperty('error');
  });

  it('refuse() gives ECONNREFUSED; resume() serves again on the same port', async () => {
    const port = standin.port;
    await standin.refuse();
    const err = await fetch(standin.url).catch((e: unknown) => e as Error & { cause?: { code?: string } });
    expect(err).toBeInstanceOf(TypeError);
    expect((err as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    await standin.resume();
    expect(standin.port).toBe(port);
    expect(await (await fetch(standin.url)).text()).toBe('Ollama is running');
  });

  it('records every request with its parsed body', async () => {
    await post('/api/chat', chatBody({ options: { temperature: 0.3 } }));
    expect(standin.chatRequests()[0]).toMatchObject({ model: 'phi3.5:latest', options: { temperature: 0.3 } });
    expect(standin.requests[0]).toMatchObject({ method: 'POST', path: '/api/chat' });
  });

  it('default model reply: depends on the message without quoting it', async () => {
    const ask = async (content: string) => {
      const res = await post('/api/chat', { ...chatBody(), messages: [{ role: 'user', content }], stream: false });
      return JSON.parse(((await res.json()) as { message: { content: string } }).message.content) as {
        emotion: string;
        text: string;
      };
    };
    const a = await ask('pickle, rate my outfit please');
    expect(await ask('pickle, rate my outfit please')).toEqual(a);
    expect(a.text).not.toContain('outfit');
    expect(a.text.length).toBeGreaterThan(20);
  });
});
