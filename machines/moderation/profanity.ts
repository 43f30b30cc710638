import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import { collapseRepeats, fold, unleet, wordsOf } from './normalise.ts';
import type { ListCategory, WordList } from './types.ts';

/**
 * Profanity, slurs, insults and self-harm bait.
 *
 * English goes through `obscenity` (its dataset knows the Scunthorpe-style look-alikes, and its
 * recommended transformers undo leetspeak, confusables and repeated letters). It is run on the
 * folded text and on the words a troll spaced out ("f u c k", "c.u.n.t"), which it does not
 * glue back itself. Word lists (the persona's languages and its blocklist) are matched on whole
 * words after folding, unleeting and collapsing repeats, so "p u t a", "puuuta" and "pvta" are
 * one word; short terms never match inside other words.
 */

const english = englishDataset.build();
/** Innocent words its repeated-letter folding turns into profanity ("shiitake" → "shitake"). */
const MORE_WHITELIST = ['shiitake', 'shitake', 'dick van dyke', 'moby dick', 'cocktails'];
const obscenity = new RegExpMatcher({
  ...english,
  whitelistedTerms: [...(english.whitelistedTerms ?? []), ...MORE_WHITELIST],
  ...englishRecommendedTransformers,
});

/** Profanity people mask with asterisks ("f***", "sh*t", "p*ta"): matched letter for letter, a * standing for any letter. */
const MASKABLE = ['fuck', 'fucking', 'fucker', 'motherfucker', 'shit', 'bitch', 'cunt', 'dick', 'cock', 'pussy', 'whore', 'slut', 'asshole', 'bastard', 'nigger', 'nigga', 'faggot', 'puta', 'puto', 'mierda', 'joder', 'pendejo', 'cabron', 'fotze', 'hure', 'scheisse', 'ficken', 'wichser', 'arschloch', 'hurensohn'];

function maskedProfanity(folded: string): boolean {
  for (const raw of folded.split(' ')) {
    if (!raw.includes('*') && !raw.includes('#')) continue;
    const w = raw.replace(/^[^\p{L}*#]+|[^\p{L}*#]+$/gu, '');
    if (!/^\p{L}/u.test(w) || !/^[\p{L}*#]+$/u.test(w) || w.length > 14) continue;
    for (const bad of MASKABLE) {
      if (bad.length !== w.length) continue;
      let same = true;
      for (let i = 0; i < w.length && same; i++) same = w[i] === '*' || w[i] === '#' || w[i] === bad[i];
      if (same) return true;
    }
  }
  return false;
}

interface CompiledTerm {
  words: string[];
  prefix: boolean;
  category: ListCategory;
}

export interface CompiledLists {
  /** Single whole words → category. */
  exact: ReadonlyMap<string, ListCategory>;
  /** Prefix terms and multi-word terms (checked one by one). */
  other: readonly CompiledTerm[];
  /** Multi-word terms without their spaces, for words a troll glued or spaced out ("k y s" / "killyourself"). */
  squashed: ReadonlyMap<string, ListCategory>;
}

const normTerm = (w: string) => collapseRepeats(unleet(fold(w), 'i'));

/** Folds list terms once, the same way text is folded (done when the lists are loaded, not per sentence). */
export function compileLists(lists: readonly WordList[]): CompiledLists {
  const exact = new Map<string, ListCategory>();
  const other: CompiledTerm[] = [];
  const squashed = new Map<string, ListCategory>();
  for (const list of lists) {
    for (const { term, category } of list.entries) {
      const prefix = term.endsWith('*');
      const words = (prefix ? term.slice(0, -1) : term)
        .split(/\s+/)
        .map(normTerm)
        .map((w) => w.replace(/[^\p{L}\p{N}]+/gu, ''))
        .filter(Boolean);
      if (words.length === 0) continue;
      // The first list that names a word gives its category (language lists come before the persona's).
      if (words.length === 1 && !prefix) {
        if (!exact.has(words[0]!)) exact.set(words[0]!, category);
      } else other.push({ words, prefix, category });
      if (words.length > 1 && !prefix && words.join('').length >= 6 && !squashed.has(words.join(''))) squashed.set(words.join(''), category);
    }
  }
  return { exact, other, squashed };
}

/** The word, its plural-less form ("idiots", "putas"), and v read as u ("pvta"). */
function exactHit(w: string, lists: CompiledLists): ListCategory | undefined {
  const hit = lists.exact.get(w) ?? (w.length > 4 && w.endsWith('s') ? lists.exact.get(w.slice(0, -1)) : undefined);
  if (hit || !w.includes('v')) return hit;
  return w.includes('v') ? exactHit(w.replace(/v/g, 'u'), lists) : undefined;
}

function matchWords(words: readonly string[], lists: CompiledLists): ListCategory | undefined {
  for (const w of words) {
    const hit = exactHit(w, lists);
    if (hit) return hit;
  }
  if (lists.other.length === 0) return undefined;
  const joined = ` ${words.join(' ')} `;
  for (const t of lists.other) {
    if (t.prefix && t.words.length === 1) {
      const p = t.words[0]!;
      // A short prefix hides inside innocent words: at least 4 letters.
      if (p.length >= 4 && words.some((w) => w.startsWith(p))) return t.category;
    } else if (t.prefix) {
      if (joined.includes(` ${t.words.join(' ')}`)) return t.category;
    } else if (joined.includes(` ${t.words.join(' ')} `)) return t.category;
  }
  return undefined;
}

export type ProfanityHit = { category: ListCategory | 'profanity' } | undefined;

export function checkProfanity(text: string, lists: CompiledLists): ProfanityHit {
  const folded = fold(text);
  const { words, glued } = wordsOf(folded);
  // The lists first: they know the category (a slur is hate, not just profanity).
  for (const one of ['i', 'l'] as const) {
    const unleeted = wordsOf(unleet(folded, one));
    const w = unleeted.words.map(collapseRepeats);
    const g = unleeted.glued.map(collapseRepeats);
    const hit = matchWords(w, lists) ?? matchWords(g, lists) ?? g.map((x) => lists.squashed.get(x)).find(Boolean);
    if (hit) return { category: hit };
  }
  if (obscenity.hasMatch(folded) || maskedProfanity(folded)) return { category: 'profanity' };
  // Spaced-out or dotted spellings glued back ("f u c k" → "fuck"): obscenity sees them as words.
  const longGlued = glued.filter((g) => g.length >= 3 && !words.includes(g));
  if (longGlued.length > 0 && obscenity.hasMatch(longGlued.join(' '))) return { category: 'profanity' };
  return undefined;
}
