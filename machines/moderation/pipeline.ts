import { MAX_CHECKED_CHARS, fold, plainWords } from './normalise.ts';
import { guessLanguage, languageSet, type LanguageSet } from './languages/index.ts';
import { checkLinks } from './links.ts';
import { checkPersonalData } from './personalData.ts';
import { checkPhrases } from './phrases.ts';
import { allowedIn, checkProfanity, compileLists, type CompiledLists } from './profanity.ts';
import { leaksPrompt, promptShingles, type PromptShingles } from './promptLeak.ts';
import type { ModerationVerdict, WordList } from './types.ts';

/**
 * The moderation pipeline (pure, synchronous): every sentence before it is spoken or shown,
 * every chat line before it is stored. Layers run cheapest first and the first one that
 * objects decides. The optional ML classifier is I/O and runs beside these, from src/moderation.
 */

export interface ModerationData {
  lists: CompiledLists;
  prompt: PromptShingles;
  /** The persona's languages (those of its word lists): the phrase layers and the language guess. */
  languages: LanguageSet;
}

/** Word lists (languages + persona blocklist) and the instructions to protect, folded once. */
export function moderationData(lists: readonly WordList[], instructions: string): ModerationData {
  return {
    lists: compileLists(lists),
    prompt: promptShingles(instructions),
    languages: languageSet(lists.map((l) => l.source).filter((s) => s !== 'persona')),
  };
}

export function moderate(text: string, data: ModerationData): ModerationVerdict {
  // Longer than anything Pickle says or stores: refused whole rather than checked in part.
  if (text.length > MAX_CHECKED_CHARS) return { ok: false, category: 'overlong', layer: 'bound' };
  if (checkPersonalData(text)) return { ok: false, category: 'personal-data', layer: 'personalData' };
  if (checkLinks(text)) return { ok: false, category: 'link', layer: 'links' };
  const plain = plainWords(text);
  const lang = guessLanguage(fold(text).match(/[\p{L}]+/gu) ?? [], data.languages);
  const profanity = checkProfanity(text, data.lists, allowedIn(data.lists, lang));
  if (profanity) return { ok: false, category: profanity.category, layer: 'profanity' };
  const phrase = checkPhrases(plain, data.languages);
  if (phrase) return { ok: false, ...phrase };
  if (leaksPrompt(text, data.prompt, plain, data.languages)) return { ok: false, category: 'prompt-leak', layer: 'promptLeak' };
  return { ok: true };
}
