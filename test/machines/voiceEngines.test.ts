import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { afterFailure, enginesToTry, voiceEnginesMachine, type VoiceEnginesEmitted } from '../../machines/voiceEngines.ts';
import { providePickle } from '../../machines/orchestrator.ts';
import { orchestratorChildren } from '../../src/children.ts';
import { fakeLlm } from './fakeLlm.ts';
import { persona } from './fixtures.ts';

describe('voice engines: the fallback order and what a failure means', () => {
  const order = ['deepgram', 'espeak'];

  it('tries the preferred engine and those after it, skipping engines turned off', () => {
    expect(enginesToTry(order, 'deepgram', new Set())).toEqual(['deepgram', 'espeak']);
    expect(enginesToTry(order, 'espeak', new Set())).toEqual(['espeak']); // a persona asking for the local voice never wakes the cloud one
    expect(enginesToTry(order, 'deepgram', new Set(['deepgram']))).toEqual(['espeak']);
    expect(enginesToTry(order, 'elevenlabs', new Set())).toEqual(order); // an engine that is not configured: the whole list
    expect(enginesToTry([], 'deepgram', new Set())).toEqual([]); // captions only
  });

  it('a refused key or no credit turns the engine off; a 429 is asked again with growing pauses', () => {
    expect(afterFailure({ kind: 'auth', retryable: false }, 1, false, 200)).toEqual({ step: 'next', turnOff: true });
    expect(afterFailure({ kind: 'payment', retryable: false }, 1, false, 200)).toEqual({ step: 'next', turnOff: true });
    expect([1, 2, 3, 4, 5].map((n) => afterFailure({ kind: 'rate-limit', retryable: true }, n, false, 200))).toEqual([
      { step: 'retry', pauseMs: 200 },
      { step: 'retry', pauseMs: 400 },
      { step: 'retry', pauseMs: 800 },
      { step: 'retry', pauseMs: 1600 },
      { step: 'next', turnOff: false },
    ]);
    expect(afterFailure({ kind: 'server', retryable: true }, 1, false, 200)).toEqual({ step: 'retry', pauseMs: 200 });
    expect(afterFailure({ kind: 'server', retryable: true }, 2, false, 200)).toEqual({ step: 'next', turnOff: false });
  });

  it('once part of a sentence was heard it is cut, never repeated; a cut reply stops', () => {
    expect(afterFailure({ kind: 'server', retryable: true }, 1, true, 200)).toEqual({ step: 'cut' });
    expect(afterFailure({ kind: 'auth', retryable: false }, 1, true, 200)).toEqual({ step: 'cut' });
    expect(afterFailure({ kind: 'aborted', retryable: false }, 1, true, 200)).toEqual({ step: 'stop' });
  });
});

describe('the voiceEngines machine (fake timers)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function engines(order = ['deepgram', 'espeak']) {
    const actor = createActor(voiceEnginesMachine, { input: { order, retryBaseMs: 200 } });
    const out: VoiceEnginesEmitted[] = [];
    actor.on('*', (e) => out.push(e));
    actor.start();
    return { actor, out };
  }
  const rateLimited = { kind: 'rate-limit', retryable: true } as const;
  const refused = { kind: 'auth', retryable: false } as const;

  it('a 429 is asked again after 200, 400, 800, 1600 ms on the machine clock, then the next engine', () => {
    const { actor, out } = engines();
    actor.send({ type: 'sentence.requested', key: 'a', preferred: 'deepgram' });
    expect(out).toEqual([{ type: 'engine.speak', key: 'a', engine: 'deepgram', attempt: 1 }]);
    for (const [pause, attempt] of [[200, 2], [400, 3], [800, 4], [1600, 5]] as const) {
      out.length = 0;
      actor.send({ type: 'engine.failed', key: 'a', failure: rateLimited, heard: false });
      vi.advanceTimersByTime(pause - 1);
      expect(out).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(out).toEqual([{ type: 'engine.speak', key: 'a', engine: 'deepgram', attempt }]);
    }
    out.length = 0;
    actor.send({ type: 'engine.failed', key: 'a', failure: rateLimited, heard: false });
    expect(out).toEqual([{ type: 'engine.speak', key: 'a', engine: 'espeak', attempt: 1 }]);
    actor.send({ type: 'engine.spoke', key: 'a' });
    expect(actor.getSnapshot().context.sentences).toEqual({});
  });

  it('a refused key turns the engine off for every later sentence; the last engine failing leaves the sentence unvoiced', () => {
    const { actor, out } = engines();
    actor.send({ type: 'sentence.requested', key: 'a', preferred: 'deepgram' });
    actor.send({ type: 'sentence.requested', key: 'b', preferred: 'deepgram' });
    actor.send({ type: 'engine.failed', key: 'a', failure: refused, heard: false });
    expect(out.slice(2)).toEqual([
      { type: 'engine.turnedOff', engine: 'deepgram' },
      { type: 'engine.speak', key: 'a', engine: 'espeak', attempt: 1 },
    ]);
    out.length = 0;
    actor.send({ type: 'sentence.requested', key: 'c', preferred: 'deepgram' });
    expect(out).toEqual([{ type: 'engine.speak', key: 'c', engine: 'espeak', attempt: 1 }]);
    out.length = 0;
    // b was already on deepgram: its refusal moves it on without a second "turned off".
    actor.send({ type: 'engine.failed', key: 'b', failure: refused, heard: false });
    expect(out).toEqual([{ type: 'engine.speak', key: 'b', engine: 'espeak', attempt: 1 }]);
    out.length = 0;
    actor.send({ type: 'engine.failed', key: 'c', failure: { kind: 'other', retryable: false }, heard: false });
    expect(out).toEqual([{ type: 'sentence.over', key: 'c', how: 'unvoiced' }]);
  });

  it('heard audio is cut, never repeated; an abandoned sentence cancels its pending retry', () => {
    const { actor, out } = engines();
    actor.send({ type: 'sentence.requested', key: 'a', preferred: 'deepgram' });
    actor.send({ type: 'engine.failed', key: 'a', failure: { kind: 'server', retryable: true }, heard: true });
    expect(out.at(-1)).toEqual({ type: 'sentence.over', key: 'a', how: 'cut' });

    actor.send({ type: 'sentence.requested', key: 'b', preferred: 'deepgram' });
    actor.send({ type: 'engine.failed', key: 'b', failure: rateLimited, heard: false });
    actor.send({ type: 'sentence.abandoned', key: 'b' });
    out.length = 0;
    vi.advanceTimersByTime(5_000);
    expect(out).toEqual([]);
    expect(actor.getSnapshot().context.sentences).toEqual({});
  });

  it('a persona asking for the local voice never wakes the cloud one; no engine at all: unvoiced at once', () => {
    const { actor, out } = engines();
    actor.send({ type: 'sentence.requested', key: 'a', preferred: 'espeak' });
    expect(out).toEqual([{ type: 'engine.speak', key: 'a', engine: 'espeak', attempt: 1 }]);
    const none = engines([]);
    none.actor.send({ type: 'sentence.requested', key: 'x', preferred: 'deepgram' });
    expect(none.out).toEqual([{ type: 'sentence.over', key: 'x', how: 'unvoiced' }]);
  });

  it("runs as the orchestrator's child voiceEngines, on the system's clock", () => {
    const actor = createActor(providePickle({ generateReply: fakeLlm().logic }), {
      input: { chat: { persona, ignoreBots: [] }, brain: { persona, blocklist: [], random: () => 0.99 } },
    });
    actor.start();
    const child = orchestratorChildren(actor).start({ src: 'voiceEngines', systemId: 'voiceEngines', input: { order: ['deepgram'], retryBaseMs: 200 } });
    expect(actor.system.get('voiceEngines')).toBe(child);
    const asked: number[] = [];
    child.on('engine.speak', (e) => asked.push(e.attempt));
    child.send({ type: 'sentence.requested', key: 'a', preferred: 'deepgram' });
    child.send({ type: 'engine.failed', key: 'a', failure: rateLimited, heard: false });
    vi.advanceTimersByTime(200);
    expect(asked).toEqual([1, 2]);
    actor.stop();
  });
});
