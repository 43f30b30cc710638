/** How long the LLM gets for a reply: the replyDeadlines machine with fake timers. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { providePickle } from '../../machines/orchestrator.ts';
import { replyDeadlinesMachine, type ReplyDeadlinesEmitted } from '../../machines/replyDeadlines.ts';
import { orchestratorChildren } from '../../src/children.ts';
import { fakeLlm } from './fakeLlm.ts';
import { persona } from './fixtures.ts';

function deadlines() {
  const actor = createActor(replyDeadlinesMachine, { input: { timeoutMs: 30_000, firstTokenTimeoutMs: 20_000 } });
  const out: ReplyDeadlinesEmitted[] = [];
  actor.on('reply.overdue', (e) => out.push(e));
  actor.start();
  return { actor, out };
}

describe('replyDeadlines', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('no first token within 20 s: overdue once, as first-token', () => {
    const d = deadlines();
    d.actor.send({ type: 'request.started', key: 'a' });
    vi.advanceTimersByTime(19_999);
    expect(d.out).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(d.out).toEqual([{ type: 'reply.overdue', key: 'a', which: 'first-token' }]);
    vi.advanceTimersByTime(60_000);
    expect(d.out).toHaveLength(1);
  });

  it('a first token lifts the first deadline; the whole reply still has 30 s from the request', () => {
    const d = deadlines();
    d.actor.send({ type: 'request.started', key: 'a' });
    vi.advanceTimersByTime(5_000);
    d.actor.send({ type: 'request.answering', key: 'a' });
    vi.advanceTimersByTime(24_999);
    expect(d.out).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(d.out).toEqual([{ type: 'reply.overdue', key: 'a', which: 'whole' }]);
  });

  it('a finished reply is never overdue; replies are timed apart', () => {
    const d = deadlines();
    d.actor.send({ type: 'request.started', key: 'a' });
    vi.advanceTimersByTime(10_000);
    d.actor.send({ type: 'request.started', key: 'b' });
    d.actor.send({ type: 'request.answering', key: 'a' });
    d.actor.send({ type: 'request.ended', key: 'a' });
    vi.advanceTimersByTime(20_000);
    expect(d.out).toEqual([{ type: 'reply.overdue', key: 'b', which: 'first-token' }]);
    expect(d.actor.getSnapshot().context.running).toEqual([]);
  });

  it("runs as the orchestrator's child replyDeadlines:llm", () => {
    const actor = createActor(providePickle({ generateReply: fakeLlm().logic }), {
      input: { chat: { persona, ignoreBots: [] }, brain: { persona, blocklist: [], random: () => 0.99 } },
    });
    actor.start();
    const child = orchestratorChildren(actor).start({ src: 'replyDeadlines', systemId: 'replyDeadlines:llm', input: { timeoutMs: 300, firstTokenTimeoutMs: 100 } });
    expect(actor.system.get('replyDeadlines:llm')).toBe(child);
    const out: string[] = [];
    child.on('reply.overdue', (e) => out.push(e.which));
    child.send({ type: 'request.started', key: 'a' });
    vi.advanceTimersByTime(100);
    expect(out).toEqual(['first-token']);
    actor.stop();
  });
});
