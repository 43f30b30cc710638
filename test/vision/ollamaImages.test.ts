import { afterEach, describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { Ollama } from 'ollama';
import { startOllamaStandin, type OllamaStandin } from '../standins/ollama.ts';
import { createOllamaVision } from '../../src/vision/ollamaVision.ts';

/** The Ollama stand-in takes images the way Ollama does, and the vision adapter's errors say what to do. */

let ollama: OllamaStandin | undefined;
afterEach(async () => {
  await ollama?.close();
  ollama = undefined;
});

function solid(r: number, g: number, b: number, w = 64, h = 48): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([r, g, b, 255], i * 4);
  return jpeg.encode({ data, width: w, height: h }, 85).data;
}

describe('Ollama stand-in: images in chat messages', () => {
  it('takes base64 images (the real client encodes a Uint8Array), records them decoded, and a vision model describes them', async () => {
    ollama = await startOllamaStandin();
    const client = new Ollama({ host: ollama.url });
    const picture = solid(250, 10, 10);
    const res = await client.chat({ model: 'moondream', messages: [{ role: 'user', content: 'what is this?', images: [picture] }], stream: false });
    expect(res.message.content).toMatch(/red/);
    expect(ollama.images).toHaveLength(1);
    expect(ollama.images[0]!.data.equals(picture)).toBe(true);
    expect(ollama.images[0]!.model).toBe('moondream');
  });

  it.each([
    ['a data: URL instead of plain base64', 'data:image/jpeg;base64,/9j/4AAQ', 400, 'illegal base64 data at input byte 4'],
    ['base64 with a bad character', 'AAAA*AAA', 400, 'illegal base64 data at input byte 4'],
    ['bytes that are no image', Buffer.from('hello world, not a picture').toString('base64'), 500, 'failed to process inputs: image: unknown format'],
  ])('%s → HTTP %i', async (_name, image, status, error) => {
    ollama = await startOllamaStandin();
    const res = await fetch(`${ollama.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'moondream', stream: false, messages: [{ role: 'user', content: 'x', images: [image] }] }),
    });
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error });
    expect(ollama.images).toHaveLength(0);
  });

  it('a text-only model refuses images', async () => {
    ollama = await startOllamaStandin();
    const res = await fetch(`${ollama.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'phi3.5', stream: false, messages: [{ role: 'user', content: 'x', images: [solid(0, 0, 0).toString('base64')] }] }),
    });
    expect(res.status).toBe(500);
    expect((await res.json()).error).toBe('this model is missing data required for image input');
  });
});

describe('vision adapter (createOllamaVision) against the stand-in', () => {
  it('describes a frame in one clean line', async () => {
    ollama = await startOllamaStandin({ responder: () => ({ emotion: 'neutral', text: '  "A dog\n\tsleeps on a red sofa."  ' }) });
    const v = createOllamaVision({ host: ollama.url, model: 'moondream' });
    expect(await v.describe(solid(10, 10, 250))).toBe('A dog sleeps on a red sofa.');
    const body = ollama.chatRequests()[0]!;
    expect(body).toMatchObject({ model: 'moondream', stream: false, keep_alive: '1h' });
    expect((body.options as { num_predict: number }).num_predict).toBeGreaterThan(0);
  });

  it.each<[string, { models?: string[] }, string, string, string]>([
    ['model not installed', { models: ['phi3.5:latest'] }, 'moondream', 'model-missing', 'run `ollama pull moondream`'],
    ['not a vision model', {}, 'phi3.5', 'not-vision', 'set OLLAMA_VISION_MODEL to a vision model, e.g. moondream (`ollama pull moondream`)'],
  ])('%s → %s with the fix', async (_n, knobs, model, kind, fix) => {
    ollama = await startOllamaStandin(knobs);
    const v = createOllamaVision({ host: ollama.url, model });
    await expect(v.describe(solid(0, 0, 0))).rejects.toMatchObject({ kind, fix });
  });

  it('Ollama not running → unreachable, "start Ollama"', async () => {
    ollama = await startOllamaStandin({ refused: true });
    const v = createOllamaVision({ host: ollama.url, model: 'moondream' });
    await expect(v.describe(solid(0, 0, 0))).rejects.toMatchObject({ kind: 'unreachable', fix: expect.stringMatching(/start Ollama/) });
    expect(await v.check()).toMatchObject({ kind: 'unreachable' });
  });

  it('check(): fine when installed, model-missing otherwise', async () => {
    ollama = await startOllamaStandin({ models: ['moondream:latest'] });
    expect(await createOllamaVision({ host: ollama.url, model: 'moondream' }).check()).toBeUndefined();
    expect(await createOllamaVision({ host: ollama.url, model: 'llava' }).check()).toMatchObject({ kind: 'model-missing', fix: 'run `ollama pull llava`' });
  });

  it('a model that takes too long → timeout', async () => {
    ollama = await startOllamaStandin({ firstTokenDelayMs: 2000 });
    const v = createOllamaVision({ host: ollama.url, model: 'moondream', timeoutMs: 200 });
    await expect(v.describe(solid(0, 0, 0))).rejects.toMatchObject({ kind: 'timeout' });
  });
});
