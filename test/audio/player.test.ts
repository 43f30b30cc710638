import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PlayCommand } from '../../machines/events.ts';
import { createPlayback, type AudioSink } from '../../src/audio/player.ts';
import { harness } from '../machines/harness.ts';

/** 24 kHz PCM16: bytes for `ms` of audio. */
const bytes = (ms: number) => (ms / 1000) * 24000 * 2;

function recordingSink(reporters = 0) {
  const log: Array<{ t: number; what: string; ms?: number }> = [];
  const ended = new Map<string, () => void>();
  const sink: AudioSink = {
    start: (id, rate) => log.push({ t: Date.now(), what: `start ${id} ${rate}` }),
    audio: (pcm) => log.push({ t: Date.now(), what: 'audio', ms: (pcm.length / 48000) * 1000 }),
    end: () => log.push({ t: Date.now(), what: 'end' }),
    stop: () => log.push({ t: Date.now(), what: 'stop' }),
    reporters: () => reporters,
    onEnded: (id, cb) => {
      ended.set(id, cb);
      return () => ended.delete(id);
    },
  };
  return { sink, log, report: (id: string) => ended.get(id)?.() };
}

function start(opts: { reporters?: number; leadMs?: number } = {}) {
  const rec = recordingSink(opts.reporters ?? 0);
  const logic = createPlayback({ sink: rec.sink, leadMs: opts.leadMs ?? 250, startLeadMs: 30, reportGraceMs: 1000, now: () => Date.now() });
  const h = harness(logic, { replyId: 'r1' });
  const t0 = Date.now();
  const at = (e: { t: number }) => e.t - t0;
  const play = (cmd: PlayCommand) => h.send(cmd);
  const audio = (index: number, ms: number) => play({ type: 'play.audio', index, pcm: new Uint8Array(bytes(ms)) });
  return { ...rec, h, at, play, audio, t0, scheduled: () => h.of('playback.scheduled').map((e) => [e.index, e.inMs]) };
}

describe('playback: pacing, clock, end of playback', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('reports when the first sentence is heard before its audio goes out, then sends stream_start and audio', async () => {
    const p = start();
    p.audio(0, 100);
    expect(p.scheduled()).toEqual([[0, 0]]); // synchronous: speaking can be announced first
    expect(p.log).toEqual([]); // the socket writes wait for the end of this turn
    await vi.advanceTimersByTimeAsync(0);
    expect(p.log.map((e) => e.what)).toEqual(['start r1 24000', 'audio']);
  });

  it('sends audio at most leadMs ahead of the playhead', async () => {
    const p = start({ leadMs: 250 });
    for (let i = 0; i < 6; i++) p.audio(0, 100);
    await vi.advanceTimersByTimeAsync(0);
    // chunks start at 30, 130, 230, 330, 430, 530: sent at start - 250 (the first when due)
    expect(p.log.filter((e) => e.what === 'audio').length).toBe(3);
    await vi.advanceTimersByTimeAsync(80);
    expect(p.log.filter((e) => e.what === 'audio').length).toBe(4);
    await vi.advanceTimersByTimeAsync(200);
    const sent = p.log.filter((e) => e.what === 'audio').map((e) => p.at(e));
    expect(sent).toEqual([0, 0, 0, 80, 180, 280]);
  });

  it('says when each sentence will be heard by its clock, and the end from sample counts when no overlay reports', async () => {
    const p = start();
    p.audio(0, 200);
    p.audio(1, 300);
    p.play({ type: 'play.finish' });
    await vi.advanceTimersByTimeAsync(0);
    // Sentence 1 is heard at 30 + 200, announced a start-lead early: in 200 ms (the voice machine waits that long).
    expect(p.scheduled()).toEqual([[0, 0], [1, 200]]);
    expect(p.log.at(-1)!.what).toBe('end'); // everything sent: stream_end
    await vi.advanceTimersByTimeAsync(200);
    await vi.advanceTimersByTimeAsync(329);
    expect(p.h.of('playback.drained')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1); // 30 + 200 + 300
    expect(p.h.of('playback.drained')).toHaveLength(1);
  });

  it('with an overlay that plays audio: the end is its report (or the computed end plus grace)', async () => {
    const p = start({ reporters: 1 });
    p.audio(0, 100);
    p.play({ type: 'play.finish' });
    await vi.advanceTimersByTimeAsync(140);
    expect(p.h.of('playback.drained')).toHaveLength(0); // past the computed end: waiting for the overlay
    p.report('r1');
    expect(p.h.of('playback.drained')).toHaveLength(1);

    const q = start({ reporters: 1 });
    q.audio(0, 100);
    q.play({ type: 'play.finish' });
    await vi.advanceTimersByTimeAsync(1129);
    expect(q.h.of('playback.drained')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(q.h.of('playback.drained')).toHaveLength(1);
  });

  it('stopped mid-stream: flushes the overlay once, sends nothing more, reports nothing', async () => {
    const p = start();
    for (let i = 0; i < 10; i++) p.audio(i < 5 ? 0 : 1, 100);
    p.play({ type: 'play.finish' });
    await vi.advanceTimersByTimeAsync(120);
    const before = p.log.length;
    p.h.stop();
    await vi.advanceTimersByTimeAsync(3000);
    expect(p.log.slice(before).map((e) => e.what)).toEqual(['stop']);
    expect(p.h.of('playback.drained')).toHaveLength(0);
  });

  it('stopped before anything went out: no stream at all', async () => {
    const p = start();
    p.audio(0, 100);
    p.h.stop(); // same turn: the writes were not flushed yet
    await vi.advanceTimersByTimeAsync(500);
    expect(p.log).toEqual([]);
  });

  it('a silent sentence before any audio is a timer; audio after it waits for its turn', async () => {
    const p = start();
    p.play({ type: 'play.silence', index: 0, ms: 400 });
    p.audio(1, 100);
    await vi.advanceTimersByTimeAsync(0);
    expect(p.scheduled()).toEqual([[0, 0]]);
    expect(p.log).toEqual([]);
    await vi.advanceTimersByTimeAsync(369);
    expect(p.log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1); // 400 - start lead
    expect(p.log.map((e) => e.what)).toEqual(['start r1 24000', 'audio']);
    expect(p.scheduled()).toEqual([[0, 0], [1, 0]]);
  });

  it('a silent sentence after audio is sent as zeros, so the overlay keeps time', async () => {
    const p = start({ leadMs: 10_000 });
    p.audio(0, 100);
    p.play({ type: 'play.silence', index: 1, ms: 250 });
    await vi.advanceTimersByTimeAsync(0);
    const audio = p.log.filter((e) => e.what === 'audio');
    expect(audio.map((e) => e.ms)).toEqual([100, 100, 100, 50]);
  });
});
