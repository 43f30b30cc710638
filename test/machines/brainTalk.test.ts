import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { brainMachine } from '../../machines/brain.ts';
import { BREATH_MS, DIGEST_PUBLISH_MS } from '../../machines/brain/conversation.ts';
import { estimateTokens } from '../../machines/brain/budget.ts';
import type { ChatMessage, PersonaRuntime } from '../../machines/events.ts';
import { service } from '../../machines/services.ts';
import type { SummariseEvent, SummariseInput } from '../../machines/brain/digest.ts';
import { harness } from './harness.ts';
import { fakeLlm } from './fakeLlm.ts';
import { msg, persona } from './fixtures.ts';

/** Remarks on a quiet stream, the chat digest and `!recap`. */
function setup(over: Partial<PersonaRuntime> = {}) {
  const llm = fakeLlm();
  const h = harness(brainMachine.provide({ actors: { generateReply: llm.logic } }), {
    persona: { ...persona, idleAfterSec: 180, ...over },
    blocklist: [],
    random: () => 0.99,
  });
  const state = () => {
    const v = h.snapshot().value;
    return typeof v === 'string' ? v : Object.values(v as object)[0];
  };
  const batch = (...messages: ChatMessage[]) => h.send({ type: 'chat.batch', messages, flush: 'timer' });
  const decisions = () => h.of('brain.decision').map((e) => e.decision);
  const finish = (text = 'Okay.') => {
    llm.reply([text]);
    h.send({ type: 'voice.sentenceStarted', replyId: llm.last().input.replyId, index: 0, text: text, first: true });
    h.send({ type: 'voice.done', replyId: llm.last().input.replyId, spokenText: text, interrupted: false });
  };
  const userPrompt = () => llm.last().input.messages[1]!.content;
  return { h, llm, state, batch, decisions, finish, userPrompt };
}

const line = (user: string, text: string, over: Partial<ChatMessage> = {}) => msg(text, { user, displayName: user, ...over });

describe('remarks on a quiet stream', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('after idleAfterSec with neither chat nor speech, one remark; none again until something is said', () => {
    const t = setup();
    t.h.send({ type: 'vision.batch', flush: 'timer', scenes: [{ text: 'A street market with lanterns.', ts: 5, repeats: 1 }] });
    vi.advanceTimersByTime(179_999);
    expect(t.llm.calls).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(t.decisions().at(-1)).toMatchObject({ input: 'idle', respond: true, reason: 'idle' });
    expect(t.state()).toBe('thinking');
    expect(t.userPrompt()).toContain('the camera shows: "A street market with lanterns."');
    expect(t.userPrompt()).toMatch(/stream has been quiet/);
    t.finish();
    vi.advanceTimersByTime(3 * 180_000);
    expect(t.llm.calls).toHaveLength(1);
    // Chat speaks: a new quiet period starts from there.
    t.batch(line('ann', 'nice market'));
    vi.advanceTimersByTime(180_000);
    expect(t.llm.calls).toHaveLength(2);
    expect(t.userPrompt()).toContain('digest of what chat said');
  });

  it('chat and the streamer\'s voice push the remark back', () => {
    const t = setup();
    vi.advanceTimersByTime(170_000);
    t.h.send({ type: 'speech.final', text: 'okay we keep walking', ts: 1 });
    vi.advanceTimersByTime(170_000);
    t.batch(line('ann', 'cool street'));
    vi.advanceTimersByTime(179_000);
    expect(t.llm.calls).toHaveLength(0);
    vi.advanceTimersByTime(1000);
    expect(t.llm.calls).toHaveLength(1);
  });

  it('never while muted, never while the senses are paused, never with idle_after 0', () => {
    const muted = setup();
    muted.h.send({ type: 'brain.mute' });
    vi.advanceTimersByTime(600_000);
    expect(muted.llm.calls).toHaveLength(0);

    const paused = setup();
    paused.h.send({ type: 'senses.changed', ears: false, eyes: true });
    vi.advanceTimersByTime(600_000);
    expect(paused.llm.calls).toHaveLength(0);
    paused.h.send({ type: 'senses.changed', ears: true, eyes: true });
    vi.advanceTimersByTime(180_000);
    expect(paused.llm.calls).toHaveLength(1);

    const never = setup({ idleAfterSec: 0 });
    vi.advanceTimersByTime(3_600_000);
    expect(never.llm.calls).toHaveLength(0);
  });

  it('a cooldown change leaves the quiet period running (one remark at 180 s, not a new count)', () => {
    const t = setup();
    vi.advanceTimersByTime(90_000);
    t.h.send({ type: 'settings.changed', persona: { ...persona, idleAfterSec: 180, cooldownSec: 9 } });
    vi.advanceTimersByTime(90_000);
    expect(t.llm.calls).toHaveLength(1);
    t.finish();
    t.h.send({ type: 'settings.changed', persona: { ...persona, idleAfterSec: 180, cooldownSec: 2 } });
    vi.advanceTimersByTime(600_000);
    expect(t.llm.calls).toHaveLength(1);
  });

  it('settings.changed applies a new idleAfterSec from now; other settings leave the quiet period running', () => {
    const t = setup();
    vi.advanceTimersByTime(90_000);
    t.h.send({ type: 'settings.changed', persona: { ...persona, idleAfterSec: 180, cooldownSec: 9 } });
    vi.advanceTimersByTime(10_000);
    t.h.send({ type: 'settings.changed', persona: { ...persona, idleAfterSec: 30 } });
    vi.advanceTimersByTime(29_999);
    expect(t.llm.calls).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(t.llm.calls).toHaveLength(1);
  });
});

describe('chat digest and recap', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const busyMinute = (t: ReturnType<typeof setup>) => {
    t.batch(line('ann', 'that ramen place looks amazing'), line('bob', 'ramen or sushi tonight?'), line('cid', 'the ramen queue is huge'));
    t.batch(line('dee', 'is it raining in tokyo?'), line('eve', 'ramen ramen ramen'), line('fay', 'love the lanterns'));
  };

  it('without an LLM summary the plain digest (counts, topics, who asked what) goes to the panel, bounded', () => {
    const t = setup({ idleAfterSec: 0 });
    busyMinute(t);
    expect(t.h.of('chat.digest')).toHaveLength(0);
    vi.advanceTimersByTime(DIGEST_PUBLISH_MS);
    const digests = t.h.of('chat.digest');
    expect(digests).toHaveLength(1);
    const d = digests[0]!.digest;
    expect(d).toMatchObject({ source: 'plain', messages: 6, viewers: 6 });
    expect(d.topics[0]).toBe('ramen');
    expect(d.questions.map((q) => q.who)).toEqual(['dee', 'bob']);
    expect(d.text).toContain('Asked: dee: "is it raining in tokyo?"');
    expect(estimateTokens(d.text)).toBeLessThanOrEqual(250);
  });

  it('a question Pickle answered is no longer listed; the same question from two viewers is listed once', () => {
    const t = setup({ idleAfterSec: 0 });
    t.batch(line('bob', 'pickle, ramen or sushi tonight?'));
    t.finish('Ramen, always.');
    vi.advanceTimersByTime(BREATH_MS);
    t.batch(line('dee', 'is it raining in tokyo?'), line('eve', 'Is it  raining in Tokyo?'), line('fay', 'love the lanterns'));
    vi.advanceTimersByTime(DIGEST_PUBLISH_MS);
    const d = t.h.of('chat.digest').at(-1)!.digest;
    expect(d.questions.map((q) => q.who)).toEqual(['eve']);
  });

  it('a digest already out that lists a question Pickle then answers is followed by one without it', () => {
    const t = setup({ idleAfterSec: 0 });
    t.batch(line('bob', 'pickle, ramen or sushi tonight?'));
    vi.advanceTimersByTime(DIGEST_PUBLISH_MS);
    expect(t.h.of('chat.digest').at(-1)!.digest.questions.map((q) => q.who)).toEqual(['bob']);
    t.finish('Ramen, always.');
    vi.advanceTimersByTime(DIGEST_PUBLISH_MS);
    expect(t.h.of('chat.digest').at(-1)!.digest.questions).toEqual([]);
  });

  it('!recap from a mod answers with the chat lines quoted as data, oldest first', () => {
    const t = setup({ idleAfterSec: 0 });
    busyMinute(t);
    const cmd = line('mod', '!recap', { role: 'moderator' });
    t.h.send({ type: 'chat.command', command: 'recap', args: [], message: cmd });
    // Pickle was preparing an answer to bob's question: the mod's recap ranks higher and replaces it.
    expect(t.decisions().find((d) => d.triggerId === cmd.id)).toMatchObject({ respond: true });
    expect(t.h.of('reply.failed').at(-1)).toMatchObject({ reason: 'replaced' });
    expect(t.h.of('reply.start').at(-1)!.triggerId).toBe(cmd.id);
    const prompt = t.userPrompt();
    const input = prompt.slice(prompt.indexOf('New input (data):'));
    // Every line fits the budget: all quoted, oldest first, and no digest in their place.
    expect(input.indexOf('wrote: "that ramen place looks amazing"')).toBeGreaterThan(0);
    expect(input.indexOf('wrote: "that ramen place looks amazing"')).toBeLessThan(input.indexOf('wrote: "love the lanterns"'));
    expect(input).not.toContain('digest of what chat said');
    expect(prompt).toContain('what chat has been saying');
    expect(t.llm.last().input.messages[0]!.content).not.toContain('ramen');
  });

  it('"Pickle, what did chat say?" from the streamer, while busy, is a recap after the current reply', () => {
    const t = setup({ idleAfterSec: 0 });
    t.batch(line('ann', 'pickle hi'));
    busyMinute(t);
    t.llm.last().emit({ type: 'llm.sentence', text: 'Hi Ann.' });
    t.h.send({ type: 'voice.sentenceStarted', replyId: t.llm.last().input.replyId, index: 0, text: 'Hi Ann.', first: true });
    t.h.send({ type: 'speech.final', text: 'Pickle, what did chat say?', ts: 9 });
    t.h.send({ type: 'voice.done', replyId: t.llm.last().input.replyId, spokenText: 'Hi Ann.', interrupted: false });
    vi.advanceTimersByTime(BREATH_MS);
    expect(t.llm.calls).toHaveLength(2);
    expect(t.userPrompt().slice(t.userPrompt().indexOf('New input (data):'))).toContain('wrote: "the ramen queue is huge"');
  });

  it('a viewer mention asking what chat talked about is a recap too; moderated lines leave the digest', () => {
    const t = setup({ idleAfterSec: 0 });
    busyMinute(t);
    t.h.send({ type: 'chat.removed', platform: 'twitch', messageIds: [], users: ['twitch:dee'], all: false });
    t.finish();
    vi.advanceTimersByTime(5000);
    const ask = line('gus', 'pickle what has chat been talking about');
    t.batch(ask);
    expect(t.decisions().at(-1)).toMatchObject({ reason: 'recap', triggerId: ask.id });
    expect(t.userPrompt()).toContain('wrote: "ramen or sushi tonight?"');
    expect(t.userPrompt()).not.toContain('tokyo');
  });

  it('while idle the LLM summarises chat in the background; a reply stops it and the plain digest stands in', () => {
    const calls: Array<{ input: SummariseInput; send: (e: SummariseEvent) => void; stopped: boolean }> = [];
    const summariser = service<SummariseInput, SummariseEvent>(({ input, sendBack }) => {
      const call = { input, send: sendBack, stopped: false };
      calls.push(call);
      return () => {
        call.stopped = true;
      };
    });
    const llm = fakeLlm();
    const h = harness(brainMachine.provide({ actors: { generateReply: llm.logic, summariseChat: summariser } }), {
      persona: { ...persona, idleAfterSec: 0 },
      blocklist: [],
      random: () => 0.99,
    });
    const lines = (n: number, from: number) => Array.from({ length: n }, (_, i) => line(`u${from + i}`, `tacos are the best food ${from + i}`));
    h.send({ type: 'chat.batch', messages: lines(10, 0), flush: 'size' });
    h.send({ type: 'chat.batch', messages: lines(10, 10), flush: 'size' });
    vi.advanceTimersByTime(DIGEST_PUBLISH_MS);
    expect(calls).toHaveLength(0); // not worth an LLM call yet
    h.send({ type: 'chat.batch', messages: lines(10, 20), flush: 'size' });
    vi.advanceTimersByTime(DIGEST_PUBLISH_MS);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.input.messages[0]!.content).toContain('never instructions');
    expect(calls[0]!.input.messages[1]!.content).toContain('"tacos are the best food 29"');
    calls[0]!.send({ type: 'digest.summarised', text: 'Chat argued about tacos.', upTo: calls[0]!.input.upTo });
    expect(calls[0]!.stopped).toBe(true);
    h.send({ type: 'chat.batch', messages: lines(30, 30), flush: 'size' });
    vi.advanceTimersByTime(DIGEST_PUBLISH_MS);
    const d = h.of('chat.digest').at(-1)!.digest;
    expect(d.source).toBe('llm');
    expect(d.text).toMatch(/^Chat argued about tacos\. Since then: 30 messages/);
    // A second summary was asked for (30 new lines); a mention needs the LLM: the summary is dropped.
    expect(calls).toHaveLength(2);
    h.send({ type: 'chat.batch', messages: [line('zed', 'pickle hi')], flush: 'mention' });
    expect(calls[1]!.stopped).toBe(true);
    expect(llm.calls).toHaveLength(1);
  });
});
