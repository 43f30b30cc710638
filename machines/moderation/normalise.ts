/**
 * Text folding shared by the moderation layers (pure, linear-time).
 *
 * Trolls write around filters with invisible characters, full-width and mathematical letters,
 * Cyrillic or Greek look-alikes, accents and zalgo marks, spacing and punctuation between the
 * letters, and repeated letters. Each layer starts from `fold()` and adds what it needs.
 * Every regex here is a single character class or a fixed string per step (no nested
 * quantifiers), so a hostile 50k-character line costs a few linear passes.
 */

/** Longest text a layer looks at; the pipeline refuses longer sentences outright. */
export const MAX_CHECKED_CHARS = 2500;

/** Zero-width and other invisible format characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen, bidi controls, tags). */
// Each of these code points is stripped on its own, joiner or not: that is the point of the class.
// eslint-disable-next-line no-misleading-character-class
const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\u{e0000}-\u{e007f}]/gu;

/** Look-alike letters from other scripts that NFKC leaves alone (Cyrillic, Greek, IPA, Latin variants). */
const CONFUSABLES: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', і: 'i', ї: 'i',
  ј: 'j', ԁ: 'd', һ: 'h', ӏ: 'l', ԛ: 'q', ԝ: 'w', ո: 'n', ս: 'u', ց: 'g', հ: 'h', օ: 'o', г: 'r', п: 'n', и: 'u', ш: 'w', л: 'n',
  α: 'a', β: 'b', γ: 'y', δ: 'd', ε: 'e', ζ: 'z', η: 'n', ι: 'i', κ: 'k', μ: 'u', ν: 'v', ο: 'o', ρ: 'p', σ: 'o', ς: 'c', τ: 't',
  υ: 'u', χ: 'x', ω: 'w', ɑ: 'a', ɡ: 'g', ı: 'i', ȷ: 'j', ɩ: 'i', ʟ: 'l', ɴ: 'n', ʀ: 'r', ʏ: 'y', ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd',
  ᴇ: 'e', ꜰ: 'f', ɢ: 'g', ʜ: 'h', ᴊ: 'j', ᴋ: 'k', ᴍ: 'm', ᴏ: 'o', ᴘ: 'p', ꞯ: 'q', ꜱ: 's', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ᴢ: 'z',
  ℓ: 'l', ø: 'o', đ: 'd', ħ: 'h', ł: 'l', ŧ: 't', ß: 'ss', æ: 'ae', œ: 'oe', þ: 'th',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-', '\ufe58': '-', '\ufe63': '-',
  '\u3002': '.', '\uff61': '.', '\u2024': '.', '\u2027': '.', '\u00b7': '.', '\u30fb': '.',
};
const CONFUSABLE_RE = new RegExp(`[${Object.keys(CONFUSABLES).join('')}]`, 'gu');

/** Digits of other scripts (Arabic-Indic, Persian, Devanagari, Bengali): their zero's code point. */
const DIGIT_ZEROS = [0x0660, 0x06f0, 0x0966, 0x09e6, 0x0e50];
const OTHER_DIGITS = /[\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\u09e6-\u09ef\u0e50-\u0e59]/g;

function asciiDigit(c: string): string {
  const cp = c.codePointAt(0)!;
  const zero = DIGIT_ZEROS.find((z) => cp >= z && cp <= z + 9)!;
  return String(cp - zero);
}

/**
 * The first MAX_CHECKED_CHARS characters, lowercased; invisible characters removed; full-width, mathematical and circled forms folded
 * (NFKC); look-alikes mapped to Latin; accents and combining marks (zalgo) stripped; every run
 * of whitespace one space.
 */
export function fold(text: string): string {
  // Every layer of one sentence folds the same text: the last answer is kept (same input, same output).
  if (text === lastFolded.text) return lastFolded.folded;
  const folded = foldOnce(text);
  lastFolded = { text, folded };
  return folded;
}

let lastFolded = { text: '', folded: '' };

const bounded = (s: string) => (s.length > MAX_CHECKED_CHARS ? s.slice(0, MAX_CHECKED_CHARS) : s);

function foldOnce(text: string): string {
  // Every layer starts here: none reads past the bound, whoever calls it. NFKC can make a
  // character 18 (U+FDFA): the text is cut before it and again after it.
  return bounded(
    bounded(text)
    .replace(INVISIBLE, '')
    // Regional indicators (🇫 🇺) and negative circled/squared letters (🅕 🅵) read as the letters they show.
    .replace(/[\u{1f1e6}-\u{1f1ff}\u{1f150}-\u{1f169}\u{1f170}-\u{1f189}]/gu, (c) => {
      const cp = c.codePointAt(0)!;
      const base = cp >= 0x1f1e6 ? 0x1f1e6 : cp >= 0x1f170 ? 0x1f170 : 0x1f150;
      return String.fromCharCode(cp - base + 97);
    })
    .normalize('NFKC'),
  )
    .toLowerCase()
    .replace(CONFUSABLE_RE, (c) => CONFUSABLES[c] ?? c)
    .replace(OTHER_DIGITS, asciiDigit)
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '6': 'g', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's', '!': 'i', '|': 'l', '€': 'e', '+': 't' };

/** Undoes leetspeak; `one` says what a 1 (and a |) stands for, as it is an i as often as an l. */
export function unleet(folded: string, one: 'i' | 'l'): string {
  return folded.replace(/[0-9@$!|€+]/g, (c, at: number) => {
    // Symbols stand for letters only inside a word ("sh!t", "a$$"), not as punctuation ("no!", "+1").
    if (!/[0-9]/.test(c)) {
      const before = /[\p{L}\p{N}$@!|+]/u.test(folded[at - 1] ?? '');
      const after = /[\p{L}\p{N}$@+]/u.test(folded[at + 1] ?? '');
      if (c === '!' || c === '|' || c === '+' ? !(before && after) : !(before || after)) return c;
    }
    return c === '1' || c === '|' ? one : (LEET[c] ?? c);
  });
}

/** "fuuuuck" → "fuck", "scheisse" → "scheise": both sides of a comparison go through it. */
export const collapseRepeats = (s: string): string => s.replace(/(\p{L})\1+/gu, '$1');

/**
 * Words of a folded text, plus the words a troll split apart: letters separated by spaces or
 * punctuation ("s l u r", "s.l.u.r", "s-l-u-r") and pieces joined by punctuation without a
 * space ("sl.ur", "sl*ur") are glued back into one word.
 */
export function wordsOf(folded: string): { words: string[]; glued: string[] } {
  const words: string[] = [];
  const glued: string[] = [];
  let current = '';
  let singles = '';
  let lastEnd = -1;
  for (const m of folded.matchAll(/[\p{L}\p{N}]+/gu)) {
    const w = m[0];
    const start = m.index;
    const gap = lastEnd < 0 ? ' ' : folded.slice(lastEnd, start);
    const single = w.length === 1;
    words.push(w);
    // Glue across punctuation-only gaps ("sl.ur"); start over at a space.
    if (lastEnd >= 0 && !gap.includes(' ')) current += w;
    else {
      if (current) glued.push(current);
      current = w;
    }
    // Runs of single characters glue across spaces too ("s l u r").
    if (single) singles += w;
    else {
      pushSingles(glued, singles);
      singles = '';
    }
    lastEnd = start + w.length;
  }
  if (current) glued.push(current);
  pushSingles(glued, singles);
  return { words, glued };
}

/** "what a f a g" glues to "afag": the run is kept with and without a leading or trailing "a"/"i"/"y". */
function pushSingles(glued: string[], singles: string): void {
  if (singles.length < 3) return;
  glued.push(singles);
  const trimmed = singles.replace(/^[aiy]/, '');
  if (trimmed !== singles && trimmed.length >= 3) glued.push(trimmed);
  const end = trimmed.replace(/[aiy]$/, '');
  if (end !== trimmed && end.length >= 3) glued.push(end);
}

/**
 * A sentence's plain words for the phrase layers: folded, leetspeak undone, apostrophes and
 * punctuation turned into spaces ("I'm" → "i m", "k.y.s" → "k y s"), one space between words.
 */
export function plainWords(text: string): string {
  return wordsOf(unleet(fold(text).replace(/['’`]/g, ' '), 'i')).words.join(' ');
}
