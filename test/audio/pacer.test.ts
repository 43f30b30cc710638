/**
 * The pacer at the real numbers on fake timers: a file handed over at once leaves in real time
 * (never ahead of the clock, never more than one chunk behind), and a stall of the event loop
 * earns at most `maxBurstMs` of catch-up. The integration tests only check a lower bound on the
 * wall time, which load cannot break; the exact pacing is asserted here.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RealtimePacer } from '../../src/audio/pacer.ts';

const BPS = 32_000; // 16 kHz PCM16 mono
afterEach(() => vi.useRealTimers());

function paced(opts: { maxBurstMs?: number } = {}) {
  vi.useFakeTimers();
  const sent: Array<{ t: number; bytes: number }> = [];
  let endedAt: number | undefined;
  const t0 = Date.now();
  const pacer = new RealtimePacer({
    bytesPerSecond: BPS,
    chunkMs: 100,
    ...opts,
    onChunk: (c) => sent.push({ t: Date.now() - t0, bytes: c.length }),
    onEnd: () => (endedAt = Date.now() - t0),
  });
  return { pacer, sent, ended: () => endedAt, t0 };
}

describe('RealtimePacer', () => {
  it('3 s of audio given at once leaves at the pace it plays', () => {
    const p = paced();
    p.pacer.push(Buffer.alloc(3 * BPS));
    p.pacer.end();
    p.pacer.start();
    for (let ms = 0; ms <= 3_200; ms += 50) {
      const due = (ms / 1000) * BPS;
      const out = p.sent.filter((s) => s.t <= ms).reduce((n, s) => n + s.bytes, 0);
      expect(out, `at ${ms} ms`).toBeLessThanOrEqual(Math.min(3 * BPS, due + 0.1 * BPS)); // at most one chunk ahead
      expect(out, `at ${ms} ms`).toBeGreaterThanOrEqual(Math.min(3 * BPS, due - 0.1 * BPS)); // at most one chunk behind
      vi.advanceTimersByTime(50);
    }
    expect(p.ended()).toBeGreaterThanOrEqual(2_900);
    expect(p.ended()).toBeLessThanOrEqual(3_000);
  });

  it('a 2 s stall of the event loop earns a burst of at most maxBurstMs, not the whole debt', () => {
    const p = paced({ maxBurstMs: 500 });
    p.pacer.push(Buffer.alloc(10 * BPS));
    p.pacer.start();
    vi.advanceTimersByTime(1_000);
    const before = p.sent.reduce((n, s) => n + s.bytes, 0);
    vi.setSystemTime(Date.now() + 2_000); // the clock moves, no timer fires: a blocked event loop
    vi.advanceTimersByTime(100); // the first tick after the stall
    const burst = p.sent.reduce((n, s) => n + s.bytes, 0) - before;
    expect(burst).toBeLessThanOrEqual(0.5 * BPS);
    expect(burst).toBeGreaterThan(0.2 * BPS);
  });

  it('ticks that come a little late (as real timers do) send one chunk each, and the last short piece waits until the clock owes it', () => {
    const p = paced();
    // 1.05 s: ten whole chunks and a 50 ms tail.
    p.pacer.push(Buffer.alloc(Math.round(1.05 * BPS)));
    p.pacer.end();
    // Every timer fires 3 ms late: the clock then owes a few bytes more than a chunk.
    const late = setTimeout;
    vi.spyOn(globalThis, 'setInterval').mockImplementation(((fn: () => void, ms: number) => {
      const again = () => late(() => { fn(); again(); }, ms + 3);
      return again();
    }) as typeof setInterval);
    p.pacer.start();
    vi.advanceTimersByTime(2000);
    const starts = p.sent.map((s) => s.t);
    // One chunk per tick: never two at the same moment.
    expect(new Set(starts).size).toBe(starts.length);
    expect(p.sent.at(-1)!.bytes).toBe(Math.round(0.05 * BPS));
    // The tail covers 1,000–1,050 ms and leaves once the clock owes it: a tick after 1,000 ms.
    expect(p.sent.at(-1)!.t).toBeGreaterThanOrEqual(1000);
    expect(p.ended()).toBeGreaterThanOrEqual(1000);
    p.pacer.stop();
    vi.restoreAllMocks();
  });
});
