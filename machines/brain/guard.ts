/**
 * The output guard: every sentence the LLM writes passes here before it is shown or spoken.
 * The moderation pipeline (machines/moderation) decides what may never be said; this adds the
 * "say X" echo rule (a troll's bait repeated back) and the persona's length cap.
 */
import { MAX_CHECKED_CHARS } from '../moderation/normalise.ts';
import { moderate, type ModerationData } from '../moderation/pipeline.ts';
import type { ModerationCategory, ModerationLayer } from '../moderation/types.ts';

export type GuardVerdict =
  | { ok: true; text: string; last: boolean }
  | { ok: false; category: ModerationCategory; layer: ModerationLayer };

export interface GuardContext {
  /** Word lists and the instructions to protect (machines/moderation/pipeline.ts). */
  moderation: ModerationData;
  /** Characters already spoken in this reply. */
  spokenChars: number;
  maxChars: number;
  /** The viewer lines this reply answers (to catch "say X" echoes). */
  inputs: readonly string[];
  /** What this reply already said: a phone number or a word cut into sentences ("Call 555." "867." "5309.") is judged whole. */
  said?: string;
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i', '|': 'l' };

/**
 * Lowercase, strip diacritics and zalgo marks, undo common leetspeak; keeps word boundaries.
 * `one` says what a 1 stands for ("1" is an i as often as an l).
 */
export function normalise(text: string, one: 'i' | 'l' = 'i'): string {
  // NFKD can make one character 18 (U+FDFA): cut before it and again after it.
  return (text.length > MAX_CHECKED_CHARS ? text.slice(0, MAX_CHECKED_CHARS) : text)
    .normalize('NFKD')
    .slice(0, MAX_CHECKED_CHARS)
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[0134579@$!|]/g, (c) => (c === '1' ? one : (LEET[c] ?? c)))
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const ECHO_REQUEST = /\b(say|repeat|type|write|spell|read out|read|tell (?:them|chat|everyone))\b[\s:,"']*(.+)$/i;
/** "say hi to my mom" is a greeting request, not bait. */
const GREETING = /^(hi|hello|hey|bye|goodbye|good ?night|good ?morning|happy birthday|congrats|congratulations|welcome)\b/i;
const MIN_ECHO_RUN = 3;
const MAX_ECHO_RUN = 6;
const LONG_VERBATIM_WORDS = 8;

/** Every run of n words (n in `sizes`) of a text, as one set: a lookup per run instead of a scan. */
function runsOf(words: readonly string[], sizes: readonly number[]): Set<string> {
  const runs = new Set<string>();
  for (const n of sizes) for (let i = 0; i + n <= words.length; i++) runs.add(words.slice(i, i + n).join(' '));
  return runs;
}

/** True when the sentence repeats what a viewer asked Pickle to say, or copies a long run of a viewer's words. */
export function echoesInput(sentence: string, inputs: readonly string[]): boolean {
  const replyWords = normalise(sentence).split(' ').filter(Boolean);
  const replyRuns = runsOf(replyWords, [3, 4, 5, 6, LONG_VERBATIM_WORDS]);
  for (const raw of inputs) {
    const input = raw.length > MAX_CHECKED_CHARS ? raw.slice(0, MAX_CHECKED_CHARS) : raw;
    const request = ECHO_REQUEST.exec(input);
    const phrase = request?.[2]?.trim();
    if (phrase && !GREETING.test(phrase.replace(/^["']/, ''))) {
      const asked = normalise(phrase).split(' ').filter(Boolean);
      // Any run of three or more of the asked-for words carries the bait.
      for (let n = Math.min(asked.length, MAX_ECHO_RUN); n >= MIN_ECHO_RUN; n--) {
        for (let i = 0; i + n <= asked.length; i++) if (replyRuns.has(asked.slice(i, i + n).join(' '))) return true;
      }
      // A short ask: the reply is (nearly) nothing but the asked words.
      const askedSet = new Set(asked);
      const own = replyWords.filter((w) => !askedSet.has(w));
      if (asked.length > 0 && replyWords.length - own.length >= Math.min(asked.length, 2) && own.length <= 2) return true;
    }
    const words = normalise(input).split(' ').filter(Boolean);
    for (let i = 0; i + LONG_VERBATIM_WORDS <= words.length; i++) if (replyRuns.has(words.slice(i, i + LONG_VERBATIM_WORDS).join(' '))) return true;
  }
  return false;
}

/** Cuts text at the last word boundary that fits, so the reply never ends mid-word. */
export function clipAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.5 ? cut.slice(0, space) : cut).replace(/[\s,;:–-]+$/, '');
}

export function guardSentence(sentence: string, ctx: GuardContext): GuardVerdict {
  const verdict = moderate(sentence, ctx.moderation);
  if (!verdict.ok) return verdict;
  if (ctx.said) {
    const whole = moderate(`${ctx.said} ${sentence}`, ctx.moderation);
    if (!whole.ok) return whole;
  }
  if (echoesInput(sentence, ctx.inputs)) return { ok: false, category: 'echo', layer: 'echo' };
  const room = ctx.maxChars - ctx.spokenChars;
  const needed = (ctx.spokenChars > 0 ? 1 : 0) + sentence.length;
  if (needed <= room) return { ok: true, text: sentence, last: false };
  // Over the persona's length cap: the first sentence is clipped, later ones end the reply.
  if (ctx.spokenChars === 0) return { ok: true, text: clipAtWord(sentence, ctx.maxChars), last: true };
  return { ok: true, text: '', last: true };
}
