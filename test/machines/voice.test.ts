import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { service } from '../../machines/services.ts';
import type { PlayCommand, PlaybackEvent, TtsEvent } from '../../machines/events.ts';
import { pcmMs, voiceMachine, type PlaybackInput, type SynthesizeInput } from '../../machines/voice.ts';
import { harness } from './harness.ts';

/** Scripted TTS: each sentence is one call; the test decides when audio comes and when it ends. */
function fakeSynth() {
  const calls: Array<{ input: SynthesizeInput; stopped: boolean; send: (e: TtsEvent) => void }> = [];
  const logic = service<SynthesizeInput, TtsEvent>(({ input, sendBack }) => {
    const call = { input, stopped: false, send: (e: TtsEvent) => !call.stopped && sendBack(e) };
    calls.push(call);
    return () => {
      call.stopped = true;
    };
  });
  const of = (index: number) => calls.find((c) => c.input.index === index)!;
  return {
    logic,
    calls,
    of,
    running: () => calls.filter((c) => !c.stopped).map((c) => c.input.index),
    audio: (index: number, bytes: number, fill = index + 1) => {
      const c = of(index);
      c.send({ type: 'tts.audio', replyId: c.input.replyId, index, pcm: new Uint8Array(bytes).fill(fill) });
    },
    done: (index: number) => {
      const c = of(index);
      c.send({ type: 'tts.done', replyId: c.input.replyId, index, engine: 'deepgram' });
    },
    fail: (index: number) => {
      const c = of(index);
      c.send({ type: 'tts.failed', replyId: c.input.replyId, index, error: { kind: 'server', message: '500', retryable: true } });
    },
  };
}

/** A player that records what it is told and reports when the test says so. */
function fakePlayer() {
  const players: Array<{ input: PlaybackInput; got: PlayCommand[]; stopped: boolean; send: (e: PlaybackEvent) => void }> = [];
  const logic = service<PlaybackInput, PlaybackEvent, PlayCommand>(({ input, sendBack, receive }) => {
    const p = { input, got: [] as PlayCommand[], stopped: false, send: (e: PlaybackEvent) => !p.stopped && sendBack(e) };
    players.push(p);
    receive((cmd) => p.got.push(cmd));
    return () => {
      p.stopped = true;
    };
  });
  const last = () => players[players.length - 1]!;
  return {
    logic,
    players,
    last,
    started: (index: number) => last().send({ type: 'playback.started', replyId: last().input.replyId, index }),
    drained: () => last().send({ type: 'playback.drained', replyId: last().input.replyId }),
    scheduled: (index: number, inMs: number) => last().send({ type: 'playback.scheduled', replyId: last().input.replyId, index, inMs }),
    /** What was handed to the player, compactly: `a0:4` audio of sentence 0 (4 bytes), `s1` silence, `end`. */
    script: () =>
      last().got.map((c) => (c.type === 'play.audio' ? `a${c.index}:${c.pcm.byteLength}` : c.type === 'play.silence' ? `s${c.index}` : 'end')),
  };
}

function start(input: { maxParallel?: number } = {}) {
  const synth = fakeSynth();
  const player = fakePlayer();
  const logic = voiceMachine.provide({ actors: { synthesize: synth.logic, playback: player.logic } });
  const h = harness(logic, { msPerChar: 10, minSentenceMs: 100, ...input });
  const begin = (replyId = 'r1') => h.send({ type: 'reply.start', replyId, prompt: [] });
  const sentence = (index: number, text: string, replyId = 'r1') => h.send({ type: 'reply.sentence', replyId, index, text, emotion: 'happy' });
  const textDone = (replyId = 'r1') => h.send({ type: 'reply.done', replyId, text: '', emotion: 'happy' });
  return { h, synth, player, begin, sentence, textDone };
}

describe('voice: sentences -> parallel TTS -> ordered playback', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('plays strictly in order even when a later sentence is synthesized first', () => {
    const t = start();
    t.begin();
    t.sentence(0, 'First one.');
    t.sentence(1, 'Second one.');
    expect(t.synth.running()).toEqual([0, 1]);
    t.synth.audio(1, 6);
    t.synth.done(1);
    expect(t.player.script()).toEqual([]); // sentence 1 waits for sentence 0
    t.synth.audio(0, 4);
    expect(t.player.script()).toEqual(['a0:4']);
    t.synth.audio(0, 2);
    t.synth.done(0);
    expect(t.player.script()).toEqual(['a0:4', 'a0:2', 'a1:6']);
    t.textDone();
    expect(t.player.script()).toEqual(['a0:4', 'a0:2', 'a1:6', 'end']);
    // finished synth actors are stopped (their requests are over)
    expect(t.synth.running()).toEqual([]);
  });

  it("a sentence's caption appears when the player's clock says it is heard: at once, or after the wait it gave", () => {
    const t = start();
    t.begin();
    t.sentence(0, 'Hello there.');
    t.sentence(1, 'How are you?');
    t.synth.audio(0, 4);
    t.player.scheduled(0, 0);
    expect(t.h.of('voice.sentenceStarted').map((e) => e.index)).toEqual([0]);
    t.player.scheduled(1, 1_200);
    vi.advanceTimersByTime(1_199);
    expect(t.h.of('voice.sentenceStarted').map((e) => e.index)).toEqual([0]);
    vi.advanceTimersByTime(1);
    expect(t.h.of('voice.sentenceStarted').map((e) => e.index)).toEqual([0, 1]);
  });

  it('a caption still waiting when the reply is cut never appears', () => {
    const t = start();
    t.begin();
    t.sentence(0, 'Hello there.');
    t.sentence(1, 'How are you?');
    t.player.scheduled(0, 0);
    t.player.scheduled(1, 1_000);
    t.h.send({ type: 'voice.skip' });
    vi.advanceTimersByTime(5_000);
    expect(t.h.of('voice.sentenceStarted').map((e) => e.index)).toEqual([0]);
  });

  it('keeps at most maxParallel TTS requests in flight, in sentence order', () => {
    const t = start({ maxParallel: 2 });
    t.begin();
    for (const [i, s] of ['A.', 'B.', 'C.', 'D.'].entries()) t.sentence(i, s);
    expect(t.synth.calls.map((c) => c.input.index)).toEqual([0, 1]);
    t.synth.done(1);
    expect(t.synth.calls.map((c) => c.input.index)).toEqual([0, 1, 2]);
    t.synth.done(0);
    expect(t.synth.calls.map((c) => c.input.index)).toEqual([0, 1, 2, 3]);
    expect(t.synth.of(2).input.text).toBe('C.');
  });

  it('reports started / playing / done from the player, with only what was heard', () => {
    const t = start();
    t.begin();
    t.sentence(0, 'Hello there.');
    t.sentence(1, 'How are you?');
    t.textDone();
    t.synth.audio(0, 4);
    t.synth.done(0);
    t.synth.audio(1, 4);
    t.synth.done(1);
    expect(t.h.of('voice.sentenceStarted')).toHaveLength(0); // handed over is not heard
    t.player.started(0);
    // One announcement per sentence heard; the first says the reply started being heard.
    expect(t.h.of('voice.sentenceStarted')).toEqual([{ type: 'voice.sentenceStarted', replyId: 'r1', index: 0, text: 'Hello there.', first: true }]);
    t.player.started(1);
    expect(t.h.of('voice.sentenceStarted').map((e) => [e.index, e.first])).toEqual([[0, true], [1, false]]);
    t.player.drained();
    expect(t.h.of('voice.done')).toEqual([{ type: 'voice.done', replyId: 'r1', spokenText: 'Hello there. How are you?', interrupted: false }]);
    expect(t.player.last().stopped).toBe(true);
    expect(t.h.snapshot().value).toBe('idle');
  });

  it("a moment's time travels with it: the first audio's stamp to voice.firstByte, the heard time the player gave to voice.sentenceStarted", () => {
    const t = start();
    t.begin();
    t.sentence(0, 'Hello there.');
    t.sentence(1, 'Bye.');
    const c = t.synth.of(0);
    c.send({ type: 'tts.audio', replyId: 'r1', index: 0, pcm: new Uint8Array(4), ts: 5_000 });
    c.send({ type: 'tts.audio', replyId: 'r1', index: 0, pcm: new Uint8Array(4), ts: 5_010 });
    expect(t.h.of('voice.firstByte')).toEqual([{ type: 'voice.firstByte', replyId: 'r1', ts: 5_000 }]);
    t.player.last().send({ type: 'playback.scheduled', replyId: 'r1', index: 0, inMs: 250, ts: 5_300 });
    vi.advanceTimersByTime(250);
    expect(t.h.of('voice.sentenceStarted')).toEqual([{ type: 'voice.sentenceStarted', replyId: 'r1', index: 0, text: 'Hello there.', first: true, ts: 5_300 }]);
    // A report without a time (a test's player, captions kept by sample counts) announces it untimed.
    t.synth.done(0);
    t.synth.done(1);
    t.player.scheduled(1, 0);
    expect(t.h.of('voice.sentenceStarted')[1]).not.toHaveProperty('ts');
  });

  it('skip: aborts TTS in flight, flushes the player, and reports only the sentences that started', () => {
    const t = start();
    t.begin();
    t.sentence(0, 'One.');
    t.sentence(1, 'Two.');
    t.sentence(2, 'Three.');
    t.synth.audio(0, 4);
    t.synth.done(0);
    t.synth.audio(1, 4); // handed over early (next in order), but not started
    t.player.started(0);
    t.h.send({ type: 'voice.skip' });
    expect(t.h.of('voice.done')).toEqual([{ type: 'voice.done', replyId: 'r1', spokenText: 'One.', interrupted: true }]);
    expect(t.synth.running()).toEqual([]);
    expect(t.player.last().stopped).toBe(true);
    // late events of the cut reply change nothing
    t.player.started(1);
    expect(t.h.of('voice.sentenceStarted')).toHaveLength(1);
  });

  it('skip before any audio: empty spokenText, never a marker', () => {
    const t = start();
    t.begin();
    t.sentence(0, 'Never heard.');
    t.h.send({ type: 'voice.skip' });
    expect(t.h.of('voice.done')[0]).toMatchObject({ spokenText: '', interrupted: true });
    expect(t.h.of('voice.sentenceStarted').filter((e) => e.first)).toHaveLength(0);
  });

  it('a sentence whose TTS failed is shown for its reading time (silence) and the rest still plays', () => {
    const t = start();
    t.begin();
    t.sentence(0, 'Fine.');
    t.sentence(1, 'This one fails.');
    t.synth.fail(1);
    t.synth.audio(0, 4);
    t.synth.done(0);
    expect(t.player.script()).toEqual(['a0:4', 's1']);
    const silence = t.player.last().got[1] as Extract<PlayCommand, { type: 'play.silence' }>;
    expect(silence.ms).toBe(150); // 15 characters at 10 ms, over the 100 ms minimum
  });

  it('reply.failed (LLM error, moderation): stops everything without a report', () => {
    const t = start();
    t.begin();
    t.sentence(0, 'Hmm.');
    t.h.send({ type: 'reply.failed', replyId: 'r1', reason: 'moderated', detail: '' });
    expect(t.h.of('voice.done')).toHaveLength(0);
    expect(t.synth.running()).toEqual([]);
    expect(t.player.last().stopped).toBe(true);
  });

  it('a new reply stops what is left of the previous one; events of other replies are ignored', () => {
    const t = start();
    t.begin('r1');
    t.sentence(0, 'Old.', 'r1');
    t.begin('r2');
    expect(t.synth.of(0).stopped).toBe(true);
    expect(t.player.players[0]!.stopped).toBe(true);
    t.sentence(0, 'Ignored.', 'r1');
    t.sentence(0, 'New.', 'r2');
    expect(t.synth.calls.map((c) => c.input.text)).toEqual(['Old.', 'New.']);
  });

  it('a synthesize actor that throws counts as a failed sentence, not a crash', () => {
    const player = fakePlayer();
    const boom = service<SynthesizeInput, TtsEvent>(() => {
      throw new Error('boom');
    });
    const h = harness(voiceMachine.provide({ actors: { synthesize: boom, playback: player.logic } }), { msPerChar: 10, minSentenceMs: 100 });
    h.send({ type: 'reply.start', replyId: 'r1', prompt: [] });
    h.send({ type: 'reply.sentence', replyId: 'r1', index: 0, text: 'Oops.', emotion: 'happy' });
    expect(player.script()).toEqual(['s0']);
    expect(h.snapshot().status).toBe('active');
  });
});

describe('voice without provided actors: captions only, timed like a player', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('each sentence is shown for its reading time, then voice.done', () => {
    const h = harness(voiceMachine, { msPerChar: 10, minSentenceMs: 100 });
    h.send({ type: 'reply.start', replyId: 'r1', prompt: [] });
    h.send({ type: 'reply.sentence', replyId: 'r1', index: 0, text: 'Short.', emotion: 'happy' });
    h.send({ type: 'reply.sentence', replyId: 'r1', index: 1, text: 'A somewhat longer sentence.', emotion: 'happy' });
    h.send({ type: 'reply.done', replyId: 'r1', text: '', emotion: 'happy' });
    expect(h.of('voice.sentenceStarted').map((e) => e.index)).toEqual([0]);
    vi.advanceTimersByTime(99);
    expect(h.of('voice.sentenceStarted')).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(h.of('voice.sentenceStarted').map((e) => e.index)).toEqual([0, 1]);
    vi.advanceTimersByTime(269);
    expect(h.of('voice.done')).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(h.of('voice.done')[0]).toMatchObject({ spokenText: 'Short. A somewhat longer sentence.', interrupted: false });
  });

  it('the default player keeps time from sample counts for audio', () => {
    const bytes = 2 * 2400; // 100 ms at 24 kHz
    expect(pcmMs(bytes)).toBe(100);
    const synthAudio = service<SynthesizeInput, TtsEvent>(({ input, sendBack }) => {
      sendBack({ type: 'tts.audio', replyId: input.replyId, index: input.index, pcm: new Uint8Array(bytes) });
      sendBack({ type: 'tts.audio', replyId: input.replyId, index: input.index, pcm: new Uint8Array(bytes) });
      sendBack({ type: 'tts.done', replyId: input.replyId, index: input.index, engine: 'deepgram' });
    });
    const h = harness(voiceMachine.provide({ actors: { synthesize: synthAudio } }), { msPerChar: 10, minSentenceMs: 1000 });
    h.send({ type: 'reply.start', replyId: 'r1', prompt: [] });
    h.send({ type: 'reply.sentence', replyId: 'r1', index: 0, text: 'Hi.', emotion: 'happy' });
    h.send({ type: 'reply.done', replyId: 'r1', text: '', emotion: 'happy' });
    vi.advanceTimersByTime(199);
    expect(h.of('voice.done')).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(h.of('voice.done')[0]).toMatchObject({ spokenText: 'Hi.' });
  });
});

describe('voice: sentences the ML classifier is still judging', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const pending = (t: ReturnType<typeof start>, index: number, text: string) =>
    t.h.send({ type: 'reply.sentence', replyId: 'r1', index, text, emotion: 'happy', pending: true });
  const judged = (t: ReturnType<typeof start>, index: number, ok: boolean) => t.h.send({ type: 'reply.judged', replyId: 'r1', index, ok });

  it('synthesises a pending sentence at once, plays it only after an ok', () => {
    const t = start();
    t.begin();
    pending(t, 0, 'Hello there.');
    expect(t.synth.running()).toEqual([0]); // synthesis does not wait for the verdict
    t.synth.audio(0, 4);
    t.synth.done(0);
    expect(t.player.script()).toEqual([]); // playback does
    judged(t, 0, true);
    expect(t.player.script()).toEqual(['a0:4']);
  });

  it('drops a sentence judged toxic unheard: its synthesis stopped, its audio never handed over, the next one plays', () => {
    const t = start();
    t.begin();
    pending(t, 0, 'Something vile.');
    pending(t, 1, 'Anyway, welcome!');
    t.synth.audio(0, 4);
    t.synth.audio(1, 6);
    t.synth.done(1);
    judged(t, 1, true);
    expect(t.player.script()).toEqual([]); // sentence 1 still waits for sentence 0's turn
    judged(t, 0, false);
    expect(t.synth.running()).toEqual([]);
    t.synth.audio(0, 8); // late audio of the dropped sentence
    t.textDone();
    expect(t.player.script()).toEqual(['a1:6', 'end']);
    t.player.started(1);
    t.player.drained();
    // The dropped sentence 0 was never heard: sentence 1 is the reply's first.
    expect(t.h.of('voice.sentenceStarted').map((e) => [e.index, e.first])).toEqual([[1, true]]);
    expect(t.h.of('voice.done')[0]).toMatchObject({ spokenText: 'Anyway, welcome!' });
  });
});
