import { MAX_CHECKED_CHARS } from './normalise.ts';
import { checkLinks } from './links.ts';
import { checkPersonalData } from './personalData.ts';
import { checkProfanity, compileLists, type CompiledLists } from './profanity.ts';
import { leaksPrompt, promptShingles, type PromptShingles } from './promptLeak.ts';
import type { ModerationVerdict, WordList } from './types.ts';

/**
 * The moderation pipeline (pure, synchronous): every sentence before it is spoken or shown,
 * every chat line before it is stored. Layers run cheapest first and the first one that
 * objects decides. The optional ML classifier is I/O and runs after these, from src/moderation.
 */

export interface ModerationData {
  lists: CompiledLists;
  prompt: PromptShingles;
}

/** Word lists (languages + persona blocklist) and the instructions to protect, folded once. */
export function moderationData(lists: readonly WordList[], instructions: string): ModerationData {
  return { lists: compileLists(lists), prompt: promptShingles(instructions) };
}

export function moderate(text: string, data: ModerationData): ModerationVerdict {
  // Longer than anything Pickle says or stores: refused whole rather than checked in part.
  if (text.length > MAX_CHECKED_CHARS) return { ok: false, category: 'overlong', layer: 'bound' };
  if (checkPersonalData(text)) return { ok: false, category: 'personal-data', layer: 'personalData' };
  if (checkLinks(text)) return { ok: false, category: 'link', layer: 'links' };
  const profanity = checkProfanity(text, data.lists);
  if (profanity) return { ok: false, category: profanity.category, layer: 'profanity' };
  if (leaksPrompt(text, data.prompt)) return { ok: false, category: 'prompt-leak', layer: 'promptLeak' };
  return { ok: true };
}
