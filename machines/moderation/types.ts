/** What the moderation pipeline says about one text. Categories are shown on the panel and counted; the text never is. */

export const MODERATION_CATEGORIES = ['profanity', 'mild', 'insult', 'hate', 'threat', 'sexual', 'self-harm', 'personal-data', 'link', 'prompt-leak', 'echo', 'toxicity', 'overlong'] as const;
export type ModerationCategory = (typeof MODERATION_CATEGORIES)[number];

/** Categories a word list file may declare in a `[section]` header. */
export const LIST_CATEGORIES = ['profanity', 'mild', 'insult', 'hate', 'threat', 'sexual', 'self-harm'] as const;
export type ListCategory = (typeof LIST_CATEGORIES)[number];

export type ModerationLayer = 'bound' | 'profanity' | 'personalData' | 'links' | 'threat' | 'selfHarm' | 'sexual' | 'promptLeak' | 'echo' | 'ml';

export type ModerationVerdict = { ok: true } | { ok: false; category: ModerationCategory; layer: ModerationLayer };

/** A word list as data: `term*` matches any word starting with term; a term of several words matches them in a row. */
export interface WordList {
  /** `en`, `es`, `de`, or `persona` for the persona's blocklist. */
  source: string;
  entries: ReadonlyArray<{ term: string; category: ListCategory }>;
  /** Words this language uses innocently that another list (or the English library) flags; and mild profanity the persona allows. */
  allow?: readonly string[];
}

export const isListCategory = (s: string): s is ListCategory => (LIST_CATEGORIES as readonly string[]).includes(s);
export const isModerationCategory = (s: string): s is ModerationCategory => (MODERATION_CATEGORIES as readonly string[]).includes(s);
