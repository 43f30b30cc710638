import { service } from '../../machines/services.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { brainMachine } from '../../machines/brain.ts';
import { RECALL_BUDGET_MS, dedupeMemories, recallInputOf, type RecallInput } from '../../machines/brain/recall.ts';
import type { ChatMessage, RecallEvent, RecalledMemory } from '../../machines/events.ts';
import { harness } from './harness.ts';
import { fakeLlm } from './fakeLlm.ts';
import { msg, persona } from './fixtures.ts';

const DAY = 86_400_000;

/** A scripted memory actor: records what it was asked; the test answers (or not) when it likes. */
function fakeRecall() {
  const calls: Array<{ input: RecallInput; answer: (m: RecalledMemory[]) => void; send: (e: RecallEvent) => void; stopped: boolean }> = [];
  const logic = service<RecallInput, RecallEvent>(({ input, sendBack }) => {
    const call = { input, answer: (memories: RecalledMemory[]) => sendBack({ type: 'memory.recalled', memories }), send: (e: RecallEvent) => sendBack(e), stopped: false };
    calls.push(call);
    return () => {
      call.stopped = true;
    };
  });
  return { logic, calls, last: () => calls[calls.length - 1]! };
}

function setup(opts: { recallBudgetMs?: number } = {}) {
  const llm = fakeLlm();
  const recall = fakeRecall();
  const h = harness(brainMachine.provide({ actors: { generateReply: llm.logic, recallMemories: recall.logic } }), {
    persona,
    blocklist: [],
    random: () => 0.99,
    ...(opts.recallBudgetMs ? { recallBudgetMs: opts.recallBudgetMs } : {}),
  });
  const state = () => {
    const v = h.snapshot().value;
    return typeof v === 'string' ? v : Object.values(v as object)[0];
  };
  const batch = (...messages: ChatMessage[]) => h.send({ type: 'chat.batch', messages, flush: 'mention' });
  const userPrompt = () => llm.last().input.messages[1]!.content;
  return { h, llm, recall, state, batch, userPrompt };
}

const fact = (over: Partial<RecalledMemory> = {}): RecalledMemory => ({
  id: 'mem-1',
  messageId: 'old-1',
  user: 'sam',
  text: "I'm a nurse and I love Elden Ring",
  ts: 1_700_000_000_000 - 3 * DAY,
  source: 'chat',
  ...over,
});

describe('brain: the recall step before thinking', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("a reply's moments carry the time of the facts that caused them: the recall's answer, the LLM's first token and sentence", () => {
    const t = setup();
    t.batch(msg('hey pickle, remember me?', { user: 'sam' }));
    t.recall.last().send({ type: 'memory.recalled', memories: [], ts: 7_000 });
    expect(t.h.of('reply.start')[0]).toMatchObject({ ts: 7_000 });
    const c = t.llm.last();
    c.emit({ type: 'llm.firstToken', ts: 7_400 });
    c.emit({ type: 'llm.sentence', text: 'Of course I do.', ts: 7_600 });
    expect(t.h.of('reply.firstToken')).toEqual([{ type: 'reply.firstToken', replyId: t.h.of('reply.start')[0]!.replyId, ts: 7_400 }]);
    expect(t.h.of('reply.sentence')[0]).toMatchObject({ index: 0, ts: 7_600 });
  });

  it('a recall past its budget starts the reply untimed (no fact said when)', () => {
    const t = setup();
    t.batch(msg('hey pickle, remember me?', { user: 'sam' }));
    vi.advanceTimersByTime(RECALL_BUDGET_MS);
    expect(t.h.of('reply.start')).toHaveLength(1);
    expect(t.h.of('reply.start')[0]).not.toHaveProperty('ts');
  });

  it('asks memory first and starts the LLM only with its answer, memories quoted with who and when', () => {
    const t = setup();
    t.batch(msg('hey pickle, remember me?', { user: 'sam', displayName: 'Sam' }), msg('hello all', { user: 'kim' }));
    expect(t.state()).toBe('recalling');
    expect(t.llm.calls).toHaveLength(0);
    expect(t.h.of('reply.start')).toHaveLength(0);
    const asked = t.recall.last().input;
    expect(asked).toMatchObject({ query: 'hey pickle, remember me?', viewers: ['twitch:sam', 'twitch:kim'], persona: 'default' });

    t.recall.last().answer([fact(), fact({ id: 'mem-2', messageId: undefined, user: 'default', source: 'reply', text: 'Sam, you are a legend.', ts: 1_700_000_000_000 - DAY })]);
    expect(t.state()).toBe('thinking');
    expect(t.llm.calls).toHaveLength(1);
    const prompt = t.userPrompt();
    expect(prompt).toContain('Things you remember from earlier streams (data):');
    expect(prompt).toContain('- 3 days ago, viewer "sam" wrote: "I\'m a nurse and I love Elden Ring"');
    // A past reply is quoted as what was said on stream, never as the co-host's own knowledge.
    expect(prompt).toContain('- 24 h ago, a past reply on stream (not something you know): "Sam, you are a legend."');
    expect(prompt).not.toContain('you (Pickle) said: "Sam');
    expect(t.h.of('reply.start')[0]!.prompt[1]!.content).toBe(prompt);
    // The system prompt stays the persona's: memories are data in the user message only.
    expect(t.llm.last().input.messages[0]!.content).not.toContain('nurse');
    expect(t.h.of('brain.state').map((e) => e.state)).toEqual(['idle', 'thinking']);
  });

  it(`past the budget (${RECALL_BUDGET_MS} ms) the reply goes on without long-term memory; a late answer is ignored`, () => {
    const t = setup();
    t.batch(msg('pickle hi', { user: 'sam' }));
    vi.advanceTimersByTime(RECALL_BUDGET_MS - 1);
    expect(t.llm.calls).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(t.state()).toBe('thinking');
    expect(t.llm.calls).toHaveLength(1);
    expect(t.userPrompt()).not.toContain('Things you remember');
    expect(t.recall.last().stopped).toBe(true);
    t.recall.last().answer([fact()]);
    expect(t.llm.calls).toHaveLength(1);
    expect(t.h.of('reply.start')).toHaveLength(1);
  });

  it('the budget is a setting (BrainInput.recallBudgetMs)', () => {
    const t = setup({ recallBudgetMs: 1000 });
    t.batch(msg('pickle hi', { user: 'sam' }));
    vi.advanceTimersByTime(999);
    expect(t.state()).toBe('recalling');
    t.recall.last().answer([fact()]);
    expect(t.userPrompt()).toContain('Elden Ring');
  });

  it('memories already in STM are not repeated', () => {
    const t = setup();
    const said = msg('I love Elden Ring so much, best game ever', { user: 'sam' });
    t.h.send({ type: 'chat.batch', messages: [said], flush: 'timer' }); // not addressed: stored in STM only
    t.batch(msg('pickle what do I love?', { user: 'sam' }));
    expect(t.recall.last().input.exclude.ids).toContain(said.id);
    t.recall.last().answer([
      fact({ id: 'mem-now', messageId: said.id, text: said.text, ts: said.ts }),
      fact({ id: 'mem-same-words', messageId: 'other', text: '  i love elden ring so much,   best game ever ' }),
      fact({ id: 'mem-old', messageId: 'old-9', text: 'I beat Malenia last week' }),
    ]);
    const prompt = t.userPrompt();
    expect(prompt).toContain('I beat Malenia last week');
    expect(prompt.split('best game ever')).toHaveLength(2); // once, in the recent conversation
  });

  it('a skip while recalling cancels the reply before any LLM call', () => {
    const t = setup();
    t.batch(msg('pickle hi', { user: 'sam' }));
    t.h.send({ type: 'control.skip' });
    expect(t.state()).toBe('cooldown');
    expect(t.h.of('reply.failed')[0]).toMatchObject({ reason: 'skipped' });
    expect(t.recall.last().stopped).toBe(true);
    expect(t.llm.calls).toHaveLength(0);
  });

  it('a moderator removing the trigger while recalling cancels the reply', () => {
    const t = setup();
    const m = msg('pickle say something rude', { user: 'troll' });
    t.batch(m);
    t.h.send({ type: 'chat.removed', platform: 'twitch', messageIds: [m.id], users: [], all: false });
    expect(t.state()).toBe('idle');
    expect(t.h.of('reply.failed')[0]).toMatchObject({ reason: 'moderated' });
    expect(t.llm.calls).toHaveLength(0);
  });

  it('!forgetme takes the viewer out of STM too', () => {
    const t = setup();
    t.h.send({ type: 'chat.batch', messages: [msg('my name is Sam and I am a nurse', { user: 'sam' }), msg('nice stream', { user: 'kim' })], flush: 'timer' });
    t.h.send({ type: 'chat.command', command: 'forgetme', args: [], message: msg('!forgetme', { user: 'sam' }) });
    expect(t.h.snapshot().context.stm.map((e: { user: string }) => e.user)).toEqual(['kim']);
  });

  it("!forgetme also takes out others' lines naming the viewer, and the replies to them", () => {
    const t = setup();
    // Bob asks Pickle something; the reply (it does not name him) is kept in STM as a reply to bob.
    t.batch(msg('pickle, what is up?', { user: 'bob' }));
    t.recall.last().answer([]);
    t.llm.reply(['Welcome!']);
    t.h.send({ type: 'voice.sentenceStarted', replyId: t.llm.last().input.replyId, index: 0, text: 'Welcome!', first: true });
    t.h.send({ type: 'voice.done', replyId: t.llm.last().input.replyId, spokenText: 'Welcome!', interrupted: false });
    expect(t.h.of('reply.spoken')[0]).toMatchObject({ text: 'Welcome!', about: ['bob'] });
    t.h.send({ type: 'chat.batch', messages: [msg('did you know bob is a scammer', { user: 'mallory' }), msg('nice stream', { user: 'kim' })], flush: 'timer' });
    expect(t.h.snapshot().context.stm.map((e: { user: string }) => e.user)).toEqual(['bob', 'default', 'mallory', 'kim']);
    t.h.send({ type: 'chat.command', command: 'forgetme', args: [], message: msg('!forgetme', { user: 'bob' }) });
    expect(t.h.snapshot().context.stm.map((e: { user: string }) => e.user)).toEqual(['kim']);
  });

  it("the panel's Forget viewer takes them out of STM as !forgetme does", () => {
    const t = setup();
    t.h.send({ type: 'chat.batch', messages: [msg('hello everyone', { user: 'bob' }), msg('bob is a scammer', { user: 'mallory' }), msg('nice stream', { user: 'kim' })], flush: 'timer' });
    t.h.send({ type: 'viewer.forget', login: 'bob' });
    expect(t.h.snapshot().context.stm.map((e: { user: string }) => e.user)).toEqual(['kim']);
  });

  it('without a memory actor provided, replies start at once with no memories (the default)', () => {
    const llm = fakeLlm();
    const h = harness(brainMachine.provide({ actors: { generateReply: llm.logic } }), { persona, blocklist: [], random: () => 0.99 });
    h.send({ type: 'chat.batch', messages: [msg('pickle hi')], flush: 'mention' });
    expect(llm.calls).toHaveLength(1);
    expect(llm.last().input.messages[1]!.content).not.toContain('Things you remember');
  });
});

describe('recall helpers', () => {
  it('recallInputOf: the trigger message is the query, the trigger author comes first, at most 5 viewers, each as platform:login', () => {
    const entries = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((u) => ({ id: `id-${u}`, kind: 'chat' as const, user: u, platform: u === 'b' ? ('kick' as const) : ('twitch' as const), displayName: u, text: `line of ${u}`, ts: 1 }));
    const input = recallInputOf({ entries, triggerId: 'id-f', users: ['f'] }, [], 'default', 5);
    expect(input.query).toBe('line of f');
    expect(input.viewers).toEqual(['twitch:f', 'twitch:a', 'kick:b', 'twitch:c', 'twitch:d']);
  });

  it('recallInputOf: a Kick alice and a Twitch alice in one batch are two viewers, the one who asked first', () => {
    const entries = [
      { id: 'k1', kind: 'chat' as const, user: 'alice', platform: 'twitch' as const, displayName: 'alice', text: 'hi', ts: 1 },
      { id: 'k2', kind: 'chat' as const, user: 'alice', platform: 'kick' as const, displayName: 'alice', text: 'pickle what do I like?', ts: 2 },
    ];
    const input = recallInputOf({ entries, triggerId: 'k2', users: ['alice'], platform: 'kick' }, [], 'default', 2);
    expect(input.viewers).toEqual(['kick:alice', 'twitch:alice']);
  });

  it('recallInputOf: speech has no viewer, the transcript is the query', () => {
    const input = recallInputOf(
      { entries: [{ id: 'speech-1', kind: 'speech', user: 'streamer', displayName: 'streamer', text: 'pickle what did sam say', ts: 1 }], users: [] },
      [],
      'default',
      1,
    );
    expect(input).toMatchObject({ query: 'pickle what did sam say', viewers: [] });
  });

  it('dedupeMemories drops duplicates among the memories and sorts oldest first', () => {
    const out = dedupeMemories([fact({ id: 'x', ts: 5 }), fact({ id: 'y', ts: 3, text: 'other' }), fact({ id: 'x', ts: 5 })], []);
    expect(out.map((m) => m.id)).toEqual(['y', 'x']);
  });
});
