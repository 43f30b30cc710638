import { describe, expect, it } from 'vitest';
import { elide } from '../../src/screens/elide.ts';

describe('elide: what the inspector may show', () => {
  it('replaces credentials by key, whatever their value, and keeps counts that merely mention tokens', () => {
    const out = elide({
      token: 'abc',
      accessToken: 'xyz',
      headers: { Authorization: 'Bearer qwerty' },
      apiKey: 'k',
      api_key: 'k2',
      password: 'p',
      evalTokens: 42,
      maxTokens: 100,
      tokenizer: 'bpe',
    }) as Record<string, unknown>;
    expect(out).toEqual({
      token: '[secret]',
      accessToken: '[secret]',
      headers: { Authorization: '[secret]' },
      apiKey: '[secret]',
      api_key: '[secret]',
      password: '[secret]',
      evalTokens: 42,
      maxTokens: 100,
      tokenizer: 'bpe',
    });
  });

  it('scrubs known secret values wherever they appear in text', () => {
    const key = 'dg_live_0123456789abcdef';
    const out = elide({ type: 'chat.batch', messages: [{ text: `my key is ${key}, use it` }] }, { secrets: [key] });
    expect(JSON.stringify(out)).not.toContain(key);
    expect(JSON.stringify(out)).toContain('[redacted]');
  });

  it('never ships audio: stream_audio base64 and binary buffers become a size note', () => {
    const b64 = Buffer.alloc(48_000, 7).toString('base64');
    const out = elide({
      type: 'stream_audio',
      audio: b64,
      text: 'Hello',
      pcm: new Int16Array(1000),
      other: b64,
      buf: Buffer.from('xyz'),
    }) as Record<string, unknown>;
    expect(out['audio']).toBe(`[audio: ${b64.length} chars]`);
    expect(out['pcm']).toBe('[pcm: 2000 bytes]');
    expect(out['other']).toMatch(/^\[binary: \d+ base64 chars\]$/);
    expect(out['buf']).toBe('[binary: 3 bytes]');
    expect(out['text']).toBe('Hello');
    expect(JSON.stringify(out).length).toBeLessThan(300);
  });

  it('cuts long strings and arrays, labels functions and actor refs, survives cycles and depth', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    const actor = { id: 'brain', systemId: 'brain', sessionId: 'x:3', send() {} };
    const deep = { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } };
    const out = elide({
      long: 'word '.repeat(200),
      list: Array.from({ length: 100 }, (_, i) => i),
      fn: function random() {},
      ref: actor,
      cyclic,
      deep,
      when: new Date(0),
      err: new Error('boom'),
      big: 12n,
      nan: Number.NaN,
    }) as Record<string, any>;
    expect(out.long).toBe(`${'word '.repeat(80)}… (+600 chars)`);
    expect(out.list).toHaveLength(31);
    expect(out.list.at(-1)).toBe('… (+70 more)');
    expect(out.fn).toBe('[function random]');
    expect(out.ref).toBe('[actor brain]');
    expect(out.cyclic).toEqual({ name: 'loop', self: '[circular]' });
    expect(JSON.stringify(out.deep)).toContain('[object]');
    expect(out.when).toBe('1970-01-01T00:00:00.000Z');
    expect(out.err).toEqual({ error: 'Error', message: 'boom' });
    expect(out.big).toBe('12n');
    expect(out.nan).toBe('NaN');
    // Plain JSON, all of it.
    expect(() => JSON.stringify(out)).not.toThrow();
  });

  it('does not mark shared (non-cyclic) objects as circular', () => {
    const shared = { id: 1 };
    expect(elide({ a: shared, b: shared })).toEqual({ a: { id: 1 }, b: { id: 1 } });
  });
});
