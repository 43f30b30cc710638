import { describe, expect, it } from 'vitest';
import { AddressLimits } from '../../machines/connectionLimits.ts';

/** The allowance per address, on a clock the test moves. */
describe('connection limits per address', () => {
  const at = () => {
    let now = 0;
    const limits = new AddressLimits(() => now, { connect: { burst: 3, perSec: 2 }, refused: { burst: 2, perSec: 1 } });
    return { limits, advance: (ms: number) => (now += ms) };
  };

  it('the burst is allowed, the next attempt is refused, and the allowance refills at its rate', () => {
    const { limits, advance } = at();
    expect([1, 2, 3, 4].map(() => limits.spend('connect', 'a'))).toEqual([true, true, true, false]);
    expect(limits.exhausted('connect', 'a')).toBe(true);
    advance(499);
    expect(limits.spend('connect', 'a')).toBe(false);
    advance(1);
    // 2 per second: after 0.5 s (the refused attempt spent nothing) one more.
    expect(limits.spend('connect', 'a')).toBe(true);
    expect(limits.spend('connect', 'a')).toBe(false);
    advance(10_000);
    // Never more than the burst, however long it waited.
    expect([1, 2, 3, 4].map(() => limits.spend('connect', 'a'))).toEqual([true, true, true, false]);
  });

  it('each address and each kind has its own allowance; asking spends nothing', () => {
    const { limits } = at();
    expect(limits.exhausted('refused', 'a')).toBe(false);
    expect([1, 2, 3].map(() => limits.spend('refused', 'a'))).toEqual([true, true, false]);
    expect(limits.spend('refused', 'b')).toBe(true);
    expect(limits.spend('connect', 'a')).toBe(true);
    expect(limits.exhausted('refused', 'b')).toBe(false);
    expect(limits.exhausted('refused', 'b')).toBe(false);
  });

  it('many addresses: memory stays bounded and a limited address is still limited', () => {
    const { limits } = at();
    limits.spend('refused', 'x');
    limits.spend('refused', 'x');
    expect(limits.exhausted('refused', 'x')).toBe(true);
    for (let i = 0; i < 20_000; i++) limits.spend('connect', `10.0.${i >> 8}.${i & 255}`);
    expect(limits.exhausted('refused', 'x')).toBe(true);
  });
});
