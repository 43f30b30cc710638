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
const MORE_WHITELIST = ['shiitake', 'shitake', 'dick van dyke', 'moby dick', 'cocktails', 'pussycat', 'pussy willow', 'tit for tat', 'titmouse', 'rapeseed', 'penistone', 'cockpit', 'cockburn', 'cockermouth', 'shuttlecock', 'hitchcock', 'peacock', 'hancock', 'babcock', 'woodcock', 'gamecock', 'fagott', 'fagotto', 'dickinson', 'dickerson', 'dick cheney', 'dick tracy'];
const obscenity = new RegExpMatcher({
  ...english,
  whitelistedTerms: [...(english.whitelistedTerms ?? []), ...MORE_WHITELIST],
  ...englishRecommendedTransformers,
});

/** Profanity people mask with asterisks ("f***", "sh*t", "p*ta"): matched letter for letter, a * standing for any letter. */
const MASKABLE = ['fuck', 'fucking', 'fucker', 'motherfucker', 'shit', 'bitch', 'cunt', 'dick', 'cock', 'pussy', 'whore', 'slut', 'asshole', 'bastard', 'nigger', 'nigga', 'faggot', 'puta', 'puto', 'mierda', 'joder', 'pendejo', 'cabron', 'fotze', 'hure', 'scheisse', 'ficken', 'wichser', 'arschloch', 'hurensohn', 'kike', 'spic', 'chink', 'retard', 'tranny', 'twat', 'wanker', 'maricon', 'gilipollas', 'kill', 'kys'];

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
  /** Single whole words as written (unleeted) → category. */
  exact: ReadonlyMap<string, ListCategory>;
  /**
   * The same words with repeated letters collapsed, looked up only for stretched words (a letter
   * three times or more: "cooon"): collapsing every word would turn "con" into a slur.
   */
  collapsed: ReadonlyMap<string, ListCategory>;
  /** Prefix terms and multi-word terms (checked one by one, repeats collapsed). */
  other: readonly CompiledTerm[];
  /** Multi-word terms without their spaces, for words a troll glued or spaced out ("k y s" / "killyourself"). */
  squashed: ReadonlyMap<string, ListCategory>;
}

/** Words of a term or a text, folded and unleeted; apostrophes dropped ("you're" = "youre"). */
const termWords = (term: string) => wordsOf(unleet(fold(term).replace(/['’`]/g, ''), 'i')).words;

/** Folds list terms once, the same way text is folded (done when the lists are loaded, not per sentence). */
export function compileLists(lists: readonly WordList[]): CompiledLists {
  const exact = new Map<string, ListCategory>();
  const collapsed = new Map<string, ListCategory>();
  const other: CompiledTerm[] = [];
  const squashed = new Map<string, ListCategory>();
  // The first list that names a word gives its category (language lists come before the persona's).
  const first = (map: Map<string, ListCategory>, key: string, category: ListCategory) => {
    if (!map.has(key)) map.set(key, category);
  };
  for (const list of lists) {
    for (const { term, category } of list.entries) {
      const prefix = term.endsWith('*');
      const raw = termWords(prefix ? term.slice(0, -1) : term);
      if (raw.length === 0) continue;
      const words = raw.map(collapseRepeats);
      if (raw.length === 1 && !prefix) {
        first(exact, raw[0]!, category);
        first(collapsed, words[0]!, category);
      } else other.push({ words, prefix, category });
      if (words.length > 1 && !prefix && words.join('').length >= 6) first(squashed, words.join(''), category);
    }
  }
  return { exact, collapsed, other, squashed };
}

function lookup(w: string, lists: CompiledLists): ListCategory | undefined {
  const hit = lists.exact.get(w);
  if (hit) return hit;
  // Only a stretched word ("fuuuck", "cooon") is read collapsed: "Fagott" (a bassoon) keeps its double letters.
  return /(\p{L})\1\1/u.test(w) ? lists.collapsed.get(collapseRepeats(w)) : undefined;
}

/** The word, its plural-less form ("idiots", "putas"), and v read as u ("pvta"). */
function exactHit(w: string, lists: CompiledLists): ListCategory | undefined {
  const hit = lookup(w, lists) ?? (w.length > 4 && w.endsWith('s') ? lookup(w.slice(0, -1), lists) : undefined);
  if (hit || !w.includes('v')) return hit;
  return lookup(w.replace(/v/g, 'u'), lists);
}

function matchWords(words: readonly string[], lists: CompiledLists): ListCategory | undefined {
  for (const w of words) {
    const hit = exactHit(w, lists);
    if (hit) return hit;
  }
  if (lists.other.length === 0) return undefined;
  const collapsed = words.map(collapseRepeats);
  const joined = ` ${collapsed.join(' ')} `;
  for (const t of lists.other) {
    if (t.prefix && t.words.length === 1) {
      const p = t.words[0]!;
      // A short prefix hides inside innocent words: at least 4 letters.
      if (p.length >= 4 && collapsed.some((w) => w.startsWith(p))) return t.category;
    } else if (t.prefix) {
      if (joined.includes(` ${t.words.join(' ')}`)) return t.category;
    } else if (joined.includes(` ${t.words.join(' ')} `)) return t.category;
  }
  return undefined;
}

/** Words a troll splits in two or three ("fu ck", "sh it", "ni gg er"): glued short pieces equal to one of these. */
const SPLIT_WORDS = new Set(['fuck', 'fucker', 'fucking', 'shit', 'cunt', 'bitch', 'dick', 'cock', 'slut', 'whore', 'nigger', 'nigga', 'faggot', 'retard', 'puta', 'puto', 'kys']);

function splitWord(words: readonly string[], lists: CompiledLists): ListCategory | 'profanity' | undefined {
  for (let i = 0; i + 1 < words.length; i++) {
    if (words[i]!.length > 3 || words[i + 1]!.length > 3) continue;
    const two = words[i]! + words[i + 1]!;
    if (SPLIT_WORDS.has(two)) return lists.exact.get(two) ?? 'profanity';
    const next = words[i + 2];
    if (next && next.length <= 3 && SPLIT_WORDS.has(two + next)) return lists.exact.get(two + next) ?? 'profanity';
  }
  return undefined;
}

/** Self-harm bait with words in between ("kill your damn self", "kill ur own self"). */
const KILL_SELF = /\bkill (?:your|ur|yo|ya|you|u) ?(?:[a-z]{1,12} )?self\b|\bbring (?:dich|euch) (?:[a-z]{1,12} ){0,3}um\b/;

export type ProfanityHit = { category: ListCategory | 'profanity' } | undefined;

export function checkProfanity(text: string, lists: CompiledLists): ProfanityHit {
  const folded = fold(text);
  const { words, glued } = wordsOf(folded);
  // The lists first: they know the category (a slur is hate, not just profanity).
  const plain = folded.replace(/['’`]/g, '');
  for (const one of ['i', 'l'] as const) {
    const unleeted = wordsOf(unleet(plain, one));
    const hit =
      matchWords(unleeted.words, lists) ??
      matchWords(unleeted.glued, lists) ??
      unleeted.glued.map((x) => lists.squashed.get(collapseRepeats(x))).find(Boolean);
    if (hit) return { category: hit };
    if (KILL_SELF.test(unleeted.words.join(' '))) return { category: 'self-harm' };
    const split = splitWord(unleeted.words, lists);
    if (split) return { category: split };
  }
  if (obscenity.hasMatch(folded) || maskedProfanity(folded)) return { category: 'profanity' };
  // Leetspeak obscenity does not read ("b!+ch"): our own reading of it.
  const unleeted = unleet(folded, 'i');
  if (unleeted !== folded && obscenity.hasMatch(unleeted)) return { category: 'profanity' };
  // Spaced-out or dotted spellings glued back ("f u c k" → "fuck"): obscenity sees them as words.
  const longGlued = glued.filter((g) => g.length >= 3 && !words.includes(g));
  if (longGlued.length > 0 && obscenity.hasMatch(longGlued.join(' '))) return { category: 'profanity' };
  return undefined;
}
