import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { providePickle } from '../../machines/orchestrator.ts';
import type { PickleEvent } from '../../machines/events.ts';
import { fakeLlm } from './fakeLlm.ts';
import { msg, persona } from './fixtures.ts';

/** The speech machine inside the orchestrator: Deepgram-shaped stt.* events in, brain decisions out. */
function start() {
  const llm = fakeLlm();
  const actor = createActor(providePickle({ generateReply: llm.logic }), {
    input: {
      chat: { persona, botLogin: 'pickle_bot', ignoreBots: [] },
      brain: { persona, blocklist: [], random: () => 0.99 },
      voice: { msPerChar: 20, minSentenceMs: 500 },
      avatar: { captionHoldMs: 3000 },
      speech: { echoTailMs: 1500 },
    },
  });
  const seen: PickleEvent[] = [];
  actor.on('*', (e) => seen.push(e as PickleEvent));
  actor.start();
  const of = <T extends PickleEvent['type']>(type: T) => seen.filter((e) => e.type === type) as Extract<PickleEvent, { type: T }>[];
  const brainState = () => {
    const v = actor.system.get('brain')!.getSnapshot().value;
    return typeof v === 'string' ? v : Object.values(v)[0];
  };
  let ts = 1_700_000_000_000;
  /** The streamer says something: an interim result, then the final one ending the utterance. */
  const say = (text: string) => {
    actor.send({ type: 'stt.voiceActivity', ts: ++ts });
    actor.send({ type: 'stt.words', text: text.slice(0, Math.ceil(text.length / 2)), final: false, endOfUtterance: false, ts: ++ts });
    actor.send({ type: 'stt.words', text, final: true, endOfUtterance: true, ts: ++ts });
  };
  const lastUserMessage = (call: number) => llm.calls[call]!.input.messages.filter((m) => m.role === 'user').at(-1)!.content;
  return { actor, llm, seen, of, brainState, say, lastUserMessage };
}

describe('streamer speech through the orchestrator', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('"Pickle, what\'s up?" is answered; "Hey." (under 5 characters) never reaches the brain', () => {
    const p = start();
    p.say('Hey.');
    expect(p.of('speech.ignored')).toEqual([expect.objectContaining({ reason: 'short', text: 'Hey.' })]);
    expect(p.of('brain.decision')).toEqual([]);
    p.say("Pickle, what's up?");
    expect(p.of('speech.final')).toEqual([expect.objectContaining({ text: "Pickle, what's up?", speaker: 'streamer' })]);
    expect(p.of('brain.decision').at(-1)!.decision).toMatchObject({ input: 'speech', respond: true });
    expect(p.llm.calls).toHaveLength(1);
    expect(p.lastUserMessage(0)).toContain("Pickle, what's up?");
    expect(p.lastUserMessage(0)).not.toContain('Hey.');
  });

  it('priority: kept while busy, the streamer outranks a chat mention (either order)', () => {
    // chat mention first, then the streamer: the streamer wins
    const a = start();
    a.actor.send({ type: 'chat.message', message: msg('pickle tell a joke') });
    expect(a.brainState()).toBe('thinking');
    a.actor.send({ type: 'chat.message', message: msg('@pickle what about me?', { user: 'sam', displayName: 'Sam' }) });
    a.say('Pickle, what did chat say about the food?');
    // Nothing was heard of the joke yet: the streamer's question replaces it, and the joke goes back to the front of the line.
    expect(a.of('brain.decision').map((d) => `${d.decision.input}:${d.decision.reason}`)).toEqual([
      'chat:mention',
      'chat:pending-mention',
      'speech:pending-mention',
      'chat:pending-mention',
    ]);
    expect(a.of('reply.failed')[0]).toMatchObject({ reason: 'replaced' });
    expect(a.llm.calls).toHaveLength(2);
    expect(a.lastUserMessage(1)).toContain('what did chat say about the food?');
    a.llm.reply(['Knock knock.']);
    vi.advanceTimersByTime(1000 + 5000 + 10);
    expect(a.llm.calls).toHaveLength(3);
    expect(a.lastUserMessage(2).split('New input')[1]).toContain('tell a joke');

    // the streamer first, then a chat mention: the chat mention does not replace it, it waits its turn
    const b = start();
    b.actor.send({ type: 'chat.message', message: msg('pickle tell a joke') });
    b.say('Pickle, what did chat say about the food?');
    b.actor.send({ type: 'chat.message', message: msg('@pickle what about me?', { user: 'sam', displayName: 'Sam' }) });
    expect(b.of('brain.decision').map((d) => `${d.decision.input}:${d.decision.reason}`)).toEqual([
      'chat:mention',
      'speech:pending-mention',
      'chat:pending-mention',
      'chat:pending-mention',
    ]);
    expect(b.llm.calls).toHaveLength(2);
    expect(b.lastUserMessage(1)).toContain('what did chat say about the food?');
    b.llm.reply(['Knock knock.']);
    vi.advanceTimersByTime(1000 + 5000 + 10);
    expect(b.llm.calls).toHaveLength(3);
  });

  it("echo: Pickle's own sentence heard while speaking neither answers nor cuts it; the streamer's words cut it and are answered", () => {
    const p = start();
    p.say('Pickle, tell me about bananas?');
    p.llm.reply(['Bananas are the best snack for a long walk.', 'I would eat ten of them right now!']);
    expect(p.brainState()).toBe('speaking');
    // The microphone hears the speakers.
    p.say('Bananas are the best snack for a long walk.');
    vi.advanceTimersByTime(300);
    expect(p.of('speech.ignored').map((e) => e.reason)).toEqual(['echo']);
    expect(p.of('speech.started')).toHaveLength(1); // the first question's, before Pickle spoke
    expect(p.brainState()).toBe('speaking');
    expect(p.of('voice.done')).toEqual([]);
    // The streamer talks over Pickle.
    p.say('Wait, Pickle, what about tacos?');
    expect(p.of('speech.started')).toHaveLength(2);
    expect(p.of('voice.done')).toEqual([expect.objectContaining({ interrupted: true })]);
    expect(p.of('speech.final').map((e) => e.text)).toEqual(['Pickle, tell me about bananas?', 'Wait, Pickle, what about tacos?']);
    vi.advanceTimersByTime(5000 + 10);
    expect(p.llm.calls).toHaveLength(2);
    expect(p.lastUserMessage(1)).toContain('what about tacos?');
  });
});
