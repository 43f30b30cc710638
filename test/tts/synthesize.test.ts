import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { StatusBoard } from '../../src/status.ts';
import { createDeepgramTts, deepgramSlot } from '../../src/tts/deepgram.ts';
import { createEspeakTts, espeakSlot, probeLocalVoice } from '../../src/tts/espeak.ts';
import { createSynthesizer } from '../../src/tts/synthesize.ts';
import { startDeepgramStandin, type DeepgramStandin } from '../standins/deepgram.ts';

const local = await probeLocalVoice();
const KEY = 'synth-test-key';

let dg: DeepgramStandin | undefined;
afterEach(async () => {
  await dg?.close();
  dg = undefined;
});

function setup(opts: { deepgram?: boolean; espeak?: boolean } = {}) {
  const status = new StatusBoard();
  const synth = createSynthesizer({
    slots: [
      deepgramSlot(opts.deepgram === false || !dg ? undefined : createDeepgramTts({ apiKey: KEY, url: dg.url, firstByteTimeoutMs: 1000, stallTimeoutMs: 1000 })),
      espeakSlot(opts.espeak ? createEspeakTts({ sox: null }) : undefined),
    ],
    voice: () => ({ model: 'aura-asteria-en', speed: 1, provider: 'deepgram' }),
    status,
    log: silentLogger(),
    retryDelayMs: 10,
  });
  synth.reportInitial();
  const say = async (text: string) => {
    const chunks: Buffer[] = [];
    try {
      const engine = await synth.synthesize(text, new AbortController().signal, (c) => chunks.push(c));
      return { engine, audio: Buffer.concat(chunks), error: undefined };
    } catch (error) {
      return { engine: undefined, audio: Buffer.concat(chunks), error: error as { kind: string } };
    }
  };
  return { status, synth, say };
}

describe('synthesizer: Deepgram, one retry, local fallback, status', () => {
  it('429 once → retried, and the sentence is spoken by Deepgram', async () => {
    dg = await startDeepgramStandin({ keys: [KEY], msPerChar: 2 });
    dg.failNext(429);
    const t = setup();
    const r = await t.say('Hello there.');
    expect(r.engine).toBe('deepgram');
    expect(dg.requests.map((q) => q.status)).toEqual([429, 200]);
    expect(r.audio.equals(dg.requests[1]!.audio)).toBe(true);
    expect(t.status.get('tts')!.state).toBe('up');
  });

  it('a 500 on the retry too → no voice from Deepgram: the status says why', async () => {
    dg = await startDeepgramStandin({ keys: [KEY], msPerChar: 2 });
    dg.failNext(500, 2);
    const t = setup({ espeak: false });
    const r = await t.say('Hello there.');
    expect(r.error?.kind).toBe('server');
    expect(dg.requests).toHaveLength(2);
    expect(t.status.get('tts')).toMatchObject({ state: 'degraded' });
    expect(t.status.get('tts')!.detail).toMatch(/500.*retry.*caption/);
    // next sentence: Deepgram is asked again (a 500 may pass)
    expect((await t.say('Again.')).engine).toBe('deepgram');
    expect(t.status.get('tts')!.state).toBe('up');
  });

  it('a bad-request (unknown model) is not retried', async () => {
    dg = await startDeepgramStandin({ keys: [KEY], msPerChar: 2 });
    dg.failNext(400);
    const t = setup({ espeak: false });
    await t.say('Hi.');
    expect(dg.requests).toHaveLength(1);
  });

  it('audio cut mid-sentence is not repeated: no retry, the sentence just ends', async () => {
    dg = await startDeepgramStandin({ keys: [KEY], msPerChar: 20, dropAfterChunks: 1 });
    const t = setup({ espeak: false });
    const r = await t.say('This sentence gets cut in the middle.');
    expect(r.engine).toBe('deepgram');
    expect(r.audio.length).toBeGreaterThan(0);
    expect(dg.requests).toHaveLength(1);
    expect(t.status.get('tts')!.detail).toMatch(/cut short/);
  });

  it('nothing configured → captions only, said on the status board with both fixes', async () => {
    const t = setup({ deepgram: false, espeak: false });
    expect(await t.say('Hi.')).toMatchObject({ engine: 'none' });
    expect(t.status.get('tts')).toMatchObject({ state: 'disabled' });
    expect(t.status.get('tts')!.fix).toMatch(/DEEPGRAM_API_KEY.*espeak-ng/);
    // espeak-ng missing is a fault (the local voice is meant to be there), not an option left off.
    expect(t.status.get('tts')!.configured).toBeUndefined();
  });

  describe.runIf(local.espeak)('with espeak-ng', () => {
    it('401 → espeak-ng speaks, the status says why, and Deepgram is not asked again', async () => {
      dg = await startDeepgramStandin({ keys: ['another-key'], msPerChar: 2 });
      const t = setup({ espeak: true });
      expect(t.status.get('tts')!.state).toBe('up');
      const r = await t.say('Hello there.');
      expect(r.engine).toBe('espeak');
      expect(r.audio.length).toBeGreaterThan(24000); // > 0.5 s of speech
      expect(t.status.get('tts')).toMatchObject({ state: 'down' });
      expect(t.status.get('tts')!.detail).toMatch(/401.*espeak-ng/);
      expect(t.status.get('tts')!.fix).toMatch(/DEEPGRAM_API_KEY/);
      await t.say('Second sentence.');
      expect(dg.requests).toHaveLength(1);
    });

    it('no key → espeak-ng: the voice is up (Deepgram is an option left off), with the step to a natural voice', async () => {
      const t = setup({ deepgram: false, espeak: true });
      expect((await t.say('Hi chat.')).engine).toBe('espeak');
      expect(t.status.get('tts')).toMatchObject({ state: 'up' });
      expect(t.status.get('tts')!.detail).toMatch(/espeak-ng.*Deepgram is optional/);
      expect(t.status.get('tts')!.fix).toMatch(/DEEPGRAM_API_KEY/);
    });
  });
});
