/**
 * Finding and importing plugins: the plugins folder, PLUGINS entries (paths and npm names),
 * per-plugin config from PLUGIN_<NAME>_<KEY>, and load failures reported with a fix.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configFor, discover, loadPluginModules } from '../../src/plugins/loader.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pickle-plugins-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (rel: string, text: string) => {
  const full = join(dir, rel);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, text);
  return full;
};

describe('discover', () => {
  it('top-level modules and folders with an index; not examples, tests, typings, _private or READMEs', () => {
    for (const f of ['a.ts', 'b.mjs', 'c.js', '_draft.ts', 'x.d.ts', 'x.test.ts', 'README.md', '.hidden.mjs', 'examples/e.ts', 'sub/index.ts', 'lib/util.ts'])
      write(f, '');
    expect(discover(dir).map((p) => p.slice(dir.length + 1))).toEqual(['a.ts', 'b.mjs', 'c.js', 'sub/index.ts']);
    expect(discover(join(dir, 'missing'))).toEqual([]);
  });
});

describe('configFor', () => {
  it('maps PLUGIN_<NAME>_<KEY> to camelCase keys of that plugin only', () => {
    const vars = { PLUGIN_FILE_TAIL_PATH: '/x', PLUGIN_FILE_TAIL_FROM_START: 'true', PLUGIN_FILE_TAILS_PATH: 'no', PLUGIN_WEBHOOK_URL: 'u', PLUGIN_FILE_TAIL_: 'empty' };
    expect(configFor('file-tail', vars)).toEqual({ path: '/x', fromStart: 'true' });
  });
});

describe('loadPluginModules', () => {
  it('loads objects and factories from the folder and from PLUGINS, with their config and events', async () => {
    write('obj.mjs', `export default { name: 'obj', events: ['reply.spoken'], start() {} };`);
    write('fact.mjs', `export default async () => ({ name: 'fact', events: (c) => (c.events ?? 'reply.done').split(','), start() {} });`);
    write('named.ts', `export const plugin = { name: 'named', start(): void {} };`);
    const extra = write('elsewhere/hook.mjs', `export default { name: 'hook', start() {} };`);
    const { loaded, failed } = await loadPluginModules({
      dir,
      extra: [extra],
      vars: { PLUGIN_FACT_EVENTS: 'reply.spoken,voice.done', PLUGIN_OBJ_URL: 'http://x' },
    });
    expect(failed).toEqual([]);
    expect(loaded.map((l) => [l.name, l.events, l.config])).toEqual([
      ['fact', ['reply.spoken', 'voice.done'], { events: 'reply.spoken,voice.done' }],
      ['named', [], {}],
      ['obj', ['reply.spoken'], { url: 'http://x' }],
      ['hook', [], {}],
    ]);
  });

  it('every way of being broken is a failure with a fix, and the good ones still load', async () => {
    write('good.mjs', `export default { name: 'good', start() {} };`);
    write('shape.mjs', `export default { hello: 1 };`);
    write('syntax.mjs', `export default {{ nope`);
    write('throws.mjs', `throw new Error('top-level boom');`);
    write('factory.mjs', `export default () => { throw new Error('factory boom'); };`);
    write('twin.mjs', `export default { name: 'good', start() {} };`);
    write('badname.mjs', `export default { name: 'has space', start() {} };`);
    write('badevents.mjs', `export default { name: 'badevents', events: ['DROP TABLE'], start() {} };`);
    const { loaded, failed } = await loadPluginModules({ dir, extra: ['pickle-plugin-that-does-not-exist', './nowhere.mjs'], vars: {}, cwd: dir });
    expect(loaded.map((l) => l.name)).toEqual(['good']);
    const by = Object.fromEntries(failed.map((f) => [f.source.replace(`${dir}/`, ''), f]));
    expect(Object.keys(by).sort()).toEqual(
      ['badevents.mjs', 'badname.mjs', 'factory.mjs', 'pickle-plugin-that-does-not-exist', 'shape.mjs', 'syntax.mjs', 'throws.mjs', 'twin.mjs', './nowhere.mjs'].sort(),
    );
    expect(by['pickle-plugin-that-does-not-exist']!.fix).toBe('run `npm install pickle-plugin-that-does-not-exist` in the Pickle folder, or remove it from PLUGINS');
    expect(by['throws.mjs']!.error).toMatch(/top-level boom/);
    expect(by['factory.mjs']!.error).toMatch(/factory boom/);
    expect(by['shape.mjs']!.fix).toMatch(/plugins\/README.md/);
    expect(by['twin.mjs']!.error).toMatch(/already used/);
    expect(by['./nowhere.mjs']!.error).toMatch(/does not exist/);
    for (const f of failed) expect(f.name).toMatch(/^[a-z0-9][a-z0-9_-]*$/i);
  });
});
