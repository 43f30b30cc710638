import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadWordLists, ModerationListError, parseWordList } from '../../src/config/moderationLists.ts';
import { loadPersona, PersonaError } from '../../src/config/persona.ts';
import { moderate, moderationData } from '../../machines/moderation/pipeline.ts';

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'pickle-lists-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('moderation word lists (personas/moderation/<lang>.txt)', () => {
  it('sections set the category; comments and blank lines are skipped; terms are lowercased', () => {
    const list = parseWordList('xx', '# a comment\n\nFooBar\n[insult]\nbaz qux\n[self-harm]\nquux*\n', 'profanity');
    expect(list.entries).toEqual([
      { term: 'foobar', category: 'profanity' },
      { term: 'baz qux', category: 'insult' },
      { term: 'quux*', category: 'self-harm' },
    ]);
    expect(() => parseWordList('xx', '[nonsense]\nword', 'profanity')).toThrow(ModerationListError);
  });

  it("loads the persona's languages, reports a missing one, and appends the blocklist", () => {
    const dir = temp();
    writeFileSync(join(dir, 'fr.txt'), '[insult]\nconnard\n');
    const { lists, missing } = loadWordLists(dir, ['fr', 'it'], ['zorglub']);
    expect(missing).toEqual(['it']);
    expect(lists.map((l) => l.source)).toEqual(['fr', 'persona']);
    const data = moderationData(lists, '');
    expect(moderate('Quel c0nnard.', data)).toMatchObject({ ok: false, category: 'insult' });
    expect(moderate('zorglub!', data)).toMatchObject({ ok: false, category: 'profanity' });
  });

  it('persona `languages`: default [en], two-letter codes only', () => {
    const dir = temp();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.yaml'), 'name: A\npersonality: nice\n');
    expect(loadPersona(dir, 'a').file.languages).toEqual(['en']);
    writeFileSync(join(dir, 'b.yaml'), 'name: B\npersonality: nice\nlanguages: [en, es, de]\n');
    expect(loadPersona(dir, 'b').file.languages).toEqual(['en', 'es', 'de']);
    writeFileSync(join(dir, 'c.yaml'), 'name: C\npersonality: nice\nlanguages: [english]\n');
    expect(() => loadPersona(dir, 'c')).toThrow(PersonaError);
    expect(() => loadPersona(dir, 'c')).toThrow(/languages\.0: a two-letter language code/);
  });
});
