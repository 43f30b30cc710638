/**
 * overlay/visemes.js in Node (the same file the page runs): a spectrum with a vowel's formants
 * reads as that vowel, silence (below the gate) shuts the mouth, loudness alone opens `aa`, and
 * the smoother opens faster than it closes.
 */
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

interface V {
  aa: number;
  ih: number;
  ou: number;
  ee: number;
  oh: number;
}
interface Lib {
  shape(db: Float32Array | null, binHz: number, level: number): V;
  smoother(): { next(t: V, dt: number): V; reset(): void };
}
const window: { PickleVisemes?: Lib } = {};
runInNewContext(readFileSync(new URL('../../overlay/visemes.js', import.meta.url), 'utf8'), { window, Math, Number });
const lib = window.PickleVisemes!;

const BIN = 48000 / 1024;
/** A dB spectrum with peaks at the two formants over a floor. */
function vowel(f1: number, f2: number): Float32Array {
  const db = new Float32Array(512).fill(-100);
  for (let i = 0; i < db.length; i++) {
    const f = i * BIN;
    const peak = (c: number, w: number) => Math.exp(-((f - c) ** 2) / (2 * w * w));
    db[i] = -100 + 70 * Math.max(peak(f1, 60), 0.8 * peak(f2, 90));
  }
  return db;
}
const top = (v: V) => (Object.entries(v) as Array<[keyof V, number]>).sort((a, b) => b[1] - a[1])[0]![0];

describe('visemes from the spectrum', () => {
  it('each vowel reads as its own viseme', () => {
    expect(top(lib.shape(vowel(750, 1250), BIN, 0.5))).toBe('aa');
    expect(top(lib.shape(vowel(300, 2300), BIN, 0.5))).toBe('ih');
    expect(top(lib.shape(vowel(340, 800), BIN, 0.5))).toBe('ou');
    expect(top(lib.shape(vowel(500, 1950), BIN, 0.5))).toBe('ee');
    expect(top(lib.shape(vowel(520, 950), BIN, 0.5))).toBe('oh');
  });

  it('silence is a shut mouth; without a spectrum loudness opens aa', () => {
    const shut = lib.shape(vowel(750, 1250), BIN, 0.01);
    expect(Object.values(shut).every((x) => x === 0)).toBe(true);
    const loud = lib.shape(null, 0, 0.5);
    expect(loud.aa).toBeGreaterThan(0.9);
    expect(loud.oh).toBe(0);
  });

  it('opens fast and closes slower', () => {
    const s = lib.smoother();
    const open: V = { aa: 1, ih: 0, ou: 0, ee: 0, oh: 0 };
    const shut: V = { aa: 0, ih: 0, ou: 0, ee: 0, oh: 0 };
    const up = s.next(open, 0.05).aa;
    const down = 1 - s.next(shut, 0.05).aa / up;
    expect(up).toBeGreaterThan(0.7);
    expect(down).toBeLessThan(up);
    for (let i = 0; i < 20; i++) s.next(shut, 0.05);
    expect(s.next(shut, 0.05).aa).toBe(0);
  });
});
