/**
 * The context budget: a prompt built from far more short- and long-term memory than fits stays
 * under CONTEXT_TOKENS, keeps the persona, the current input and the most relevant memories.
 */
import { service } from '../../machines/services.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { brainMachine } from '../../machines/brain.ts';
import { countMessages, estimateTokens, fitPrompt, VISION_KEEP } from '../../machines/brain/budget.ts';
import { buildPrompt, systemPrompt, type Memory } from '../../machines/brain/prompt.ts';
import type { RecallInput } from '../../machines/brain/recall.ts';
import type { StmEntry } from '../../machines/brain/stm.ts';
import type { RecallEvent, RecalledMemory } from '../../machines/events.ts';
import { resolveContextBudget } from '../../src/llm/context.ts';
import { fakeLlm } from './fakeLlm.ts';
import { harness } from './harness.ts';
import { msg, persona } from './fixtures.ts';

const NOW = 1_700_000_000_000;
const CONTEXT_TOKENS = 4096;
const REPLY_TOKENS = 150;

/** A deterministic pseudo-random sequence (no Math.random in tests either). */
function lcg(seed: number) {
  let x = seed;
  return () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

const WORDS = ['pickle', 'chat', 'KEKW', 'PogChamp', 'boss', 'run', 'streamer', 'lol', 'that', 'was', 'insane', 'gg', 'café', 'ダンジョン', '🦀', 'what', 'is', 'the', 'plan', '42'];
function sentence(rand: () => number, words: number): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
}

function bigHistory(n: number): StmEntry[] {
  const rand = lcg(7);
  return Array.from({ length: n }, (_, i): StmEntry => {
    const kind = i % 50 === 7 ? 'vision' : i % 20 === 3 ? 'reply' : i % 33 === 5 ? 'speech' : 'chat';
    return { id: `h${i}`, kind, user: `viewer${i % 97}`, displayName: `Viewer${i % 97}`, text: `${sentence(rand, 3 + Math.floor(rand() * 25))} #${i}`, ts: NOW - (n - i) * 2000 };
  });
}

function bigMemories(n: number): RecalledMemory[] {
  const rand = lcg(11);
  return Array.from({ length: n }, (_, i) => ({
    id: `mem${i}`,
    user: `viewer${i}`,
    text: `fact number ${i}: ${sentence(rand, 12)}`,
    ts: NOW - (i + 1) * 86_400_000,
    source: 'chat' as const,
    relevance: Math.round(rand() * 1000) / 1000,
  }));
}

const current: StmEntry[] = [
  { id: 'c1', kind: 'chat', user: 'sam', displayName: 'Sam', text: 'hey @Pickle what did I tell you about my cat last week?', ts: NOW },
  { id: 'c2', kind: 'chat', user: 'kim', displayName: 'Kim', text: 'PogChamp', ts: NOW },
];
const TASK = 'A viewer spoke to you (Pickle). Answer them.';

describe('fitPrompt: 1,000 STM-eligible lines and 100 LTM hits under CONTEXT_TOKENS', () => {
  const history = bigHistory(1000);
  const memories = bigMemories(100);
  const { promptTokens: budget } = resolveContextBudget({ backend: 'ollama', configured: CONTEXT_TOKENS, replyTokens: REPLY_TOKENS });
  const input = { persona, history, current, task: TASK, memories, now: NOW };
  const fitted = fitPrompt(input, budget);
  const user = fitted.messages[1]!.content;

  it('stays within the budget, and prompt + reply within CONTEXT_TOKENS (by the counter it was fitted with)', () => {
    const untrimmed = countMessages(buildPrompt(input));
    expect(untrimmed).toBeGreaterThan(CONTEXT_TOKENS * 5); // it really had to cut
    expect(fitted.tokens).toBe(countMessages(fitted.messages));
    expect(fitted.tokens).toBeLessThanOrEqual(budget);
    expect(fitted.tokens + REPLY_TOKENS).toBeLessThanOrEqual(CONTEXT_TOKENS);
    expect(fitted.overBudget).toBe(false);
    // …and uses the room: not a prompt cut to nothing.
    expect(fitted.tokens).toBeGreaterThan(budget * 0.9);
  });

  it('keeps the persona and rules, the whole current input and the task', () => {
    expect(fitted.messages[0]).toEqual({ role: 'system', content: systemPrompt(persona) });
    expect(user).toContain('viewer "Sam" (login "sam") wrote: "hey @Pickle what did I tell you about my cat last week?"');
    expect(user).toContain('viewer "Kim" (login "kim") wrote: "PogChamp"');
    expect(user.endsWith(TASK)).toBe(true);
    expect(fitted.shortenedCurrent).toBe(false);
  });

  it('keeps the most relevant memories: every kept one ranks above every dropped one', () => {
    const keptIds = memories.filter((m) => user.includes(JSON.stringify(m.text))).map((m) => m.id);
    expect(keptIds.length).toBe(fitted.kept.memories);
    expect(fitted.kept.memories).toBeGreaterThanOrEqual(3);
    const byRelevance = [...memories].sort((a, b) => b.relevance! - a.relevance!);
    expect(new Set(keptIds)).toEqual(new Set(byRelevance.slice(0, keptIds.length).map((m) => m.id)));
    for (const top of byRelevance.slice(0, 3)) expect(user).toContain(JSON.stringify(top.text));
  });

  it('keeps the newest history as one stretch back from now, dropping old camera lines first', () => {
    const kept = history.filter((e) => user.includes(JSON.stringify(e.text)));
    expect(kept.length).toBe(fitted.kept.history);
    expect(kept.length).toBeGreaterThan(5);
    const nonVision = history.filter((e) => e.kind !== 'vision');
    const keptNonVision = kept.filter((e) => e.kind !== 'vision');
    expect(keptNonVision).toEqual(nonVision.slice(nonVision.length - keptNonVision.length));
    expect(kept.filter((e) => e.kind === 'vision').length).toBeLessThanOrEqual(VISION_KEEP);
    expect(fitted.dropped.history).toBe(1000 - kept.length);
    expect(fitted.dropped.vision).toBe(history.filter((e) => e.kind === 'vision').length - kept.filter((e) => e.kind === 'vision').length);
  });

  it('fits by whatever counter it is given (a real tokenizer from src/)', () => {
    const harsh = (t: string) => Math.ceil(t.length / 1.5);
    const f = fitPrompt(input, budget, harsh);
    expect(countMessages(f.messages, harsh)).toBeLessThanOrEqual(budget);
    expect(f.kept.history).toBeLessThan(fitted.kept.history);
    expect(f.messages[0]!.content).toBe(systemPrompt(persona));
  });

  it('a budget too small for a full batch of long lines shortens the current lines, never drops them', () => {
    const batch: StmEntry[] = Array.from({ length: 10 }, (_, i) => ({ id: `b${i}`, kind: 'chat', user: `u${i}`, displayName: `U${i}`, text: `pickle ${'blah '.repeat(99)}${i}`, ts: NOW }));
    const f = fitPrompt({ ...input, current: batch }, 1200);
    expect(f.shortenedCurrent).toBe(true);
    for (let i = 0; i < 10; i++) expect(f.messages[1]!.content).toContain(`(login "u${i}") wrote: "pickle blah`);
    expect(f.kept).toEqual({ history: 0, memories: 0 });
  });
});

describe('estimateTokens', () => {
  it('is conservative for English (≥ characters / 4) and counts non-ASCII by UTF-8 bytes', () => {
    const english = 'The streamer finally beat the boss after three hours, and chat went absolutely wild about it.';
    expect(estimateTokens(english)).toBeGreaterThanOrEqual(Math.ceil(english.length / 4));
    expect(estimateTokens('🦀')).toBe(4);
    expect(estimateTokens('ダンジョン')).toBe(15);
    expect(estimateTokens('PogChamp')).toBe(3); // Pog + Champ
    expect(estimateTokens('2024')).toBe(4);
    expect(estimateTokens('')).toBe(0);
  });

  it('is additive: a joined text never counts more than its parts plus the joins', () => {
    const rand = lcg(3);
    for (let i = 0; i < 200; i++) {
      const a = sentence(rand, 1 + Math.floor(rand() * 10));
      const b = sentence(rand, 1 + Math.floor(rand() * 10));
      expect(estimateTokens(`${a}\n${b}`)).toBeLessThanOrEqual(estimateTokens(a) + estimateTokens(b) + 1);
    }
  });
});

describe('brain: the budget on a real reply (recall step with 100 hits)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(promptBudget: number | undefined) {
    const llm = fakeLlm();
    const recall = service<RecallInput, RecallEvent>(({ sendBack }) => {
      sendBack({ type: 'memory.recalled', memories: bigMemories(100) });
    });
    const h = harness(brainMachine.provide({ actors: { generateReply: llm.logic, recallMemories: recall } }), {
      persona: { ...persona, spontaneousRate: 0 },
      blocklist: [],
      random: () => 0.99,
      ...(promptBudget !== undefined ? { promptBudget } : {}),
    });
    return { h, llm };
  }

  it('reply.start carries the prompt size, within the budget, keeping the current input and top memories', () => {
    const t = setup(1500);
    // A flood first: STM-eligible lines (the brain keeps its last 15).
    for (let i = 0; i < 100; i++) t.h.send({ type: 'chat.batch', messages: Array.from({ length: 10 }, (_, j) => msg(`line ${i * 10 + j} about the boss fight and chat`)), flush: 'size' });
    t.h.send({ type: 'chat.batch', messages: [msg('@pickle do you remember my cat?', { user: 'sam', displayName: 'Sam' })], flush: 'mention' });
    const start = t.h.of('reply.start')[0]!;
    expect(start.promptBudget).toBe(1500);
    expect(start.promptTokens).toBeLessThanOrEqual(1500);
    expect(start.promptTokens).toBe(countMessages(start.prompt));
    const user = t.llm.last().input.messages[1]!.content;
    expect(user).toContain('wrote: "@pickle do you remember my cat?"');
    const top = [...bigMemories(100)].sort((a, b) => b.relevance! - a.relevance!)[0]!;
    expect(user).toContain(JSON.stringify(top.text));
    expect(t.llm.last().input.messages[0]!.content).toBe(systemPrompt({ ...persona, spontaneousRate: 0 }));
  });

  it('context.budget changes the budget for the next reply; without a budget nothing is trimmed but the size is still reported', () => {
    const t = setup(undefined);
    t.h.send({ type: 'chat.batch', messages: [msg('@pickle hi')], flush: 'mention' });
    const first = t.h.of('reply.start')[0]!;
    expect(first.promptBudget).toBeUndefined();
    expect(first.prompt[1]!.content.split('\n').filter((l: string) => l.startsWith('- ') && l.includes('fact number')).length).toBe(100);
    expect(first.promptTokens).toBeGreaterThan(1000);
    t.h.send({ type: 'context.budget', promptTokens: 900, contextTokens: 1114, source: 'model' });
    expect(t.h.snapshot().context.promptBudget).toBe(900);
  });
});

describe('resolveContextBudget', () => {
  it('CONTEXT_TOKENS wins (capped by an OpenAI-compatible server), else the model, else the backend default', () => {
    expect(resolveContextBudget({ backend: 'ollama', configured: 8192, reported: 4096, replyTokens: 150 })).toEqual({ contextTokens: 8192, promptTokens: 8192 - 150 - 64, source: 'CONTEXT_TOKENS' });
    expect(resolveContextBudget({ backend: 'openai', configured: 8192, reported: 4096, replyTokens: 150 }).contextTokens).toBe(4096);
    expect(resolveContextBudget({ backend: 'ollama', reported: 4096, replyTokens: 150 })).toMatchObject({ contextTokens: 4096, source: 'model' });
    expect(resolveContextBudget({ backend: 'ollama', replyTokens: 150 })).toMatchObject({ contextTokens: 2048, source: 'default' });
    expect(resolveContextBudget({ backend: 'openai', replyTokens: 150 })).toMatchObject({ contextTokens: 8192, source: 'default' });
  });
});

// Memory is structurally what the recall step passes on; relevance ranks it.
const _typecheck: Memory = { user: 'a', text: 'b', ts: 0, relevance: 0.9 };
void _typecheck;
