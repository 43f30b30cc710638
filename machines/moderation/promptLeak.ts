import { fold } from './normalise.ts';
import type { LanguageSet } from './languages/index.ts';

/**
 * System-prompt leaks, by structure and by overlap:
 * - chat-template tokens (`<|im_start|>`, `[INST]`, `<<SYS>>`, `<start_of_turn>`…): a model
 *   that writes them is reading its own prompt out;
 * - saying what one's instructions are ("system prompt:", "my instructions say", "I was told
 *   never to…"), in each of the persona's languages;
 * - a run of RUN_WORDS words in a row from the persona's instructions, in any casing, or most
 *   of the sentence's word triples found in them.
 */

export const RUN_WORDS = 6;
const SHINGLE = 3;
const SHINGLE_SHARE = 0.6;
const MIN_SHINGLES = 4;

export interface PromptShingles {
  runs: ReadonlySet<string>;
  triples: ReadonlySet<string>;
}

const wordsOf = (text: string) => fold(text).match(/[\p{L}\p{N}]+/gu) ?? [];

/** Runs made only of these say nothing about the prompt ("and it is not the one"). */
const FILLER = new Set('a an the and or of to in on at is are be it you your i my me we this that these those for with as by not no never do does when who what'.split(' '));

/** Built once per persona (the instructions only change with it). */
export function promptShingles(instructions: string): PromptShingles {
  const words = wordsOf(instructions);
  const runs = new Set<string>();
  const triples = new Set<string>();
  for (let i = 0; i + RUN_WORDS <= words.length; i++) {
    const run = words.slice(i, i + RUN_WORDS);
    if (run.filter((w) => !FILLER.has(w)).length >= 3) runs.add(run.join(' '));
  }
  for (let i = 0; i + SHINGLE <= words.length; i++) triples.add(words.slice(i, i + SHINGLE).join(' '));
  return { runs, triples };
}

/** Chat-template tokens of the common model families. */
const TEMPLATE_TOKEN = /<\|[a-z_]{2,24}\|>|\[\/?inst\]|<<\/?sys>>|<\/?s>|<\/?(?:start|end)_of_turn>|<\/?(?:system|user|assistant)>|#{2,3} ?(?:instruction|system|response)s? ?:/;

export function leaksPrompt(sentence: string, prompt: PromptShingles, plain: string, languages: LanguageSet): boolean {
  if (TEMPLATE_TOKEN.test(fold(sentence))) return true;
  for (const p of languages.phrases) if (p.leak.some((re) => re.test(plain))) return true;
  if (prompt.runs.size === 0) return false;
  const words = wordsOf(sentence);
  for (let i = 0; i + RUN_WORDS <= words.length; i++) if (prompt.runs.has(words.slice(i, i + RUN_WORDS).join(' '))) return true;
  const total = words.length - SHINGLE + 1;
  if (total < MIN_SHINGLES) return false;
  let found = 0;
  for (let i = 0; i < total; i++) if (prompt.triples.has(words.slice(i, i + SHINGLE).join(' '))) found += 1;
  return found / total >= SHINGLE_SHARE;
}
