import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBlocklist, loadPersona, toRuntime } from '../../src/config/persona.ts';
import { loadWordLists } from '../../src/config/moderationLists.ts';
import { moderationData, type ModerationData } from '../../machines/moderation/pipeline.ts';
import { systemPrompt } from '../../machines/brain/prompt.ts';
import { isModerationCategory, type ModerationCategory } from '../../machines/moderation/types.ts';

/** The moderation corpus (test/fixtures/moderation) and the default persona's moderation data, for tests and the bench. */

const ROOT = join(import.meta.dirname, '..', '..');

export interface CorpusCase {
  text: string;
  lang: string;
  /** `pass`, or the category it must be blocked as. */
  expect: ModerationCategory | 'pass';
}

export function loadCorpus(): CorpusCase[] {
  return readFileSync(join(ROOT, 'test/fixtures/moderation/corpus.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const c = JSON.parse(l) as { text: string; lang: string; expect: string };
      if (c.expect !== 'pass' && !isModerationCategory(c.expect)) throw new Error(`corpus: unknown category ${c.expect}`);
      return { text: c.text, lang: c.lang, expect: c.expect === 'pass' ? 'pass' : c.expect };
    });
}

export function defaultModerationData(): ModerationData {
  const persona = loadPersona(join(ROOT, 'personas'), 'default');
  const { lists } = loadWordLists(join(ROOT, 'personas/moderation'), persona.file.languages, loadBlocklist(join(ROOT, 'personas/blocklist.txt')), persona.file.moderation.mild);
  return moderationData(lists, systemPrompt(toRuntime(persona)));
}
