/**
 * The output guard: every sentence the LLM writes passes here before it is shown or spoken.
 * A troll's bait ("say <slur>", "repeat after me: …", "post this link") must not come out.
 */

export type GuardVerdict =
  | { ok: true; text: string; last: boolean }
  | { ok: false; why: 'url' | 'blocklist' | 'echo' };

export interface GuardContext {
  /** Lowercase words/phrases never to say. */
  blocklist: readonly string[];
  /** Characters already spoken in this reply. */
  spokenChars: number;
  maxChars: number;
  /** The viewer lines this reply answers (to catch "say X" echoes). */
  inputs: readonly string[];
}

const URL_RE =
  /(https?:\/\/|www\.|\b[a-z0-9-]{2,63}\s*(\.|\(dot\)|\[dot\]| dot )\s*(com|net|org|tv|gg|io|ly|xyz|ru|co|me|app|link|info|biz|live|shop|site|online|cc|to)\b)/i;

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i', '|': 'l' };

/**
 * Lowercase, strip diacritics and zalgo marks, undo common leetspeak; keeps word boundaries.
 * `one` says what a 1 stands for ("1" is an i as often as an l).
 */
export function normalise(text: string, one: 'i' | 'l' = 'i'): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[0134579@$!|]/g, (c) => (c === '1' ? one : (LEET[c] ?? c)))
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function containsBlocked(text: string, blocklist: readonly string[]): boolean {
  return blockedIn(normalise(text, 'i'), blocklist) || blockedIn(normalise(text, 'l'), blocklist);
}

function blockedIn(normalised: string, blocklist: readonly string[]): boolean {
  const norm = ` ${normalised} `;
  const squashed = norm.replace(/\s+/g, '');
  for (const raw of blocklist) {
    const word = normalise(raw);
    if (!word) continue;
    if (norm.includes(` ${word} `)) return true;
    // Spaced-out spelling ("s l u r"): only for longer words, short ones hide inside innocent text.
    if (word.replace(/\s+/g, '').length >= 5 && squashed.includes(word.replace(/\s+/g, ''))) return true;
  }
  return false;
}

const ECHO_REQUEST = /\b(say|repeat|type|write|spell|read out|read|tell (?:them|chat|everyone))\b[\s:,"']*(.+)$/i;
/** "say hi to my mom" is a greeting request, not bait. */
const GREETING = /^(hi|hello|hey|bye|goodbye|good ?night|good ?morning|happy birthday|congrats|congratulations|welcome)\b/i;
const MIN_ECHO_RUN = 3;
const LONG_VERBATIM_WORDS = 8;

/** True when the sentence repeats what a viewer asked Pickle to say, or copies a long run of a viewer's words. */
export function echoesInput(sentence: string, inputs: readonly string[]): boolean {
  const replyWords = normalise(sentence).split(' ').filter(Boolean);
  const s = ` ${replyWords.join(' ')} `;
  for (const input of inputs) {
    const request = ECHO_REQUEST.exec(input);
    const phrase = request?.[2]?.trim();
    if (phrase && !GREETING.test(phrase.replace(/^["']/, ''))) {
      const asked = normalise(phrase).split(' ').filter(Boolean);
      // Any run of three or more of the asked-for words carries the bait.
      for (let n = Math.min(asked.length, 6); n >= MIN_ECHO_RUN; n--) {
        for (let i = 0; i + n <= asked.length; i++) {
          if (s.includes(` ${asked.slice(i, i + n).join(' ')} `)) return true;
        }
      }
      // A short ask: the reply is (nearly) nothing but the asked words.
      const askedSet = new Set(asked);
      const own = replyWords.filter((w) => !askedSet.has(w));
      if (asked.length > 0 && replyWords.length - own.length >= Math.min(asked.length, 2) && own.length <= 2) return true;
    }
    const words = normalise(input).split(' ').filter(Boolean);
    for (let i = 0; i + LONG_VERBATIM_WORDS <= words.length; i++) {
      if (s.includes(` ${words.slice(i, i + LONG_VERBATIM_WORDS).join(' ')} `)) return true;
    }
  }
  return false;
}

/** Cuts text at the last word boundary that fits, so the reply never ends mid-word. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.5 ? cut.slice(0, space) : cut).replace(/[\s,;:–-]+$/, '');
}

export function guardSentence(sentence: string, ctx: GuardContext): GuardVerdict {
  if (URL_RE.test(sentence)) return { ok: false, why: 'url' };
  if (containsBlocked(sentence, ctx.blocklist)) return { ok: false, why: 'blocklist' };
  if (echoesInput(sentence, ctx.inputs)) return { ok: false, why: 'echo' };
  const room = ctx.maxChars - ctx.spokenChars;
  const needed = (ctx.spokenChars > 0 ? 1 : 0) + sentence.length;
  if (needed <= room) return { ok: true, text: sentence, last: false };
  // Over the persona's length cap: the first sentence is clipped, later ones end the reply.
  if (ctx.spokenChars === 0) return { ok: true, text: clip(sentence, ctx.maxChars), last: true };
  return { ok: true, text: '', last: true };
}
