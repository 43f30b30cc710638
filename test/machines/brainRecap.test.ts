import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { brainMachine } from '../../machines/brain.ts';
import { BREATH_MS } from '../../machines/brain/conversation.ts';
import { recapOf, RECAP_MAX_TOKENS, type SummariseEvent, type SummariseInput } from '../../machines/brain/digest.ts';
import { estimateTokens } from '../../machines/brain/budget.ts';
import type { ChatMessage } from '../../machines/events.ts';
import { service } from '../../machines/services.ts';
import { harness } from './harness.ts';
import { fakeLlm } from './fakeLlm.ts';
import { msg, persona } from './fixtures.ts';
import { planFor } from '../../machines/brain/triggers.ts';

/**
 * A recap from real chat: a burst of chat as a stream gets it (topics drift, people talk over each
 * other), then a quiet minute, then "what has chat been talking about?". The recap quotes the
 * lines themselves; the ones that no longer fit come first as the LLM's summary, asked for as soon
 * as Pickle was idle with enough chat waiting.
 */

/** The first 15 lines carry four topics; the rest of the burst drifts to other things. */
const EARLY = [
  ['mika', 'omg the ramen shop behind you has a line around the block'],
  ['tobi', 'that ramen looks insane, is it tonkotsu?'],
  ['jay_r', 'hi chat, just got here from work'],
  ['mika', 'you should grab an umbrella it looks like rain is coming'],
  ['kiwi', 'LUL the guy with the umbrella hat'],
  ['tobi', 'wait is there a marathon today? so many runners'],
  ['sasha', 'yes the city marathon is this weekend, roads are closed'],
  ['jay_r', 'my cousin is running that marathon lol'],
  ['kiwi', 'ramen > sushi and i will not take questions'],
  ['bea', 'did you bring the guitar for the park later?'],
  ['sasha', 'play wonderwall on the guitar KEKW'],
  ['mika', 'the umbrella guy is back'],
  ['bea', 'guitar stream in the park would be so chill'],
  ['tobi', 'ramen ramen ramen'],
  ['jay_r', 'who won the marathon last year?'],
] as const;

const LATER_TOPICS = ['the bridge lights', 'that dog in a backpack', 'the tram noise', 'street food prices', 'the sunset colours', 'the crowd at the crossing', 'the bike lanes', 'the vending machines'];
const VIEWERS = ['nova', 'pip', 'rex', 'lumi', 'otto', 'zara', 'quinn', 'yuki'];

function burst(start: number): ChatMessage[] {
  const lines: Array<readonly [string, string]> = [...EARLY];
  for (let i = 0; i < 85; i++) {
    const topic = LATER_TOPICS[i % LATER_TOPICS.length]!;
    lines.push([VIEWERS[(i * 3) % VIEWERS.length]!, `honestly ${topic} is the best part of this stream so far, look at it (${i})`]);
  }
  return lines.map(([user, text], i) => msg(text, { id: `b${i}`, user, displayName: user, ts: start + i * 2000 }));
}

/**
 * A summariser as an LLM would be, only cruder: what it is shown in a few words (the earlier
 * summary's words, then the longest word of each chat line, each once).
 */
function keywordSummariser() {
  const calls: SummariseInput[] = [];
  const logic = service<SummariseInput, SummariseEvent>(({ input, sendBack }) => {
    calls.push(input);
    const words = input.messages[1]!.content
      .split('\n')
      .filter((l) => l.startsWith('- ') || l.startsWith('Summary'))
      .flatMap((l) => {
        const ws = (l.slice(l.indexOf(': ') + 2).match(/[a-z]+/gi) ?? []).filter((w) => w.length > 3);
        return l.startsWith('Summary') ? ws.slice(3) : [ws.reduce((a, w) => (w.length > a.length ? w : a), '')];
      });
    const timer = setTimeout(() => sendBack({ type: 'digest.summarised', text: `Chat talked about ${[...new Set(words)].join(' ')}.`, upTo: input.upTo }), 3000);
    return () => clearTimeout(timer);
  });
  return { logic, calls };
}

function setup() {
  const llm = fakeLlm();
  const summariser = keywordSummariser();
  const h = harness(brainMachine.provide({ actors: { generateReply: llm.logic, summariseChat: summariser.logic } }), {
    persona: { ...persona, idleAfterSec: 0 },
    blocklist: [],
    random: () => 0.99,
    countTokens: estimateTokens,
  });
  return { h, llm, summariser };
}

describe('a recap from real chat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('after a burst and a quiet minute, the recap prompt holds the early topics (summary first) and the latest lines quoted', () => {
    const t = setup();
    const lines = burst(0);
    for (let i = 0; i < lines.length; i += 10) {
      t.h.send({ type: 'chat.batch', messages: lines.slice(i, i + 10), flush: 'timer' });
      vi.advanceTimersByTime(20_000);
    }
    // A quiet minute: the summary was asked for while Pickle was idle, and came back.
    vi.advanceTimersByTime(60_000);
    expect(t.summariser.calls.length).toBeGreaterThanOrEqual(1);
    const ask = msg('pickle what has chat been talking about?', { id: 'ask', user: 'gus', displayName: 'gus', ts: lines.at(-1)!.ts + 60_000 });
    t.h.send({ type: 'chat.batch', messages: [ask], flush: 'mention' });
    // (Pickle answered a question during the burst too; the recap is the last reply.)
    expect(t.h.of('reply.start').at(-1)!.triggerId).toBe('ask');
    const prompt = t.llm.last().input.messages[1]!.content;
    const input = prompt.slice(prompt.indexOf('New input (data):'));
    const held = ['ramen', 'umbrella', 'marathon', 'guitar'].filter((topic) => input.toLowerCase().includes(topic));
    expect(held.length).toBeGreaterThanOrEqual(3);
    // The summary of the older part comes first, the newest lines after it, oldest first, quoted.
    expect(input.indexOf('digest of what chat said')).toBeLessThan(input.indexOf('wrote: "honestly'));
    expect(input.indexOf('(83)')).toBeLessThan(input.indexOf('(84)'));
    expect(input).toContain(`wrote: ${JSON.stringify(lines.at(-1)!.text)}`);
  });

  it('the lines quoted stay within the recap budget; a second recap quotes only what came after the first', () => {
    const lines = burst(0).map((m) => ({ id: m.id, platform: m.platform, user: m.user, displayName: m.displayName, text: m.text, ts: m.ts }));
    const first = recapOf(lines, { now: lines.at(-1)!.ts });
    const cost = first.lines.reduce((n, l) => n + estimateTokens(`${l.displayName} ${l.user} ${l.text}`) + 12, 0) + estimateTokens(first.earlier ?? '');
    expect(cost).toBeLessThanOrEqual(RECAP_MAX_TOKENS * 1.1);
    expect(first.earlier).toBeDefined();
    const again = recapOf(lines, { now: lines.at(-1)!.ts, since: lines[89]!.ts });
    expect(again.lines.map((l) => l.id)).toEqual(lines.slice(90).map((l) => l.id));
    expect(again.earlier).toBeUndefined();
  });

  it('the summary is asked for as soon as Pickle is idle with 30 lines waiting, not only when chat comes in', () => {
    const t = setup();
    t.h.send({ type: 'chat.batch', messages: [msg('pickle hi there', { id: 'hi', user: 'ann', displayName: 'ann', ts: 0 })], flush: 'mention' });
    expect(t.llm.calls).toHaveLength(1);
    // Chat flows in while Pickle is answering: no summary while busy.
    const lines = burst(1000).slice(0, 40);
    t.h.send({ type: 'chat.batch', messages: lines, flush: 'timer' });
    vi.advanceTimersByTime(30_000);
    expect(t.summariser.calls).toHaveLength(0);
    // The reply ends; back to idle with 40 lines waiting and no new chat: the summary is asked for.
    t.llm.reply(['Hi Ann.']);
    const replyId = t.llm.last().input.replyId;
    t.h.send({ type: 'voice.sentenceStarted', replyId, index: 0, text: 'Hi Ann.', first: true });
    t.h.send({ type: 'voice.done', replyId, spokenText: 'Hi Ann.', interrupted: false });
    vi.advanceTimersByTime(persona.cooldownSec * 1000 + BREATH_MS);
    expect(t.summariser.calls).toHaveLength(1);
  });
});

describe('commands and replies', () => {
  it('only !recap becomes a reply: another command planned by the brain queues nothing', () => {
    const t = setup();
    const context = t.h.snapshot().context;
    const message = msg('!privacy', { id: 'c1', user: 'mod', displayName: 'mod', role: 'moderator', ts: 1 });
    const other = planFor(context, { type: 'chat.command', command: 'privacy', args: [], message }, 'idle');
    expect(other?.patch.queue ?? []).toEqual([]);
    expect(other?.patch.pending).toBeUndefined();
    const recap = planFor(context, { type: 'chat.command', command: 'recap', args: [], message }, 'idle');
    expect(recap?.patch.queue?.map((e) => e.item.reason)).toEqual(['recap']);
  });
});
