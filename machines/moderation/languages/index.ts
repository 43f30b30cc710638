import { de } from './de.ts';
import { en } from './en.ts';
import { es } from './es.ts';
import { fr } from './fr.ts';
import { pt } from './pt.ts';
import type { LanguagePhrases } from './types.ts';

export type { LanguagePhrases } from './types.ts';

/** Languages with phrase layers (threats, self-harm, sexual, instruction read-outs). */
export const PHRASES: Readonly<Record<string, LanguagePhrases>> = { en, es, de, fr, pt };

export interface LanguageSet {
  codes: readonly string[];
  phrases: readonly LanguagePhrases[];
  /** Function word → the enabled languages that use it. */
  stopwords: ReadonlyMap<string, readonly string[]>;
}

/** The persona's languages that have phrases (an unknown code still gets its word list). */
export function languageSet(codes: readonly string[]): LanguageSet {
  const known = codes.filter((c) => PHRASES[c]);
  const stopwords = new Map<string, string[]>();
  for (const c of known) for (const w of PHRASES[c]!.stopwords) stopwords.set(w, [...(stopwords.get(w) ?? []), c]);
  return { codes: known, phrases: known.map((c) => PHRASES[c]!), stopwords };
}

/**
 * The language a sentence is in, from its function words: each counts for every enabled
 * language that uses it, split between them. Undefined when no language leads.
 */
export function guessLanguage(words: readonly string[], set: LanguageSet): string | undefined {
  if (set.codes.length === 0) return undefined;
  if (set.codes.length === 1) return set.codes[0];
  const score = new Map<string, number>();
  for (const w of words) {
    const langs = set.stopwords.get(w);
    if (langs) for (const l of langs) score.set(l, (score.get(l) ?? 0) + 1 / langs.length);
  }
  let best: string | undefined;
  let top = 0;
  let tie = false;
  for (const [l, s] of score) {
    if (s > top + 1e-9) {
      best = l;
      top = s;
      tie = false;
    } else if (Math.abs(s - top) < 1e-9) tie = true;
  }
  return tie ? undefined : best;
}
