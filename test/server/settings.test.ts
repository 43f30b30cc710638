import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSettingsStore,
  defaultSettings,
  SettingsValidationError,
  type Settings,
} from '../../src/config/settings.ts';
import { createLogger, silentLogger } from '../../src/log.ts';
import { tempDir } from './harness.ts';

const dirs: string[] = [];
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

describe('settings store', () => {
  it('starts from defaults when there is no file, and writes nothing until a change', () => {
    const d = dir();
    const store = createSettingsStore({ dataDir: d, log: silentLogger() });
    expect(store.get()).toEqual({ voice: { model: 'aura-asteria-en', speed: 1 }, persona: { name: 'default' }, senses: { ears: true, eyes: true } });
    expect(store.warning).toBeUndefined();
    expect(fs.existsSync(path.join(d, 'settings.json'))).toBe(false);
  });

  it('persists an update, emits change, and a new store on the same dir reads it back', () => {
    const d = dir();
    const store = createSettingsStore({ dataDir: d, log: silentLogger() });
    const changes: [Settings, Settings][] = [];
    store.on('change', (next, prev) => changes.push([next, prev]));
    const next = store.update({ voice: { speed: 1.5 }, persona: { spontaneousRate: 0.5, replyInChat: true } });
    expect(next.voice).toEqual({ model: 'aura-asteria-en', speed: 1.5 });
    expect(readJson(path.join(d, 'settings.json'))).toEqual(next);
    expect(changes).toHaveLength(1);
    expect(changes[0]?.[1]).toEqual(defaultSettings());
    // Only settings.json is left: the temp file was renamed, not copied.
    expect(fs.readdirSync(d)).toEqual(['settings.json']);

    const again = createSettingsStore({ dataDir: d, log: silentLogger() });
    expect(again.get()).toEqual(next);
  });

  it('null removes a persona override; an unchanged update neither writes nor emits', () => {
    const d = dir();
    const store = createSettingsStore({ dataDir: d, log: silentLogger() });
    store.update({ persona: { cooldownSec: 30 } });
    let emitted = 0;
    const off = store.on('change', () => emitted++);
    const file = path.join(d, 'settings.json');
    const mtime = fs.statSync(file).mtimeMs;
    store.update({ persona: { cooldownSec: 30 } });
    expect(emitted).toBe(0);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
    store.update({ persona: { cooldownSec: null } });
    expect(store.get().persona).toEqual({ name: 'default' });
    expect(emitted).toBe(1);
    off();
    store.update({ voice: { speed: 2 } });
    expect(emitted).toBe(1);
  });

  it('rejects invalid values with field errors and changes nothing', () => {
    const d = dir();
    const store = createSettingsStore({ dataDir: d, log: silentLogger() });
    store.update({ voice: { speed: 1.25 } });
    const file = path.join(d, 'settings.json');
    const before = fs.readFileSync(file);
    let err: unknown;
    try {
      store.update({ voice: { speed: 3 }, persona: { name: '../etc', bogus: 1 } as never });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SettingsValidationError);
    const fields = (err as SettingsValidationError).fields;
    expect(Object.keys(fields).sort()).toEqual(['persona.bogus', 'persona.name', 'voice.speed']);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(store.get().voice.speed).toBe(1.25);
  });

  it('get() returns a copy', () => {
    const store = createSettingsStore({ dataDir: dir(), log: silentLogger() });
    store.get().voice.speed = 2;
    expect(store.get().voice.speed).toBe(1);
  });

  it.each([
    ['corrupt JSON', '{"voice": {"speed": 1.2', 'not valid JSON'],
    ['schema failure', JSON.stringify({ voice: { speed: 9 } }), 'voice.speed'],
  ])('%s: moves the file aside, uses defaults, warns', (_name, content, reasonPart) => {
    const d = dir();
    const file = path.join(d, 'settings.json');
    fs.writeFileSync(file, content);
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', destination: { write: (l: string) => lines.push(l) } });
    const now = Date.UTC(2025, 0, 2, 3, 4, 5, 6);
    const store = createSettingsStore({ dataDir: d, log, now: () => now });

    expect(store.get()).toEqual(defaultSettings());
    const aside = `${file}.corrupt-2025-01-02T03-04-05-006Z`;
    expect(fs.readFileSync(aside, 'utf8')).toBe(content);
    expect(fs.existsSync(file)).toBe(false);
    expect(store.warning).toContain(aside);
    expect(store.warning).toContain(reasonPart);
    expect(lines.some((l) => JSON.parse(l).level === 40)).toBe(true);

    // The next save writes a fresh file and leaves the broken one alone.
    store.update({ voice: { model: 'aura-2-thalia-en' } });
    expect(readJson(file)).toMatchObject({ voice: { model: 'aura-2-thalia-en' } });
    expect(fs.readFileSync(aside, 'utf8')).toBe(content);
  });

  it('keeps known values and drops unknown keys from an older/newer file', () => {
    const d = dir();
    fs.writeFileSync(path.join(d, 'settings.json'), JSON.stringify({ voice: { speed: 0.75, pitch: 3 }, extra: true }));
    const store = createSettingsStore({ dataDir: d, log: silentLogger() });
    expect(store.warning).toBeUndefined();
    expect(store.get()).toEqual({ voice: { model: 'aura-asteria-en', speed: 0.75 }, persona: { name: 'default' }, senses: { ears: true, eyes: true } });
  });

  it('creates the data dir on first save', () => {
    const d = path.join(dir(), 'nested', 'data');
    const store = createSettingsStore({ dataDir: d, log: silentLogger() });
    store.update({ persona: { name: 'gremlin' } });
    expect(readJson(path.join(d, 'settings.json'))).toMatchObject({ persona: { name: 'gremlin' } });
  });
});
