import { describe, expect, it } from 'vitest';
import { ChatRateLimiter, prepareChatText, type ChatRateLimits } from '../../src/twitch/rateLimiter.ts';

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** Drains the limiter like the adapter's pump, advancing the fake clock by each wait; returns send times. */
function drain(limiter: ChatRateLimiter, clock: ReturnType<typeof fakeClock>, maxSteps = 10_000): number[] {
  const times: number[] = [];
  for (let i = 0; i < maxSteps; i++) {
    const r = limiter.poll();
    if (r === null) return times;
    if ('waitMs' in r) clock.advance(r.waitMs);
    else times.push(clock.now());
  }
  throw new Error('limiter never drained');
}

const small: Partial<ChatRateLimits> = {
  windowMs: 30_000,
  normalLimit: 20,
  privilegedLimit: 100,
  minIntervalMs: 1_100,
  safetyMs: 1_000,
  maxQueue: 1_000,
};

describe('prepareChatText', () => {
  it.each<[string, string, number, string, boolean]>([
    ['plain', 'hello chat', 499, 'hello chat', false],
    ['CR/LF cannot inject IRC lines', 'hi\r\nPRIVMSG #other :spam', 499, 'hi PRIVMSG #other :spam', false],
    ['slash command is defused', '/ban someone', 499, 'ban someone', false],
    ['dot command is defused', '.timeout x 10', 499, 'timeout x 10', false],
    ['backslash command is defused', '\\me waves', 499, 'me waves', false],
    ['ellipsis start is kept', '...well', 499, '...well', false],
    ['CTCP ACTION marker removed', '\u0001ACTION dances\u0001', 499, 'ACTION dances', false],
    ['whitespace collapsed', '  a   b\tc  ', 499, 'a b c', false],
    ['cut on a word boundary', 'one two three four', 12, 'one two…', true],
    ['single long word cut hard', 'abcdefghijklmnop', 10, 'abcdefghi…', true],
    ['emoji never split', '😀😀😀😀😀😀', 6, '😀😀…', true],
  ])('%s', (_n, input, max, text, truncated) => {
    const r = prepareChatText(input, max);
    expect(r).toEqual({ text, truncated });
    expect(r.text.length).toBeLessThanOrEqual(max);
  });

  it('keeps a 600-character reply under tmi.js\'s 500-unit split', () => {
    const long = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    const r = prepareChatText(long, 499);
    expect(r.truncated).toBe(true);
    expect(r.text.length).toBeLessThan(500);
    expect(r.text.endsWith('…')).toBe(true);
    expect(long.startsWith(r.text.slice(0, -1))).toBe(true);
  });
});

describe('ChatRateLimiter', () => {
  it.each<[string, boolean, number, (times: number[]) => void]>([
    [
      'non-mod: 1.1 s apart, never more than 20 in any 31 s',
      false,
      45,
      (times) => {
        for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1_100);
        for (let i = 20; i < times.length; i++) expect(times[i]! - times[i - 20]!).toBeGreaterThanOrEqual(31_000);
      },
    ],
    [
      'mod: no gap, 100 at once, the 101st waits for the window',
      true,
      150,
      (times) => {
        expect(times.slice(0, 100).every((t) => t === times[0])).toBe(true);
        expect(times[100]! - times[0]!).toBeGreaterThanOrEqual(31_000);
      },
    ],
  ])('%s', (_n, privileged, count, check) => {
    const clock = fakeClock();
    const l = new ChatRateLimiter(small, clock.now);
    l.setPrivileged(privileged);
    for (let i = 0; i < count; i++) expect(l.enqueue(`message number ${i}`).ok).toBe(true);
    const times = drain(l, clock);
    expect(times).toHaveLength(count);
    check(times);
    expect(l.stats.sent).toBe(count);
  });

  it('rejects an identical message within the duplicate window, accepts it after', () => {
    const clock = fakeClock();
    const l = new ChatRateLimiter({ ...small, duplicateWindowMs: 30_000 }, clock.now);
    expect(l.enqueue('same thing').ok).toBe(true);
    expect(l.enqueue('same  thing ')).toEqual({ ok: false, reason: 'duplicate' }); // queued copy
    drain(l, clock);
    clock.advance(29_000);
    expect(l.enqueue('same thing')).toEqual({ ok: false, reason: 'duplicate' }); // sent copy
    clock.advance(1_001);
    expect(l.enqueue('same thing').ok).toBe(true);
    expect(l.stats.rejectedDuplicate).toBe(2);
  });

  it('bounded queue drops the oldest and counts it', () => {
    const clock = fakeClock();
    const l = new ChatRateLimiter({ ...small, maxQueue: 3 }, clock.now);
    const results = ['a1', 'b2', 'c3', 'd4', 'e5'].map((t) => l.enqueue(t));
    expect(results.map((r) => r.ok && r.droppedOldest)).toEqual([false, false, false, true, true]);
    expect(l.pending).toBe(3);
    expect(l.stats.droppedOverflow).toBe(2);
    const sent: string[] = [];
    for (let r = l.poll(); r !== null; r = l.poll()) {
      if ('waitMs' in r) clock.advance(r.waitMs);
      else sent.push(r.text);
    }
    expect(sent).toEqual(['c3', 'd4', 'e5']);
  });

  it('empty text is refused', () => {
    const l = new ChatRateLimiter(small, () => 0);
    expect(l.enqueue('   \n ')).toEqual({ ok: false, reason: 'empty' });
    expect(l.poll()).toBeNull();
  });

  it('becoming a mod mid-way lifts the per-message gap', () => {
    const clock = fakeClock();
    const l = new ChatRateLimiter(small, clock.now);
    l.enqueue('one');
    l.enqueue('two');
    expect(l.poll()).toEqual({ text: 'one' });
    expect(l.poll()).toEqual({ waitMs: 1_100 });
    l.setPrivileged(true);
    expect(l.poll()).toEqual({ text: 'two' });
  });

  it('long text is truncated and counted', () => {
    const l = new ChatRateLimiter({ ...small, maxChars: 20 }, () => 0);
    const r = l.enqueue('this is a rather long reply that goes on');
    expect(r).toMatchObject({ ok: true, truncated: true, text: 'this is a rather…' });
    expect(l.stats.truncated).toBe(1);
  });
});
