import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { createDeepgramTts } from '../../src/tts/deepgram.ts';
import { TtsError } from '../../src/tts/errors.ts';
import { startDeepgramStandin, type DeepgramStandin } from '../standins/deepgram.ts';

let dg: DeepgramStandin | undefined;
afterEach(async () => {
  await dg?.close();
  dg = undefined;
});

const KEY = 'dg-secret-key-123456';

async function speak(opts: { url: string; key?: string; text?: string; speed?: number; model?: string; timeoutMs?: number; signal?: AbortSignal }) {
  const tts = createDeepgramTts({ apiKey: opts.key ?? KEY, url: opts.url, firstByteTimeoutMs: opts.timeoutMs ?? 2000, stallTimeoutMs: opts.timeoutMs ?? 2000 });
  const chunks: Buffer[] = [];
  try {
    const result = await tts.speak({
      text: opts.text ?? 'Hello chat, nice to see you.',
      model: opts.model ?? 'aura-asteria-en',
      speed: opts.speed ?? 1,
      signal: opts.signal ?? new AbortController().signal,
      onAudio: (pcm) => chunks.push(pcm),
    });
    return { result, chunks, error: undefined };
  } catch (error) {
    return { result: undefined, chunks, error: error as TtsError };
  }
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('Deepgram TTS adapter (real @deepgram/sdk vs the /v1/speak stand-in)', () => {
  it('asks for PCM16 24 kHz without a container and streams exactly what was sent, in whole samples', async () => {
    dg = await startDeepgramStandin({ keys: [KEY], chunkBytes: 1001, msPerChar: 5 });
    const text = 'Hello chat, nice to see you.';
    const { result, chunks, error } = await speak({ url: dg.url, text });
    expect(error).toBeUndefined();
    const req = dg.requests[0]!;
    expect(req.headers.authorization).toBe(`Token ${KEY}`);
    expect(req.query).toMatchObject({ model: 'aura-asteria-en', encoding: 'linear16', sample_rate: '24000', container: 'none' });
    expect(req.query.speed).toBeUndefined();
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length % 2).toBe(0);
    const all = Buffer.concat(chunks);
    expect(all.equals(req.audio)).toBe(true);
    expect(all.equals(dg.audioFor(text))).toBe(true);
    expect(result!.samples).toBe(req.totalSamples);
  });

  it('sends the speed when it is not 1, within Aura-2 range', async () => {
    dg = await startDeepgramStandin({ keys: [KEY], msPerChar: 2 });
    await speak({ url: dg.url, speed: 1.2 });
    await speak({ url: dg.url, speed: 3 });
    expect(dg.requests.map((r) => r.query.speed)).toEqual(['1.2', '1.5']);
  });

  it.each([
    [401, 'auth', false],
    [402, 'payment', false],
    [429, 'rate-limit', true],
    [500, 'server', true],
    [503, 'server', true],
  ] as const)('HTTP %i → TtsError %s (retryable %s), never showing the key', async (status, kind, retryable) => {
    dg = await startDeepgramStandin({ keys: [KEY] });
    dg.failNext(status);
    const { error, chunks } = await speak({ url: dg.url });
    expect(error).toBeInstanceOf(TtsError);
    expect(error!.kind).toBe(kind);
    expect(error!.retryable).toBe(retryable);
    expect(error!.status).toBe(status);
    expect(chunks).toEqual([]);
    expect(error!.message).not.toContain(KEY);
  });

  it('a wrong key is a 401 with Deepgram\'s error code and the fix names DEEPGRAM_API_KEY', async () => {
    dg = await startDeepgramStandin({ keys: ['the-right-key'] });
    const { error } = await speak({ url: dg.url, key: 'the-wrong-key' });
    expect(error!.kind).toBe('auth');
    expect(error!.message).toMatch(/INVALID_AUTH/);
    expect(error!.fix).toMatch(/DEEPGRAM_API_KEY/);
    expect(error!.message + error!.fix).not.toContain('the-wrong-key');
  });

  it('an unknown voice model is a bad request (not retryable) pointing at the settings', async () => {
    dg = await startDeepgramStandin({ keys: [KEY] });
    const { error } = await speak({ url: dg.url, model: 'no such voice' });
    expect(error!.kind).toBe('bad-request');
    expect(error!.retryable).toBe(false);
    expect(error!.fix).toMatch(/voice model/);
  });

  it('slow first byte → timeout (retryable)', async () => {
    // The server would answer after 30 s: failing long before that can only be Pickle's own timeout.
    dg = await startDeepgramStandin({ keys: [KEY], ttfbMs: 30_000 });
    const t0 = Date.now();
    const { error } = await speak({ url: dg.url, timeoutMs: 150 });
    expect(error!.kind).toBe('timeout');
    expect(error!.retryable).toBe(true);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('a stream that stalls → timeout after the audio already delivered', async () => {
    dg = await startDeepgramStandin({ keys: [KEY], stallAfterChunks: 2, msPerChar: 20 });
    const { error, chunks } = await speak({ url: dg.url, timeoutMs: 200 });
    expect(error!.kind).toBe('timeout');
    expect(Buffer.concat(chunks).length).toBeGreaterThan(0);
  });

  it('a connection dropped mid-stream → network error (retryable), partial audio delivered', async () => {
    dg = await startDeepgramStandin({ keys: [KEY], dropAfterChunks: 2, msPerChar: 20 });
    const { error, chunks } = await speak({ url: dg.url });
    expect(error!.kind).toBe('network');
    expect(error!.retryable).toBe(true);
    expect(Buffer.concat(chunks).length).toBeGreaterThan(0);
  });

  it('nobody listening → network error (retryable) naming the host', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { error } = await speak({ url });
    expect(error!.kind).toBe('network');
    expect(error!.retryable).toBe(true);
    expect(error!.message).toContain('127.0.0.1');
  });

  it('abort mid-stream: stops delivering and closes the connection', async () => {
    dg = await startDeepgramStandin({ keys: [KEY], msPerChar: 60, realtimeFactor: 2 });
    const ctrl = new AbortController();
    const ended = dg.nextResponse();
    const pending = speak({ url: dg.url, signal: ctrl.signal, text: 'A rather long sentence that takes a while to say out loud.' });
    await new Promise((r) => setTimeout(r, 150));
    ctrl.abort();
    const { error, chunks } = await pending;
    expect(error!.kind).toBe('aborted');
    const got = Buffer.concat(chunks).length;
    expect((await ended).outcome).toBe('client-closed');
    expect(got).toBeLessThan(dg.requests[0]!.totalSamples * 2);
  });
});

/** Against the real service, only when a key is present (costs a few characters of credit). */
describe.runIf(process.env.DEEPGRAM_API_KEY)('Deepgram TTS adapter, live', () => {
  it('speaks a sentence as PCM16 24 kHz', async () => {
    const tts = createDeepgramTts({ apiKey: process.env.DEEPGRAM_API_KEY!, ...(process.env.DEEPGRAM_URL ? { url: process.env.DEEPGRAM_URL } : {}) });
    let bytes = 0;
    const r = await tts.speak({ text: 'Hello from Pickle.', model: 'aura-asteria-en', speed: 1, signal: new AbortController().signal, onAudio: (c) => (bytes += c.length) });
    expect(bytes % 2).toBe(0);
    expect(r.samples / 24000).toBeGreaterThan(0.5);
  });
});
