/**
 * Sentence cutter for streamed LLM text: the voice starts speaking the first sentence
 * while the model is still writing the rest, so sentences are cut as soon as they are
 * certainly complete, and never in the middle of "Dr. Who", "e.g. this" or "3.5".
 *
 * A sentence ends at a run of `.` `!` `?` `…` (so "..." and "?!" are one terminator),
 * plus any closing quotes/brackets, followed by whitespace. Emoji right after the
 * terminator belong to the sentence they close ("Nice! 🎉 Next" → "Nice! 🎉" | "Next"),
 * which is why a cut is only decided once the first character of the next sentence is
 * seen. A newline is a boundary too. The remainder is flushed at the end, punctuated or not.
 */

const TERMINATOR = /[.!?…]/;
const CLOSER = /["'”’)\]»]/;
const SPACE = /\s/;
/** Emoji and the joiners/modifiers/variation selectors that glue them together. */
const EMOJI_PART = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}\ufe0f]|\u200d|\u20e3/u;
const LOWER = /\p{Ll}/u;
const SPEAKABLE = /[\p{L}\p{N}]/u;

/** Words that end with a dot without ending the sentence (lowercase, without the dot). */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'mt',
  'vs',
  'approx',
  'dept',
  'est',
  'fig',
  'inc',
  'ltd',
  'co',
  'jan',
  'feb',
  'aug',
  'sept',
  'oct',
  'nov',
  'dec',
]);

function isAbbreviation(textBeforeDot: string): boolean {
  const word = /(\S+)$/.exec(textBeforeDot)?.[1];
  if (!word) return false;
  const bare = word.replace(/^[("'“‘[]+/, '').toLowerCase();
  // "e.g", "i.e", "u.s": single letters separated by dots.
  return ABBREVIATIONS.has(bare) || /^(\p{L}\.)+\p{L}$/u.test(bare);
}

interface Cut {
  sentence: string;
  rest: string;
}

/**
 * Finds the first sentence boundary in `s`. Returns null when there is none yet;
 * with `final` the text is known to be complete, so a terminator at the very end counts.
 */
function findCut(s: string, final: boolean): Cut | null {
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\n') {
      const sentence = s.slice(0, i).trim();
      if (SPEAKABLE.test(sentence)) return { sentence, rest: s.slice(i + 1) };
      continue;
    }
    if (!TERMINATOR.test(ch)) continue;
    let j = i;
    while (j < s.length && TERMINATOR.test(s[j]!)) j++;
    const run = s.slice(i, j);
    let k = j;
    while (k < s.length && CLOSER.test(s[k]!)) k++;
    if (k === s.length && !final) return null; // cannot tell "3." from "3.5" yet
    if (k < s.length && !SPACE.test(s[k]!)) {
      i = k - 1;
      continue;
    }
    if (run === '.' && isAbbreviation(s.slice(0, i))) {
      i = k - 1;
      continue;
    }
    // Swallow whitespace and emoji that trail the terminator; they close this sentence.
    let m = k;
    while (m < s.length) {
      const cp = s.codePointAt(m)!;
      const c = String.fromCodePoint(cp);
      if (!SPACE.test(c) && !EMOJI_PART.test(c)) break;
      m += c.length;
    }
    if (m === s.length && !final) return null; // an emoji may still follow
    const next = s[m];
    // "Well... maybe" and `"Wow!" she said` go on after the terminator.
    const continues = next !== undefined && LOWER.test(next) && (/\.\.|…/.test(run) || k > j);
    if (continues) {
      i = k - 1;
      continue;
    }
    const sentence = s.slice(0, m).trim();
    if (!SPEAKABLE.test(sentence)) {
      // "!!! Wow." : nothing to say yet; keep it as the start of the next sentence.
      i = m - 1;
      continue;
    }
    return { sentence, rest: s.slice(m) };
  }
  return null;
}

/** Incremental cutter: push text as it streams, get back the sentences that completed. */
export class SentenceCutter {
  private pending = '';

  push(text: string): string[] {
    this.pending += text;
    return this.drain(false);
  }

  /** The text is complete: returns the remaining sentences, including an unpunctuated tail. */
  end(): string[] {
    const out = this.drain(true);
    const tail = this.pending.trim();
    this.pending = '';
    if (SPEAKABLE.test(tail)) out.push(tail);
    return out;
  }

  private drain(final: boolean): string[] {
    const out: string[] = [];
    for (;;) {
      const cut = findCut(this.pending, final);
      if (!cut) break;
      out.push(cut.sentence);
      this.pending = cut.rest;
    }
    return out;
  }
}

/** Cuts a complete text into sentences (same rules as streaming). */
export function splitSentences(text: string): string[] {
  const cutter = new SentenceCutter();
  return [...cutter.push(text), ...cutter.end()];
}
