import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { arrivalsMachine, type ArrivalsEmitted, type ArrivalsInput } from '../../machines/arrivals.ts';

/** Is what should come coming? With fake timers: the deadlines are the machine's. */
describe('arrivals', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const start = (input: ArrivalsInput) => {
    const actor = createActor(arrivalsMachine, { input }).start();
    const out: ArrivalsEmitted[] = [];
    actor.on('*', (e) => out.push(e));
    return { actor, out, send: (type: 'arrivals.watch' | 'arrivals.arrived' | 'arrivals.unwatch') => actor.send({ type }) };
  };

  it('nothing arrives after watch: stalled once at the first deadline, never before', () => {
    const t = start({ firstMs: 10_000, gapMs: 5000 });
    t.send('arrivals.watch');
    vi.advanceTimersByTime(9999);
    expect(t.out).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(t.out).toEqual([{ type: 'arrivals.stalled', arrivedBefore: false, afterMs: 10_000 }]);
    vi.advanceTimersByTime(60_000);
    expect(t.out).toHaveLength(1);
  });

  it('arrivals keep it flowing; a gap longer than gapMs stalls it; the next arrival is news', () => {
    const t = start({ firstMs: 10_000, gapMs: 5000 });
    t.send('arrivals.watch');
    vi.advanceTimersByTime(3000);
    t.send('arrivals.arrived');
    expect(t.out).toEqual([{ type: 'arrivals.flowing' }]);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(4000);
      t.send('arrivals.arrived');
    }
    expect(t.out).toHaveLength(1);
    vi.advanceTimersByTime(5000);
    expect(t.out.at(-1)).toEqual({ type: 'arrivals.stalled', arrivedBefore: true, afterMs: 5000 });
    t.send('arrivals.arrived');
    expect(t.out.at(-1)).toEqual({ type: 'arrivals.flowing' });
  });

  it('without gapMs one arrival settles it; unwatch stops every deadline; watch starts over', () => {
    const t = start({ firstMs: 30_000 });
    t.send('arrivals.watch');
    t.send('arrivals.arrived');
    vi.advanceTimersByTime(120_000);
    expect(t.out).toEqual([{ type: 'arrivals.flowing' }]);
    t.send('arrivals.watch');
    t.send('arrivals.unwatch');
    vi.advanceTimersByTime(120_000);
    expect(t.out).toHaveLength(1);
    t.send('arrivals.watch');
    vi.advanceTimersByTime(30_000);
    expect(t.out.at(-1)).toEqual({ type: 'arrivals.stalled', arrivedBefore: false, afterMs: 30_000 });
  });
});
