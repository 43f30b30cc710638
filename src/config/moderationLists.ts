import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PersonaError } from './persona.ts';
import { isListCategory, type ListCategory, type WordList } from '../../machines/moderation/types.ts';

/**
 * Word lists for the moderation pipeline: personas/moderation/<lang>.txt for each of the
 * persona's languages, then the persona blocklist. Loaded here (I/O) and handed to the
 * machines as data.
 */

/** A persona's list file is part of the persona: a bad one stops Pickle with one line, like a bad persona. */
export class ModerationListError extends PersonaError {
  constructor(message: string) {
    super(message);
    this.name = 'ModerationListError';
  }
}

/** Lines: `# comment`, `[category]` (starts a section), or a word/phrase (`term*` = prefix). */
export function parseWordList(source: string, text: string, defaultCategory: ListCategory): WordList {
  let category = defaultCategory;
  const entries: Array<{ term: string; category: ListCategory }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const section = /^\[([a-z-]+)\]$/.exec(line);
    if (section) {
      if (!isListCategory(section[1]!)) throw new ModerationListError(`moderation list ${source}, line ${i + 1}: unknown section [${section[1]}]`);
      category = section[1];
      return;
    }
    entries.push({ term: line.toLowerCase(), category });
  });
  return { source, entries };
}

/** The lists for these languages (a language without a file is reported, not fatal) plus the blocklist. */
export function loadWordLists(dir: string, languages: readonly string[], blocklist: readonly string[]): { lists: WordList[]; missing: string[] } {
  const lists: WordList[] = [];
  const missing: string[] = [];
  for (const lang of languages) {
    const path = join(dir, `${lang}.txt`);
    if (!existsSync(path)) {
      missing.push(lang);
      continue;
    }
    lists.push(parseWordList(lang, readFileSync(path, 'utf8'), 'profanity'));
  }
  lists.push({ source: 'persona', entries: blocklist.map((term) => ({ term, category: 'profanity' })) });
  return { lists, missing };
}
