/**
 * Deepgram holds the last words back until endpointing; only Finalize (or CloseStream) gets them
 * out. The stand-in does the same, so these tests fail if Pickle stops sending Finalize.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fileSource } from '../../src/audio/inputs.ts';
import { silentLogger } from '../../src/log.ts';
import { StatusBoard } from '../../src/status.ts';
import { createDeepgramLive, type DeepgramLive, type SttInputEvent } from '../../src/stt/deepgram.ts';
import { startDeepgramLiveStandin, type DeepgramLiveStandin, type ScriptStep } from '../standins/deepgramLive.ts';
import { toneWav, waitFor } from './audioFixtures.ts';

let dg: DeepgramLiveStandin | undefined;
let live: DeepgramLive | undefined;
afterEach(async () => {
  await live?.stop();
  await dg?.close();
  live = dg = undefined;
});

const HELD: ScriptStep[] = [
  { at: { audioMs: 100 }, do: { type: 'Results', transcript: 'so the first part', is_final: true } },
  { at: { audioMs: 200 }, do: { type: 'hold', transcript: 'and the last words' } },
];

async function setup(keepAliveMs?: number) {
  dg = await startDeepgramLiveStandin({ script: HELD });
  const events: SttInputEvent[] = [];
  live = createDeepgramLive({
    key: dg.key,
    url: dg.url,
    log: silentLogger(),
    status: new StatusBoard(),
    onEvent: (e) => events.push(e),
    ...(keepAliveMs ? { keepAliveMs } : {}),
  });
  const finals = () => events.filter((e): e is Extract<SttInputEvent, { type: 'stt.words' }> => e.type === 'stt.words' && e.final);
  return { dg, live, events, finals };
}

const silence = (ms: number) => Buffer.alloc(Math.round(ms * 32) & ~1);

describe('Finalize keeps the last words', () => {
  it('the end of a file input: Finalize → a from_finalize result that ends the utterance', async () => {
    const t = await setup();
    const wav = toneWav({ hz: 220, seconds: 0.3, sampleRate: 16000, channels: 1, bitDepth: '16' }, 'finalize.wav');
    const source = fileSource(wav, { chunkMs: 20 });
    await source.start((c) => t.live.sendAudio(c), () => t.live.finalize());
    t.live.start();
    const conn = await t.dg.nextConnection();
    await waitFor(() => t.finals().some((e) => e.text === 'and the last words'), 10_000, 'the held words');
    await source.stop();
    expect(conn.controls.map((c) => c.type)).toContain('Finalize');
    expect(conn.sent.find((m) => m.from_finalize === true)).toMatchObject({ is_final: true });
    expect(t.finals().map((e) => [e.text, e.endOfUtterance])).toEqual([
      ['so the first part', false],
      ['and the last words', true],
    ]);
    expect(conn.closed).toBeUndefined(); // Finalize does not end the stream
  });

  it('a paused mic: Finalize goes out before the first KeepAlive', async () => {
    const t = await setup(300);
    t.live.start();
    const conn = await t.dg.nextConnection();
    await waitFor(() => t.live.stats().state === 'open', 5_000, 'open');
    t.live.sendAudio(silence(250)); // then nothing: the mic is muted
    await waitFor(() => t.finals().some((e) => e.text === 'and the last words'), 10_000, 'the held words');
    await waitFor(() => conn.keepAlives >= 1, 10_000, 'a KeepAlive');
    const order = conn.controls.map((c) => c.type);
    expect(order.indexOf('Finalize')).toBeLessThan(order.indexOf('KeepAlive'));
    expect(order.filter((c) => c === 'Finalize')).toHaveLength(1); // once per pause, not every KeepAlive
  });

  it('stop: Finalize before CloseStream, the held words arrive before the close', async () => {
    const t = await setup();
    t.live.start();
    const conn = await t.dg.nextConnection();
    await waitFor(() => t.live.stats().state === 'open', 5_000, 'open');
    t.live.sendAudio(silence(250));
    await waitFor(() => conn.audioMs() >= 250, 5_000, 'audio');
    await t.live.stop();
    expect(conn.controls.map((c) => c.type).slice(-2)).toEqual(['Finalize', 'CloseStream']);
    expect(t.finals().map((e) => e.text)).toContain('and the last words');
  });

  it('the stand-in loses held words when the client just closes (the test above can fail)', async () => {
    const t = await setup();
    t.live.start();
    const conn = await t.dg.nextConnection();
    await waitFor(() => t.live.stats().state === 'open', 5_000, 'open');
    t.live.sendAudio(silence(250));
    await waitFor(() => conn.audioMs() >= 250, 5_000, 'audio');
    conn.drop();
    await conn.waitForClose();
    expect(conn.sent.some((m) => JSON.stringify(m).includes('the last words'))).toBe(false);
  });
});
