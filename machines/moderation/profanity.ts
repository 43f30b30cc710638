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
const MORE_WHITELIST = ['cumin', 'cumulus', 'cumulative', 'document', 'circumstance', 'shiitake', 'shitake', 'dick van dyke', 'moby dick', 'cocktails', 'pussycat', 'pussy willow', 'tit for tat', 'titmouse', 'rapeseed', 'penistone', 'cockpit', 'cockburn', 'cockermouth', 'shuttlecock', 'hitchcock', 'peacock', 'hancock', 'babcock', 'woodcock', 'gamecock', 'fagott', 'fagotto', 'dickinson', 'dickerson', 'dick cheney', 'dick tracy'];
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
  /** Single-word prefix terms ("mierd*"), repeats collapsed. */
  prefixes: readonly CompiledTerm[];
  /** Multi-word terms by their first word (repeats collapsed): a sentence looks up only the phrases its words start. */
  phrases: ReadonlyMap<string, readonly CompiledTerm[]>;
  /** Multi-word terms without their spaces, for words a troll glued or spaced out ("k y s" / "killyourself"). */
  squashed: ReadonlyMap<string, ListCategory>;
  /** Per language, the words it uses innocently (or the mild ones the persona allows). */
  allow: ReadonlyMap<string, ReadonlySet<string>>;
  /** Every language's allowed words together, for a sentence whose language is unclear. */
  anyAllow: ReadonlySet<string>;
}

/** Says whether a word the lists or the English library flag is innocent in this sentence. */
export type Allowed = (word: string) => boolean;

const nothingAllowed: Allowed = () => false;

/** The allowed words for a sentence in `lang` (or of unclear language: allowed somewhere and listed nowhere). */
export function allowedIn(lists: CompiledLists, lang: string | undefined): Allowed {
  const own = lang ? lists.allow.get(lang) : undefined;
  return (w) => (own?.has(w) ?? false) || (!lists.exact.has(w) && lists.anyAllow.has(w));
}

/** Words of a term or a text, folded and unleeted; apostrophes dropped ("you're" = "youre"). */
const termWords = (term: string) => wordsOf(unleet(fold(term).replace(/['’`]/g, ''), 'i')).words;

/** Folds list terms once, the same way text is folded (done when the lists are loaded, not per sentence). */
export function compileLists(lists: readonly WordList[]): CompiledLists {
  const exact = new Map<string, ListCategory>();
  const collapsed = new Map<string, ListCategory>();
  const prefixes: CompiledTerm[] = [];
  const phrases = new Map<string, CompiledTerm[]>();
  const squashed = new Map<string, ListCategory>();
  const allow = new Map<string, Set<string>>();
  const anyAllow = new Set<string>();
  for (const list of lists) {
    const words = new Set((list.allow ?? []).map((t) => termWords(t).join(' ')).filter(Boolean));
    allow.set(list.source, words);
    for (const w of words) anyAllow.add(w);
  }
  // The first list that names a word gives its category (language lists come before the persona's).
  const first = (map: Map<string, ListCategory>, key: string, category: ListCategory) => {
    if (!map.has(key)) map.set(key, category);
  };
  for (const list of lists) {
    for (const { term, category } of list.entries) {
      const prefix = term.endsWith('*');
      const raw = termWords(prefix ? term.slice(0, -1) : term);
      if (raw.length === 0 || allow.get(list.source)?.has(raw.join(' '))) continue;
      const words = raw.map(collapseRepeats);
      if (raw.length === 1 && !prefix) {
        first(exact, raw[0]!, category);
        first(collapsed, words[0]!, category);
      } else if (words.length === 1) prefixes.push({ words, prefix, category });
      else phrases.set(words[0]!, [...(phrases.get(words[0]!) ?? []), { words, prefix, category }]);
      if (words.length > 1 && !prefix && words.join('').length >= 6) first(squashed, words.join(''), category);
    }
  }
  return { exact, collapsed, prefixes, phrases, squashed, allow, anyAllow };
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

function matchWords(words: readonly string[], lists: CompiledLists, allowed: Allowed): ListCategory | undefined {
  for (const w of words) {
    if (allowed(w)) continue;
    const hit = exactHit(w, lists);
    if (hit) return hit;
  }
  if (lists.prefixes.length === 0 && lists.phrases.size === 0) return undefined;
  const collapsed = words.map(collapseRepeats);
  for (const t of lists.prefixes) {
    const p = t.words[0]!;
    // A short prefix hides inside innocent words: at least 4 letters.
    if (p.length >= 4 && collapsed.some((w) => w.startsWith(p))) return t.category;
  }
  for (let i = 0; i < collapsed.length; i++) {
    for (const t of lists.phrases.get(collapsed[i]!) ?? []) {
      const n = t.words.length;
      if (i + n > collapsed.length) continue;
      let same = true;
      for (let k = 1; k < n && same; k++) same = k === n - 1 && t.prefix ? collapsed[i + k]!.startsWith(t.words[k]!) : collapsed[i + k] === t.words[k];
      if (same) return t.category;
    }
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

/** An obscenity match that is not an allowed word of the sentence's language ("dick" in German is thick). */
function obscene(text: string, allowed: Allowed): boolean {
  if (!obscenity.hasMatch(text)) return false;
  if (allowed === nothingAllowed) return true;
  for (const m of obscenity.getAllMatches(text)) {
    let start = m.startIndex;
    let end = m.endIndex + 1;
    while (start > 0 && /[\p{L}\p{N}]/u.test(text[start - 1]!)) start -= 1;
    while (end < text.length && /[\p{L}\p{N}]/u.test(text[end]!)) end += 1;
    if (!allowed(text.slice(start, end))) return true;
  }
  return false;
}

/** Names and phrases the lists would catch a word of ("Dick Van Dyke", "Moby Dick"): blanked before matching. */
const WHITELISTED_PHRASES = new RegExp(`\\b(?:${MORE_WHITELIST.filter((t) => t.includes(' ')).join('|')})\\b`, 'g');

export function checkProfanity(text: string, lists: CompiledLists, allowed: Allowed = nothingAllowed): ProfanityHit {
  const folded = fold(text);
  const { words, glued } = wordsOf(folded);
  // The lists first: they know the category (a slur is hate, not just profanity).
  const listed = folded.replace(WHITELISTED_PHRASES, ' ');
  const plain = listed.replace(/['’`]/g, '');
  // French and Portuguese elide into the next word ("d'enculé", "qu'un"): read both ways.
  const elided = listed.replace(/['’`]/g, ' ');
  // A 1 read as an l only where there is one; the elided reading only where there is an apostrophe.
  const readings: Array<readonly [string, 'i' | 'l']> = [[plain, 'i']];
  if (/[1|]/.test(plain)) readings.push([plain, 'l']);
  if (elided !== listed) readings.push([elided, 'i']);
  for (const [source, one] of readings) {
    const unleeted = wordsOf(unleet(source, one));
    const hit =
      matchWords(unleeted.words, lists, allowed) ??
      matchWords(unleeted.glued, lists, allowed) ??
      unleeted.glued.map((x) => lists.squashed.get(collapseRepeats(x))).find(Boolean);
    if (hit) return { category: hit };
    if (KILL_SELF.test(unleeted.words.join(' '))) return { category: 'self-harm' };
    const split = splitWord(unleeted.words, lists);
    if (split) return { category: split };
  }
  if (maskedProfanity(folded)) return { category: 'profanity' };
  // The English library once, on one text: the folded words, their leetspeak reading ("b!+ch"),
  // and spaced-out or dotted spellings glued back ("f u c k" → "fuck").
  const unleeted = unleet(folded, 'i');
  const longGlued = glued.filter((g) => g.length >= 3 && !words.includes(g));
  const all = [folded, ...(unleeted !== folded ? [unleeted] : []), ...longGlued].join(' | ');
  if (obscene(all, allowed)) return { category: 'profanity' };
  return undefined;
}
