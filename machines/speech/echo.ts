/**
 * Echo detection: is a transcript Pickle's own voice, picked up by the streamer's microphone
 * from the speakers? Pure text similarity against what Pickle is saying.
 *
 * Speech recognition of loudspeaker audio is imperfect (a word missed, "ten" written "10",
 * "pickle" heard as "nickel"), and a transcript is usually a piece of a sentence, not all of it.
 * So the measure is: the share of the transcript's words found, in order, in Pickle's current
 * text (a longest common subsequence with a forgiving word comparison). A transcript mostly made
 * of Pickle's words is an echo; the streamer's own words ("wait, stop") are not in Pickle's text.
 */

const NUMBER_WORDS: Record<string, string> = {
  zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
  ten: '10', eleven: '11', twelve: '12', thirteen: '13', fourteen: '14', fifteen: '15', sixteen: '16',
  seventeen: '17', eighteen: '18', nineteen: '19', twenty: '20', thirty: '30', forty: '40', fifty: '50',
  sixty: '60', seventy: '70', eighty: '80', ninety: '90', hundred: '100', thousand: '1000',
};

/** Lowercase words without accents, apostrophes or punctuation; number words as digits. */
export function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((w) => NUMBER_WORDS[w] ?? w);
}

/** Levenshtein distance, stopping early once it exceeds `max`. */
function editDistanceWithin(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return false;
    prev = cur;
  }
  return prev[b.length]! <= max;
}

/** Same word, or a near miss of a longer word (one letter off from 4 letters, two from 8). */
export function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  const n = Math.min(a.length, b.length);
  if (n < 4) return false;
  return editDistanceWithin(a, b, n >= 8 ? 2 : 1);
}

/** How many of `said`'s words appear in order in `reference` (longest common subsequence). */
export function matchedWords(said: readonly string[], reference: readonly string[]): number {
  if (said.length === 0 || reference.length === 0) return 0;
  let prev = new Array<number>(reference.length + 1).fill(0);
  for (let i = 1; i <= said.length; i++) {
    const cur = new Array<number>(reference.length + 1).fill(0);
    for (let j = 1; j <= reference.length; j++) {
      cur[j] = sameWord(said[i - 1]!, reference[j - 1]!) ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    prev = cur;
  }
  return prev[reference.length]!;
}

/** Share (0..1) of the transcript's words that are Pickle's; 0 for a transcript without words. */
export function echoScore(transcript: string, reference: readonly string[]): number {
  const said = words(transcript);
  if (said.length === 0) return 0;
  return matchedWords(said, words(reference.join(' '))) / said.length;
}

/** Default share of Pickle's words above which a transcript is taken for Pickle's own voice. */
export const ECHO_THRESHOLD = 0.6;

export function isEcho(transcript: string, reference: readonly string[], threshold = ECHO_THRESHOLD): boolean {
  return reference.length > 0 && echoScore(transcript, reference) >= threshold;
}
