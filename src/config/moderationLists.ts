import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PersonaError } from './persona.ts';
import { isListCategory, type ListCategory, type WordList } from '../../machines/moderation/types.ts';

/**
 * Word lists for the moderation pipeline: for each of the persona's languages, the maintained
 * list of the `naughty-words` package (LDNOOBW, CC-BY-4.0) merged with personas/moderation/<lang>.txt,
 * then the persona blocklist. Loaded here (I/O) and handed to the machines as data.
 *
 * The package lists mix slurs with everyday words ("cerveja", "con", "martillo"): each language
 * file names the package words it drops (`[drop]`), the words of its own that other lists or
 * the English library flag (`[allow]`: German "dick" is thick), and its mild profanity
 * (`[mild]`: blocked only with the persona's `moderation.mild: block`).
 */

/** A persona's list file is part of the persona: a bad one stops Pickle with one line, like a bad persona. */
export class ModerationListError extends PersonaError {
  constructor(message: string) {
    super(message);
    this.name = 'ModerationListError';
  }
}

export type MildPolicy = 'allow' | 'block';

interface ParsedList extends WordList {
  allow: string[];
  /** Package words this language drops. */
  drop: string[];
}

const SECTION_EXTRA = ['allow', 'drop', 'mild'] as const;

/** Lines: `# comment`, `[category]` (starts a section), or a word/phrase (`term*` = prefix). */
export function parseWordList(source: string, text: string, defaultCategory: ListCategory, mild: MildPolicy = 'allow'): ParsedList {
  let section: ListCategory | (typeof SECTION_EXTRA)[number] = defaultCategory;
  const entries: Array<{ term: string; category: ListCategory }> = [];
  const allow: string[] = [];
  const drop: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const header = /^\[([a-z-]+)\]$/.exec(line);
    if (header) {
      const name = header[1]!;
      if (isListCategory(name) || (SECTION_EXTRA as readonly string[]).includes(name)) section = name as typeof section;
      else throw new ModerationListError(`moderation list ${source}, line ${i + 1}: unknown section [${name}]`);
      return;
    }
    const term = line.toLowerCase();
    if (section === 'allow') allow.push(term);
    else if (section === 'drop') drop.push(term);
    else if (section === 'mild') {
      if (mild === 'block') entries.push({ term, category: 'mild' });
      else allow.push(term);
    } else entries.push({ term, category: section });
  });
  return { source, entries, allow, drop };
}

const require = createRequire(import.meta.url);

/** The `naughty-words` list for a language, or none when the package has no list for it. */
function packageList(lang: string): string[] {
  // A missing package is a broken install, not a language without a list: the guard would be silently weaker.
  const dir = dirname(require.resolve('naughty-words/package.json'));
  const file = join(dir, `${lang}.json`);
  if (!existsSync(file)) return [];
  const words: unknown = JSON.parse(readFileSync(file, 'utf8'));
  return Array.isArray(words) ? words.filter((w): w is string => typeof w === 'string').map((w) => w.toLowerCase()) : [];
}

/** The lists for these languages (a language without a file is reported, not fatal) plus the blocklist. */
export function loadWordLists(dir: string, languages: readonly string[], blocklist: readonly string[], mild: MildPolicy = 'allow'): { lists: WordList[]; missing: string[] } {
  const lists: WordList[] = [];
  const missing: string[] = [];
  for (const lang of languages) {
    const path = join(dir, `${lang}.txt`);
    if (!existsSync(path)) {
      missing.push(lang);
      continue;
    }
    const own = parseWordList(lang, readFileSync(path, 'utf8'), 'profanity', mild);
    const skip = new Set([...own.drop, ...own.allow]);
    const fromPackage = packageList(lang)
      .filter((term) => !skip.has(term))
      .map((term) => ({ term, category: 'profanity' as const }));
    // The language file comes first: its sections name the category of a word both lists have.
    lists.push({ source: lang, entries: [...own.entries, ...fromPackage], allow: own.allow });
  }
  lists.push({ source: 'persona', entries: blocklist.map((term) => ({ term, category: 'profanity' })) });
  return { lists, missing };
}
