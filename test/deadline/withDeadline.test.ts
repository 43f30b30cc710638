import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withDeadline } from '../../src/deadline.ts';

describe('withDeadline', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("settles as the promise does, and leaves no timer behind", async () => {
    await expect(withDeadline(Promise.resolve(7), 1000, () => new Error('late'))).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('refused')), 1000, () => new Error('late'))).rejects.toThrow('refused');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fails with its own error at the deadline, not before; a late answer changes nothing', async () => {
    let answer: (v: string) => void = () => {};
    const slow = new Promise<string>((r) => (answer = r));
    const outcome = withDeadline(slow, 1000, () => new Error('no answer in 1 s')).then(
      (v) => `resolved ${v}`,
      (e: Error) => e.message,
    );
    await vi.advanceTimersByTimeAsync(999);
    let settled: string | undefined;
    void outcome.then((o) => (settled = o));
    await Promise.resolve();
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBe('no answer in 1 s');
    answer('late');
    expect(await outcome).toBe('no answer in 1 s');
  });

  it('an abort ends the wait with the abort error, at once or already aborted; the listener goes', async () => {
    const ctrl = new AbortController();
    const never = new Promise<number>(() => {});
    const waiting = withDeadline(never, 60_000, () => new Error('late'), { signal: ctrl.signal, onAbort: () => new Error('stopped') });
    ctrl.abort();
    await expect(waiting).rejects.toThrow('stopped');
    expect(vi.getTimerCount()).toBe(0);
    await expect(withDeadline(never, 60_000, () => new Error('late'), { signal: ctrl.signal })).rejects.toThrow('aborted');

    const kept = new AbortController();
    const remove = vi.spyOn(kept.signal, 'removeEventListener');
    await withDeadline(Promise.resolve(1), 1000, () => new Error('late'), { signal: kept.signal });
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
  });
});
