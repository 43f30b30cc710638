/**
 * The map's names hold: every repository path ARCHITECTURE.md and the README write in backticks
 * exists, every `npm run X` is a script in package.json, and every `npm run bench -- NAME` is a
 * benchmark in bench/, and every chat command is in the README. A file moved or renamed, or a
 * command added, without its sentence fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHAT_COMMANDS } from '../../machines/commands.ts';

const ROOT = new URL('../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, ROOT), 'utf8');
const DOCS = ['ARCHITECTURE.md', 'README.md'] as const;
/** Folders of this repository: a backticked name starting with one is a path in it. */
const TOP = /^(machines|src|overlay|test|bench|types|personas|plugins|\.ci)\//;
/** A pattern, not a path: `src/<platform>/`, `machines/moderation/*`, `plugin:…`. */
const TEMPLATE = /[<>*…{}]/;
/** Named as examples or outputs, not files of the repository: the streamer's own picture folder, the screenshots tests write. */
const NOT_IN_REPO = new Set(['personas/my-art/', 'test/artifacts/']);

function backticked(doc: string): string[] {
  return [...read(doc).matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!);
}

describe('the docs name what exists', () => {
  it.each(DOCS)('every repository path in %s exists', (doc) => {
    const paths = backticked(doc).filter((t) => TOP.test(t) && !TEMPLATE.test(t) && !NOT_IN_REPO.has(t));
    expect(paths.length).toBeGreaterThan(10);
    const missing = [...new Set(paths)].filter((p) => !existsSync(new URL(p.replace(/\/$/, ''), ROOT)));
    expect(missing).toEqual([]);
  });

  it.each(DOCS)('every `npm run` script in %s is in package.json', (doc) => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    const named = [...read(doc).matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]!);
    expect([...new Set(named)].filter((s) => !scripts.includes(s))).toEqual([]);
  });

  it.each(DOCS)('every benchmark in %s is a file in bench/', (doc) => {
    const named = [...read(doc).matchAll(/npm run bench -- ([a-z][a-z-]*)/g)].map((m) => m[1]!);
    const file = (name: string) => `bench/${name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}.ts`;
    expect([...new Set(named)].filter((n) => !existsSync(new URL(file(n), ROOT)))).toEqual([]);
  });

  it('every chat command is in the README', () => {
    const readme = read('README.md');
    expect(Object.keys(CHAT_COMMANDS).filter((c) => !readme.includes(`\`!${c}`))).toEqual([]);
  });
});
