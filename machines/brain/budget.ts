import type { PromptMessage } from '../events.ts';
import { buildPrompt, formatEntry, formatMemory, type Memory, type PromptInput } from './prompt.ts';
import type { StmEntry } from './stm.ts';

/**
 * The context budget (pure): keeps a prompt under a token budget by ranking and trimming what
 * is optional — short-term history, long-term memories, camera descriptions — while the persona
 * (system prompt), the rules, the current input and the task always stay.
 *
 * Ranking:
 * - memories by relevance (1 − cosine distance; a viewer's own facts without a score count as
 *   0.5), then newer first, always a top-N prefix of that order; they get up to MEMORY_SHARE of
 *   the free room first, and whatever the history leaves afterwards;
 * - history newest first, as one contiguous stretch back from now (a gap in a conversation
 *   reads worse than a shorter one); camera descriptions beyond the newest VISION_KEEP are the
 *   first to go;
 * - if the current input alone is over budget (a full batch of long lines on a small model),
 *   its longest lines are shortened, never dropped.
 *
 * Token counts come from `count` (a real tokenizer where src/ has one), else `estimateTokens`.
 */

/** Tokens a chat template adds per message (role markers), and once per prompt. */
export const PER_MESSAGE_TOKENS = 4;
export const PER_PROMPT_TOKENS = 3;
/** Memories may take this share of the room left after the fixed part, before the history. */
export const MEMORY_SHARE = 0.35;
/** Camera descriptions kept with the history's priority; older ones are dropped first. */
export const VISION_KEEP = 3;
/** A current line is never shortened below this many characters. */
const MIN_CURRENT_CHARS = 80;

/**
 * A conservative token estimate for BPE / SentencePiece tokenizers (Llama, Phi, Mistral, GPT):
 * letters count one token per 3 (split at case changes, so `PogChamp` is two words), every digit,
 * punctuation mark and newline one token, and anything outside ASCII one token per UTF-8 byte
 * (byte-level tokenizers never need more). English prose comes out about 1.4× the real count:
 * safe on a small context, and additive (the count of a joined text is at most the sum of its parts).
 */
export function estimateTokens(text: string): number {
  let n = 0;
  for (const m of text.matchAll(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]|\n| {2,}|[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]|[^\x00-\x7f]/gu)) {
    const s = m[0];
    const c = s.codePointAt(0)!;
    if (c > 0x7f) n += c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) n += Math.ceil(s.length / 3);
    else if (c === 32) n += s.length - 1;
    else n += 1;
  }
  return n;
}

export function countMessages(messages: readonly PromptMessage[], count: (text: string) => number = estimateTokens): number {
  return messages.reduce((sum, m) => sum + count(m.content) + PER_MESSAGE_TOKENS, PER_PROMPT_TOKENS);
}

export interface FittedPrompt {
  messages: PromptMessage[];
  /** The prompt's size by `count`. */
  tokens: number;
  budget: number;
  kept: { history: number; memories: number };
  dropped: { history: number; memories: number; vision: number };
  /** Current lines had to be shortened to fit. */
  shortenedCurrent: boolean;
  /** Even the fixed part (persona, rules, current input, task) did not fit. */
  overBudget: boolean;
}

const relevanceOf = (m: Memory) => (typeof m.relevance === 'number' ? m.relevance : 0.5);

function shorten(entry: StmEntry, chars: number): StmEntry {
  return { ...entry, text: `${Array.from(entry.text).slice(0, Math.max(1, chars - 1)).join('')}…` };
}

export function fitPrompt(input: PromptInput, budget: number, count: (text: string) => number = estimateTokens): FittedPrompt {
  const history = input.history;
  const memories = input.memories ?? [];
  const size = (msgs: PromptMessage[]) => countMessages(msgs, count);

  // 1. The fixed part: persona, rules, current input, task. Shorten long current lines if needed.
  const current = [...input.current];
  let fixed = buildPrompt({ ...input, current, history: [], memories: [] });
  let fixedTokens = size(fixed);
  let shortenedCurrent = false;
  while (fixedTokens > budget) {
    let longest = -1;
    for (let i = 0; i < current.length; i++) {
      const len = current[i]!.text.length;
      if (len > MIN_CURRENT_CHARS && (longest < 0 || len > current[longest]!.text.length)) longest = i;
    }
    if (longest < 0) break;
    const e = current[longest]!;
    current[longest] = shorten(e, Math.max(MIN_CURRENT_CHARS, Math.floor(e.text.length * 0.7)));
    shortenedCurrent = true;
    fixed = buildPrompt({ ...input, current, history: [], memories: [] });
    fixedTokens = size(fixed);
  }
  const room = budget - fixedTokens;

  // Costs of one line of each block (its line and its newline), and of a block's header.
  const historyCost = (e: StmEntry) => count(formatEntry(e, input.persona)) + 1;
  const memoryCost = (m: Memory) => count(formatMemory(m, input.persona, input.now)) + 1;
  const HEADER = 12; // a block's title line and blank line, generously

  // 2. Memories, most relevant first, up to their share.
  const ranked = memories
    .map((m, i) => ({ m, i, cost: memoryCost(m) }))
    .sort((a, b) => relevanceOf(b.m) - relevanceOf(a.m) || b.m.ts - a.m.ts || a.i - b.i);
  const keptMem = new Set<number>();
  let used = 0;
  const takeMemories = (limit: number) => {
    for (const r of ranked) {
      if (keptMem.has(r.i)) continue;
      const extra = r.cost + (keptMem.size === 0 ? HEADER : 0);
      // Strictly by rank: a less relevant memory never takes the place of a more relevant one.
      if (used + extra > limit) break;
      keptMem.add(r.i);
      used += extra;
    }
  };
  if (room > 0) takeMemories(Math.floor(room * MEMORY_SHARE));

  // 3. History, newest first, contiguous; old camera lines go first.
  const visionIdx = history.map((e, i) => (e.kind === 'vision' ? i : -1)).filter((i) => i >= 0);
  const oldVision = new Set(visionIdx.slice(0, Math.max(0, visionIdx.length - VISION_KEEP)));
  const keptHist = new Set<number>();
  for (let i = history.length - 1; i >= 0; i--) {
    if (oldVision.has(i)) continue;
    const extra = historyCost(history[i]!) + (keptHist.size === 0 ? HEADER : 0);
    if (used + extra > room) break;
    keptHist.add(i);
    used += extra;
  }

  // 4. Room left: more memories.
  if (room > 0) takeMemories(room);

  // 5. Build, measure, and drop the lowest-ranked items while the estimate of the parts was short.
  const histOrder = [...keptHist].sort((a, b) => a - b);
  const memOrder = () => memories.filter((_, i) => keptMem.has(i));
  const build = () =>
    buildPrompt({ ...input, current, history: histOrder.map((i) => history[i]!), memories: memOrder() });
  let messages = build();
  let tokens = size(messages);
  while (tokens > budget && (histOrder.length > 0 || keptMem.size > 0)) {
    if (histOrder.length > 0) histOrder.shift();
    else {
      const worst = [...ranked].reverse().find((r) => keptMem.has(r.i))!;
      keptMem.delete(worst.i);
    }
    messages = build();
    tokens = size(messages);
  }
  const keptVision = histOrder.filter((i) => history[i]!.kind === 'vision').length;
  return {
    messages,
    tokens,
    budget,
    kept: { history: histOrder.length, memories: keptMem.size },
    dropped: {
      history: history.length - histOrder.length,
      memories: memories.length - keptMem.size,
      vision: visionIdx.length - keptVision,
    },
    shortenedCurrent,
    overBudget: tokens > budget,
  };
}
