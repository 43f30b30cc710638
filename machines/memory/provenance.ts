/**
 * Provenance of long-term memories (pure): who said a line and whom it is about, so that a
 * viewer's claim about another viewer is kept as hearsay, never as a fact about either of them,
 * and `!forgetme` can find every record that concerns a viewer, whoever wrote it.
 *
 * Every scan here is one pass over the text (no backtracking regex): chat is untrusted and long.
 */

/** Logins named in one record, at most (a line naming fifty viewers is spam, not a memory). */
export const MAX_ABOUT = 8;
/**
 * Shortest login recognised by name alone (without `@`): a viewer called "a" or "hi" would
 * otherwise be named by every other line.
 */
export const MIN_NAMED = 3;
/** Longest login Twitch allows. */
const MAX_LOGIN = 25;

const isWordChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * The words of a text that could be logins (ASCII letters, digits, `_`, 1-25 long), lowercased,
 * each once, in order. `@name` counts as `name`. One pass, bounded output.
 */
export function loginLikeWords(text: string, limit = 200): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let start = -1;
  const end = (i: number) => {
    if (start < 0) return;
    const len = i - start;
    if (len <= MAX_LOGIN) {
      const w = text.slice(start, i).toLowerCase();
      if (!seen.has(w)) {
        seen.add(w);
        out.push(w);
      }
    }
    start = -1;
  };
  for (let i = 0; i < text.length && out.length < limit; i++) {
    if (isWordChar(text.charCodeAt(i))) {
      if (start < 0) start = i;
    } else end(i);
  }
  if (out.length < limit) end(text.length);
  return out;
}

/** `@name` mentions (lowercased, each once). */
export function mentions(text: string): string[] {
  const out: string[] = [];
  for (let i = text.indexOf('@'); i >= 0 && out.length < MAX_ABOUT; i = text.indexOf('@', i + 1)) {
    let j = i + 1;
    while (j < text.length && j - i - 1 < MAX_LOGIN + 1 && isWordChar(text.charCodeAt(j))) j++;
    const len = j - i - 1;
    if (len >= 1 && len <= MAX_LOGIN && !(j < text.length && isWordChar(text.charCodeAt(j)))) {
      const w = text.slice(i + 1, j).toLowerCase();
      if (!out.includes(w)) out.push(w);
    }
  }
  return out;
}

/**
 * The viewers a text names: its @mentions, and words that are the login of a viewer Pickle knows.
 * `exclude`: who wrote it (a viewer naming themself is not hearsay) and Pickle itself.
 */
export function namedLogins(text: string, known: ReadonlySet<string>, exclude: readonly string[] = []): string[] {
  const out: string[] = [];
  const skip = new Set(exclude.map((e) => e.toLowerCase()));
  const add = (w: string) => {
    if (out.length < MAX_ABOUT && !skip.has(w) && !out.includes(w)) out.push(w);
  };
  for (const m of mentions(text)) add(m);
  for (const w of loginLikeWords(text)) if (w.length >= MIN_NAMED && known.has(w)) add(w);
  return out;
}

/** True when the text names the login as a word (any case, `@` or not). */
export function namesLogin(text: string, login: string): boolean {
  const l = login.toLowerCase();
  const lower = text.toLowerCase();
  for (let i = lower.indexOf(l); i >= 0; i = lower.indexOf(l, i + 1)) {
    const before = i === 0 ? -1 : lower.charCodeAt(i - 1);
    const after = i + l.length >= lower.length ? -1 : lower.charCodeAt(i + l.length);
    if ((before < 0 || !isWordChar(before)) && (after < 0 || !isWordChar(after))) return true;
  }
  return false;
}

/** Who a memory came from, as stored: `twitch:mallory`, `streamer`, `camera`, `persona:pickle`. */
export type Speaker = string;

export interface Provenance {
  speaker: Speaker;
  /** Logins the record is about (named in it, or, for a reply, the viewers it answered). */
  about: string[];
  /** A viewer's line about other viewers: their claim, never a fact about anyone. */
  hearsay: boolean;
}

/**
 * Every name Pickle goes by (its persona id, the words of its name, its aliases), lowercased: a
 * line naming Pickle is not about a viewer, even when a viewer has that login.
 */
export function selfNames(persona: { id: string; name: string; aliases?: readonly string[] }): string[] {
  const words = [persona.id, persona.name, ...(persona.aliases ?? [])].flatMap((n) => n.toLowerCase().split(/[^\p{L}\p{N}_]+/u));
  return [...new Set(words.filter(Boolean))];
}

/** `persona`: the name, or every name, Pickle goes by (`selfNames`). */
export function chatProvenance(speaker: Speaker, author: string, text: string, known: ReadonlySet<string>, persona: string | readonly string[]): Provenance {
  const about = namedLogins(text, known, [author, ...(typeof persona === 'string' ? [persona] : persona)]);
  return { speaker, about, hearsay: about.length > 0 };
}

/**
 * A reply is about the viewers who triggered it, whatever the trigger named, and whoever the
 * reply names: so `!forgetme` of any of them removes it.
 */
export function replyProvenance(
  persona: string,
  text: string,
  triggerUsers: readonly string[],
  triggerAbout: readonly string[],
  known: ReadonlySet<string>,
  self: readonly string[] = [persona],
): Provenance {
  const about: string[] = [];
  const me = new Set([persona, ...self]);
  for (const u of [...triggerUsers, ...triggerAbout, ...namedLogins(text, known, [...me])]) {
    const l = u.toLowerCase();
    if (!me.has(l) && !about.includes(l) && about.length < MAX_ABOUT) about.push(l);
  }
  return { speaker: `persona:${persona}`, about, hearsay: false };
}

/** What `!forgetme` (or the panel's "forget this viewer") deletes, as store filters. */
export interface ForgetPlan {
  /** Chat lines the viewer wrote. */
  authors: string[];
  /** Records tagged as being about the viewer (named, or replies to them). */
  about: string[];
  /** Texts to scan for the login (records stored before their name was known as a viewer's). */
  named: string[];
}

export function forgetPlan(login: string): ForgetPlan {
  const l = login.toLowerCase();
  return { authors: [l], about: [l], named: l.length >= MIN_NAMED ? [l] : [] };
}

/** A stored record the plan removes, judged on what it holds (for the scan of texts and for STM). */
export function concerns(record: { user: string; source?: string; kind?: string; text: string; about?: readonly string[] }, plan: ForgetPlan): boolean {
  const isChat = record.source === 'chat' || record.kind === 'chat';
  if (isChat && plan.authors.includes(record.user.toLowerCase())) return true;
  if (record.about?.some((a) => plan.about.includes(a))) return true;
  return plan.named.some((n) => namesLogin(record.text, n));
}

/** Chroma metadata key that marks a record as being about a login (one key per login: filterable). */
export const aboutKey = (login: string) => `about_${login.toLowerCase()}`;
