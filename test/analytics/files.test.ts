import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileOf, openStreamFolder, parseLines, storedStreams, streamWriter } from '../../src/analytics/files.ts';
import { outagesOf, percentile, repliesCsv } from '../../src/analytics/summary.ts';
import { parseEnv } from '../../src/config/env.ts';

const dirs: string[] = [];
const folder = () => {
  const d = mkdtempSync(join(tmpdir(), 'pickle-files-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('stream files', () => {
  it('lines are written only on flush, owner-only, one JSON object a line', () => {
    const dir = join(folder(), 'streams');
    openStreamFolder(dir);
    const errors: Error[] = [];
    const w = streamWriter({ dir, onError: (e) => errors.push(e) });
    w.append('20261207-200000-000', { k: 'stream', v: 1, id: '20261207-200000-000', t: 1, reason: 'start' });
    expect(existsSync(fileOf(dir, '20261207-200000-000'))).toBe(false);
    w.flush();
    const text = readFileSync(fileOf(dir, '20261207-200000-000'), 'utf8');
    expect(text).toBe('{"k":"stream","v":1,"id":"20261207-200000-000","t":1,"reason":"start"}\n');
    expect(statSync(fileOf(dir, '20261207-200000-000')).mode & 0o077).toBe(0);
    expect(errors).toEqual([]);
  });

  it('a line that is not a record is skipped and counted; a truncated last line too', () => {
    const f = parseLines('{"k":"stream","v":1,"id":"x","t":1,"reason":"start"}\n[1,2]\n{"k":"nope","t":1}\n{"k":"end","t":"soon"}\n\n{"k":"end","t":2,"reason":"stop"}\n{"k":"minute","i":0,');
    expect(f.lines.map((l) => l.k)).toEqual(['stream', 'end']);
    expect(f.corrupt).toBe(4);
  });

  it('a folder that stops being writable keeps the lines and says so; they are written once it works again', () => {
    const base = folder();
    const dir = join(base, 'streams');
    const errors: string[] = [];
    let recovered = 0;
    const w = streamWriter({ dir, onError: (e) => errors.push(e.message), onRecovered: () => (recovered += 1) });
    writeFileSync(dir, 'a file in the way');
    w.append('20261207-200000-000', { k: 'end', t: 5, reason: 'stop' });
    w.flush();
    expect(errors).toHaveLength(1);
    rmSync(dir);
    openStreamFolder(dir);
    w.flush();
    expect(recovered).toBe(1);
    expect(parseLines(readFileSync(fileOf(dir, '20261207-200000-000'), 'utf8')).lines).toEqual([{ k: 'end', t: 5, reason: 'stop' }]);
  });

  it('prunes streams last written more than ANALYTICS_KEEP_DAYS ago, and nothing else', () => {
    const dir = join(folder(), 'streams');
    openStreamFolder(dir);
    const now = Date.now();
    for (const [id, daysAgo] of [['20250101-000000-000', 91], ['20250301-000000-000', 89]] as const) {
      writeFileSync(fileOf(dir, id), '{"k":"end","t":1,"reason":"stop"}\n');
      const t = (now - daysAgo * 86_400_000) / 1000;
      utimesSync(fileOf(dir, id), t, t);
    }
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const w = streamWriter({ dir, onError: () => {} });
    expect(w.prune(90, now)).toBe(1);
    expect(storedStreams(dir)).toEqual(['20250301-000000-000']);
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
    expect(parseEnv({}).ANALYTICS_KEEP_DAYS).toBe(90);
    expect(() => parseEnv({ ANALYTICS_KEEP_DAYS: 'forever' })).toThrow(/ANALYTICS_KEEP_DAYS/);
  });

  it('forgetting a viewer rewrites only the streams that name them, on any platform or one', () => {
    const dir = join(folder(), 'streams');
    openStreamFolder(dir);
    const w = streamWriter({ dir, onError: () => {} });
    w.append('20261207-200000-000', { k: 'engaged', t: 1, top: [{ viewer: 'twitch:alice', messages: 3 }, { viewer: 'youtube:alice', messages: 2 }, { viewer: 'twitch:bob', messages: 1 }] });
    w.append('20261208-200000-000', { k: 'engaged', t: 1, top: [{ viewer: 'twitch:bob', messages: 1 }] });
    w.flush();
    const before = statSync(fileOf(dir, '20261208-200000-000')).mtimeMs;
    expect(w.forget('youtube:alice')).toBe(1);
    expect(w.forget('alice')).toBe(1);
    const [line] = parseLines(readFileSync(fileOf(dir, '20261207-200000-000'), 'utf8')).lines;
    expect(line).toEqual({ k: 'engaged', t: 1, top: [{ viewer: 'twitch:bob', messages: 1 }] });
    expect(statSync(fileOf(dir, '20261208-200000-000')).mtimeMs).toBe(before);
  });
});

describe('what is read back', () => {
  it('outages run from down to the next other state; one still down lasts to the end', () => {
    expect(outagesOf([{ t: 5, service: 'llm', state: 'down', fault: 'auth' }, { t: 9, service: 'llm', state: 'up' }, { t: 7, service: 'tts', state: 'degraded' }], 20)).toEqual([
      { service: 'llm', from: 5, to: 9, state: 'down', fault: 'auth' },
      { service: 'tts', from: 7, to: 20, state: 'degraded' },
    ]);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([], 0.5)).toBeNull();
  });

  it('the CSV quotes what needs quoting and has one row per reply', () => {
    const csv = repliesCsv([
      { k: 'reply', t: 0, replyId: 'r,1', trigger: { platform: null, kind: 'idle', addressed: false }, totalMs: null, stages: null, tokensIn: null, tokensOut: null, emotion: null, blocked: { insult: 2, hate: 1 }, outcome: 'dropped', reason: 'failed' },
    ]);
    const rows = csv.trimEnd().split('\r\n');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toBe('1970-01-01T00:00:00.000Z,"r,1",,idle,false,,,,,,,,,,insult:2;hate:1,dropped,failed');
  });
});
