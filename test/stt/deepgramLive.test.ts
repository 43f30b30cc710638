import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fileSource } from '../../src/audio/inputs.ts';
import { silentLogger } from '../../src/log.ts';
import { StatusBoard } from '../../src/status.ts';
import { createDeepgramLive, type DeepgramLive, type DeepgramLiveOptions, type LiveClientLike, type SttInputEvent } from '../../src/stt/deepgram.ts';
import { startDeepgramLiveStandin, type DeepgramLiveStandin, type DeepgramLiveStandinOptions } from '../standins/deepgramLive.ts';
import { hasEspeak, sleep, speechWav, toneWav, waitFor, wavDurationMs } from './audioFixtures.ts';

let dg: DeepgramLiveStandin | undefined;
let live: DeepgramLive | undefined;
afterEach(async () => {
  await live?.stop();
  await dg?.close();
  live = dg = undefined;
});

async function setup(standin: DeepgramLiveStandinOptions = {}, over: Partial<DeepgramLiveOptions> = {}) {
  dg = await startDeepgramLiveStandin(standin);
  const status = new StatusBoard();
  const events: SttInputEvent[] = [];
  const statuses: string[] = [];
  status.on('change', (s) => s.service === 'stt' && statuses.push(s.state));
  live = createDeepgramLive({
    key: dg.key,
    url: dg.url,
    log: silentLogger(),
    status,
    onEvent: (e) => events.push(e),
    backoff: { baseMs: 200, maxMs: 1600 },
    ...over,
  });
  return { dg, live, status, events, statuses };
}

const silence = (ms: number) => Buffer.alloc(Math.round(ms * 32) & ~1);

describe('Deepgram live adapter (real @deepgram/sdk vs the stand-in)', () => {
  it('connects to /v1/listen with the key in `Authorization: Token` and the live settings in the query', async () => {
    const t = await setup();
    t.live.start();
    const conn = await t.dg.nextConnection();
    expect(t.dg.handshakes[0]).toMatchObject({ path: '/v1/listen', auth: 'ok', status: 101 });
    expect(conn.query).toMatchObject({
      model: 'nova-3',
      encoding: 'linear16',
      sample_rate: '16000',
      channels: '1',
      interim_results: 'true',
      endpointing: '300',
      utterance_end_ms: '1000',
      vad_events: 'true',
      smart_format: 'true',
    });
    // Open is not hearing: `up` only once audio goes out.
    await waitFor(() => t.live.stats().state === 'open', 2000, 'stream open');
    expect(t.status.get('stt')).toMatchObject({ state: 'starting' });
    expect(t.status.get('stt')!.detail).toMatch(/waiting for audio/);
    t.live.sendAudio(silence(100));
    await waitFor(() => t.status.get('stt')?.state === 'up', 2000, 'stt up');
  });

  it('stt is up only while audio reaches Deepgram: none within the deadline → down; audio again → up', async () => {
    const t = await setup({}, { firstAudioMs: 300, audioGapMs: 300 });
    t.live.start();
    await t.dg.nextConnection();
    await waitFor(() => t.status.get('stt')?.state === 'down', 3000, 'stt down: no audio');
    expect(t.status.get('stt')!.detail).toMatch(/^no audio from the microphone reached Deepgram in 0\.3 s: Pickle cannot hear you$/);
    expect(t.statuses).not.toContain('up');
    t.live.sendAudio(silence(100));
    // By the order of the reports (the next down may come before a poll sees up).
    await waitFor(() => t.statuses.includes('up'), 2000, 'stt up with audio');
    // The audio stops (a dead microphone): down again, saying for how long.
    await waitFor(() => t.statuses.lastIndexOf('down') > t.statuses.indexOf('up'), 3000, 'stt down: audio stopped');
    expect(t.status.get('stt')!.detail).toMatch(/^no audio from the microphone has reached Deepgram for 0\.3 s/);
    expect(t.statuses.filter((s) => s === 'up')).toHaveLength(1);
  });

  it('turns Results / SpeechStarted / UtteranceEnd into stt events; empty interim results are dropped', async () => {
    const t = await setup({
      script: [
        { at: { audioMs: 100 }, do: { type: 'SpeechStarted' } },
        { at: { audioMs: 200 }, do: [{ type: 'Results', transcript: '' }, { type: 'Results', transcript: 'Pickle what' }] },
        { at: { audioMs: 300 }, do: { type: 'Results', transcript: "Pickle, what's up?", is_final: true, speech_final: true } },
        { at: { audioMs: 400 }, do: [{ type: 'Results', transcript: '', is_final: true }, { type: 'UtteranceEnd' }] },
      ],
    });
    t.live.start();
    await t.dg.nextConnection();
    for (let i = 0; i < 5; i++) t.live.sendAudio(silence(100));
    await waitFor(() => t.events.some((e) => e.type === 'stt.utteranceEnd'), 3000, 'utterance end');
    expect(t.events.map((e) => (e.type === 'stt.words' ? `${e.text}|${e.final}|${e.endOfUtterance}` : e.type))).toEqual([
      'stt.voiceActivity',
      'Pickle what|false|false',
      "Pickle, what's up?|true|true",
      '|true|false',
      'stt.utteranceEnd',
    ]);
  });

  it('silence: KeepAlive keeps the stream open past the idle timeout (scaled: 4 s → 100 ms, 10 s → 1.5 s)', async () => {
    // The real numbers are checked on fake timers below; here the idle timeout stays far above any stall.
    const t = await setup({ idleTimeoutMs: 1_500 }, { keepAliveMs: 100 });
    t.live.start();
    const conn = await t.dg.nextConnection();
    t.live.sendAudio(silence(200));
    await sleep(3_200); // twice the idle timeout without audio
    expect(conn.closed).toBeUndefined();
    expect(conn.keepAlives).toBeGreaterThanOrEqual(8);
    expect(t.dg.handshakes).toHaveLength(1);
    // The adapter counts what it sent; one KeepAlive may still be on its way to the stand-in.
    const inFlight = t.live.stats().keepAlives - conn.keepAlives;
    expect(inFlight).toBeGreaterThanOrEqual(0);
    expect(inFlight).toBeLessThanOrEqual(1);
  });

  it('without KeepAlive often enough the stand-in closes with 1011 NET-0001, and the adapter reconnects', async () => {
    const t = await setup({ idleTimeoutMs: 300 }, { keepAliveMs: 5000 });
    t.live.start();
    const first = await t.dg.nextConnection();
    expect(await first.waitForClose(3000)).toEqual({ code: 1011, reason: 'NET-0001', by: 'server' });
    await t.dg.nextConnection(3000);
    expect(t.live.stats().lastError?.kind).toBe('timeout');
  });

  it('stop sends CloseStream, gets the Metadata summary, and the server closes normally', async () => {
    const t = await setup();
    t.live.start();
    const conn = await t.dg.nextConnection();
    await waitFor(() => t.live.stats().state === 'open', 2000, 'open');
    t.live.sendAudio(silence(300));
    await waitFor(() => conn.audioMs() >= 300, 2000, 'audio');
    await t.live.stop();
    expect(conn.closeStream).toBe(true);
    expect(conn.controls.map((c) => c.type)).toContain('CloseStream');
    expect(conn.closed).toMatchObject({ code: 1000, by: 'server' });
    expect(conn.sent.at(-1)).toMatchObject({ type: 'Metadata', channels: 1 });
    await sleep(300);
    expect(t.dg.handshakes).toHaveLength(1); // no reconnect after a stop
  });

  it('a dropped stream reconnects within 2 s; audio sent meanwhile arrives; later transcripts still come', async () => {
    const t = await setup({
      script: (i) => (i === 1 ? [{ at: { audioMs: 200 }, do: { type: 'Results', transcript: 'Are you still there?', is_final: true, speech_final: true } }] : []),
    });
    t.live.start();
    const first = await t.dg.nextConnection();
    await waitFor(() => t.live.stats().state === 'open', 2000, 'open');
    const next = t.dg.nextConnection(3000);
    const droppedAt = Date.now();
    first.drop();
    await waitFor(() => t.live.stats().state !== 'open', 2000, 'drop noticed');
    t.live.sendAudio(silence(300)); // while reconnecting: buffered, sent on reconnect
    const second = await next;
    const reconnectMs = second.openedAt - droppedAt;
    expect(reconnectMs).toBeLessThan(2000);
    await waitFor(() => t.events.some((e) => e.type === 'stt.words' && e.text === 'Are you still there?'), 3000, 'transcript after reconnect');
    expect(second.audioMs()).toBeGreaterThanOrEqual(300);
    expect(t.live.stats().bytesDropped).toBe(0);
    expect(t.statuses).toContain('down');
    expect(t.status.get('stt')?.state).toBe('up');
  });

  it('401: status down with the fix, and no retry at all', async () => {
    const t = await setup({ key: 'the-right-key-123456' }, { key: 'not-the-key-6543210' });
    t.live.start();
    await waitFor(() => t.status.get('stt')?.state === 'down', 3000, 'stt down');
    const s = t.status.get('stt')!;
    expect(s.detail).toMatch(/refused the API key \(HTTP 401\)/);
    expect(s.fix).toMatch(/DEEPGRAM_API_KEY/);
    await sleep(1500); // ≥ 7 backoff periods of 200 ms
    expect(t.dg.handshakes.map((h) => h.status)).toEqual([401]);
    expect(t.dg.handshakes[0]!.auth).toBe('wrong');
    expect(t.live.stats()).toMatchObject({ state: 'failed', connects: 1 });
  });

  it('402 (no credit) is final too; 500 is retried with growing delays, not in a storm', async () => {
    const t = await setup({ handshakeStatus: 402 });
    t.live.start();
    await waitFor(() => t.status.get('stt')?.state === 'down', 3000, 'down');
    expect(t.status.get('stt')!.fix).toMatch(/credit/);
    await sleep(600);
    expect(t.dg.handshakes).toHaveLength(1);

    t.dg.handshakeStatus = 500;
    const again = createDeepgramLive({ key: t.dg.key, url: t.dg.url, log: silentLogger(), status: new StatusBoard(), onEvent: () => {}, backoff: { baseMs: 100, maxMs: 1600 } });
    again.start();
    await sleep(1600);
    await again.stop();
    const retries = t.dg.handshakes.length - 1;
    // 100, 200, 400, 800 ms (± jitter, halves at worst): at most 6 attempts in 1.6 s, at least 2.
    expect(retries).toBeGreaterThanOrEqual(2);
    expect(retries).toBeLessThanOrEqual(6);
  });
});

describe('audio reaches Deepgram as PCM16 16 kHz mono, in real time', () => {
  it('a 44.1 kHz stereo float WAV tone arrives as 16 kHz PCM16 with its pitch intact', async () => {
    const t = await setup();
    const path = toneWav({ hz: 440, seconds: 1, sampleRate: 44_100, channels: 2, bitDepth: '32f' });
    const source = fileSource(path);
    t.live.start();
    const conn = await t.dg.nextConnection();
    let ended = false;
    const startedAt = Date.now();
    await source.start((c) => t.live.sendAudio(c), () => (ended = true));
    await waitFor(() => ended, 4000, 'end of file');
    const tookMs = Date.now() - startedAt;
    await waitFor(() => conn.audioMs() >= 990, 2000, 'all audio');
    const a = conn.analysis();
    expect(a.partialSampleFrames).toBe(0);
    expect(a.plausiblePcm16).toBe(true);
    expect(a.audioMs).toBeGreaterThan(990);
    expect(a.audioMs).toBeLessThan(1010); // 44,100 × 2 ch × 4 B would be 11× more bytes
    expect(a.zeroCrossingHz).toBeGreaterThan(430); // 440 Hz at the declared 16 kHz; 1,210 Hz if it were still 44.1 kHz
    expect(a.zeroCrossingHz).toBeLessThan(450);
    expect(a.rms).toBeGreaterThan(0.5 * 32767 * 0.7 * 0.95); // amplitude 0.5 → RMS 0.354 of full scale
    // Real time, not a burst: at most one 100 ms chunk ahead of the clock (load only slows it; exact pacing: pacer.test.ts).
    expect(tookMs).toBeGreaterThanOrEqual(1000 - 150);
    await source.stop();
  });

  it.runIf(hasEspeak)('espeak-ng speech (22,050 Hz WAV) arrives as plausible PCM16 at 16 kHz, paced in real time', async () => {
    const t = await setup();
    const path = await speechWav("Pickle, what's up? Tell me about the food.");
    const durationMs = wavDurationMs(readFileSync(path));
    const source = fileSource(path);
    t.live.start();
    const conn = await t.dg.nextConnection();
    let ended = false;
    const startedAt = Date.now();
    await source.start((c) => t.live.sendAudio(c), () => (ended = true));
    await waitFor(() => ended, durationMs + 3000, 'end of file');
    const tookMs = Date.now() - startedAt;
    await waitFor(() => conn.audioMs() >= durationMs - 5, 2000, 'all audio');
    const a = conn.analysis();
    expect(a.sampleRate).toBe(16_000);
    expect(a.plausiblePcm16).toBe(true);
    expect(Math.abs(a.audioMs - durationMs)).toBeLessThan(5); // resampled, not truncated or stretched
    expect(a.roughness).toBeLessThan(0.6); // speech, not byte noise
    expect(a.peak).toBeGreaterThan(3000);
    expect(tookMs).toBeGreaterThanOrEqual(durationMs - 150); // real time, not a burst (at most one chunk ahead)
    await source.stop();
  });

  it('the stand-in tells bytes that are not PCM16 apart (the check can fail)', async () => {
    const t = await setup();
    t.live.start();
    const conn = await t.dg.nextConnection();
    await waitFor(() => t.live.stats().state === 'open', 2000, 'open');
    // The same tone as 32-bit float bytes, declared as linear16: noise to a PCM16 reader.
    const f = new Float32Array(8000);
    for (let i = 0; i < f.length; i++) f[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16000);
    t.live.sendAudio(Buffer.from(f.buffer));
    await waitFor(() => conn.audioMs() >= 999, 2000, 'audio');
    expect(conn.analysis().plausiblePcm16).toBe(false);
  });
});

describe('KeepAlive timing at the real numbers (fake timers, fake connection)', () => {
  afterEach(() => vi.useRealTimers());

  function fakeClient() {
    const handlers = new Map<string, Array<(...a: any[]) => void>>();
    const log: Array<{ t: number; what: string }> = [];
    const c: LiveClientLike & { emit(ev: string, ...a: any[]): void; log: typeof log } = {
      log,
      on: (ev, fn) => handlers.set(ev, [...(handlers.get(ev) ?? []), fn]),
      emit: (ev, ...a) => handlers.get(ev)?.forEach((fn) => fn(...a)),
      send: () => log.push({ t: Date.now(), what: 'audio' }),
      keepAlive: () => log.push({ t: Date.now(), what: 'KeepAlive' }),
      finalize: () => log.push({ t: Date.now(), what: 'Finalize' }),
      requestClose: () => {
        log.push({ t: Date.now(), what: 'CloseStream' });
        setTimeout(() => c.emit('close', { code: 1000, reason: '' }), 10);
      },
      disconnect: () => {},
      isConnected: () => true,
    };
    return c;
  }

  it('15 s of silence after audio: KeepAlive every 4 s, never 10 s without a frame; none while audio flows', async () => {
    vi.useFakeTimers();
    const client = fakeClient();
    const l = createDeepgramLive({ key: 'k', log: silentLogger(), status: new StatusBoard(), onEvent: () => {}, openClient: () => client });
    l.start();
    client.emit('open');
    const t0 = Date.now();
    for (let i = 0; i < 50; i++) {
      l.sendAudio(silence(100)); // 5 s of audio, 100 ms at a time
      vi.advanceTimersByTime(100);
    }
    expect(client.log.filter((e) => e.what === 'KeepAlive')).toEqual([]);
    vi.advanceTimersByTime(15_000);
    const frames = client.log.map((e) => e.t);
    const gaps = frames.slice(1).map((t, i) => t - frames[i]!);
    const keepAlives = client.log.filter((e) => e.what === 'KeepAlive').map((e) => e.t - t0);
    expect(keepAlives.length).toBe(3); // ~9, ~13, ~17 s
    expect(Math.max(...gaps)).toBeLessThanOrEqual(4_000 + 1_000);
    const stopped = l.stop();
    await vi.advanceTimersByTimeAsync(100);
    await stopped;
    expect(client.log.at(-1)?.what).toBe('CloseStream');
  });
});
