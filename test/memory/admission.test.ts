import { describe, expect, it } from 'vitest';
import { ChatAdmission } from '../../machines/memory/admission.ts';

describe('chat admission to long-term memory', () => {
  it('caps each viewer per minute, facts at half cost', () => {
    let t = 0;
    const a = new ChatAdmission({ perViewerPerMinute: 3, perSecond: 100, now: () => t });
    expect([1, 2, 3, 4].map(() => a.admit('sam', false))).toEqual([true, true, true, false]);
    expect(a.admit('kim', true) && a.admit('kim', true) && a.admit('kim', true) && a.admit('kim', true)).toBe(true);
    t = 60_000;
    expect(a.admit('sam', false)).toBe(true);
    expect(a.skipped).toBe(1);
  });

  it('caps all chat per second under a flood of different viewers, and recovers', () => {
    let t = 0;
    const a = new ChatAdmission({ perViewerPerMinute: 6, perSecond: 10, now: () => t });
    let admitted = 0;
    for (let i = 0; i < 2000; i++) admitted += a.admit(`viewer${i}`, false) ? 1 : 0;
    expect(admitted).toBe(20); // the burst
    t = 1000;
    for (let i = 0; i < 2000; i++) admitted += a.admit(`other${i}`, false) ? 1 : 0;
    expect(admitted).toBe(30);
    expect(a.skipped).toBe(3970);
  });
});
