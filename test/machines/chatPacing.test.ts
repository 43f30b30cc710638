/**
 * The bot's lines in chat: the pacing arithmetic (pure, with a fake clock) and the machine that
 * sends them while the channel is joined (fake timers).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { chatPacingMachine, type ChatPacingEmitted } from '../../machines/chatPacing/machine.ts';
import { EMPTY_PACING, enqueue, nextSend, prepareChatText, type ChatSendLimits, type Pacing } from '../../machines/chatPacing/pacing.ts';
import { TWITCH_SEND_LIMITS } from '../../src/twitch/sendLimits.ts';

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** The pacing arithmetic with its state kept, as the machine keeps it. */
function pacer(over: Partial<ChatSendLimits>, now: () => number) {
  const limits = { ...TWITCH_SEND_LIMITS, ...over };
  let p: Pacing = EMPTY_PACING;
  return {
    enqueue(text: string) {
      const r = enqueue(p, limits, text, now());
      p = r.pacing;
      return r.result;
    },
    poll() {
      const r = nextSend(p, limits, now());
      p = r.pacing;
      return r.next;
    },
    setPrivileged(on: boolean) {
      p = { ...p, privileged: on };
    },
    get pending() {
      return p.queue.length;
    },
    get stats() {
      return p.stats;
    },
  };
}
type Pacer = ReturnType<typeof pacer>;

/** Drains like the machine does, advancing the fake clock by each wait; returns send times. */
function drain(l: Pacer, clock: ReturnType<typeof fakeClock>, maxSteps = 10_000): number[] {
  const times: number[] = [];
  for (let i = 0; i < maxSteps; i++) {
    const r = l.poll();
    if (r === null) return times;
    if ('waitMs' in r) clock.advance(r.waitMs);
    else times.push(clock.now());
  }
  throw new Error('never drained');
}

const small: Partial<ChatSendLimits> = {
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

  it("keeps a 600-character reply under tmi.js's 500-unit split", () => {
    const long = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    const r = prepareChatText(long, TWITCH_SEND_LIMITS.maxChars);
    expect(r.truncated).toBe(true);
    expect(r.text.length).toBeLessThan(500);
    expect(r.text.endsWith('…')).toBe(true);
    expect(long.startsWith(r.text.slice(0, -1))).toBe(true);
  });
});

describe('pacing arithmetic', () => {
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
    const l = pacer(small, clock.now);
    l.setPrivileged(privileged);
    for (let i = 0; i < count; i++) expect(l.enqueue(`message number ${i}`).ok).toBe(true);
    const times = drain(l, clock);
    expect(times).toHaveLength(count);
    check(times);
    expect(l.stats.sent).toBe(count);
  });

  it('rejects an identical message within the duplicate window, accepts it after', () => {
    const clock = fakeClock();
    const l = pacer({ ...small, duplicateWindowMs: 30_000 }, clock.now);
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
    const l = pacer({ ...small, maxQueue: 3 }, clock.now);
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
    const l = pacer(small, () => 0);
    expect(l.enqueue('   \n ')).toEqual({ ok: false, reason: 'empty' });
    expect(l.poll()).toBeNull();
  });

  it('becoming a mod mid-way lifts the per-message gap', () => {
    const clock = fakeClock();
    const l = pacer(small, clock.now);
    l.enqueue('one');
    l.enqueue('two');
    expect(l.poll()).toEqual({ text: 'one' });
    expect(l.poll()).toEqual({ waitMs: 1_100 });
    l.setPrivileged(true);
    expect(l.poll()).toEqual({ text: 'two' });
  });

  it('long text is truncated and counted', () => {
    const l = pacer({ ...small, maxChars: 20 }, () => 0);
    const r = l.enqueue('this is a rather long reply that goes on');
    expect(r).toMatchObject({ ok: true, truncated: true, text: 'this is a rather…' });
    expect(l.stats.truncated).toBe(1);
  });
});

describe('chat pacing machine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function run(over: Partial<ChatSendLimits> = {}) {
    const actor = createActor(chatPacingMachine, { input: { limits: { ...TWITCH_SEND_LIMITS, ...small, ...over } } });
    const out: ChatPacingEmitted[] = [];
    const sentAt: { text: string; at: number }[] = [];
    actor.on('*', (e) => {
      out.push(e);
      if (e.type === 'line.send') sentAt.push({ text: e.text, at: Date.now() });
    });
    actor.start();
    const say = (text: string) => actor.send({ type: 'line.requested', text, ts: Date.now() });
    return { actor, out, sentAt, say, state: () => actor.getSnapshot().value };
  }

  it('a line keeps the message it answers through the queue and its wait', () => {
    const m = run();
    m.actor.send({ type: 'channel.joined', ts: Date.now() });
    m.actor.send({ type: 'line.requested', text: 'first', ts: Date.now(), inReplyTo: 'msg-1' });
    m.say('second, answering nothing');
    m.actor.send({ type: 'line.requested', text: 'third', ts: Date.now(), inReplyTo: 'msg-3' });
    vi.advanceTimersByTime(5_000);
    expect(m.out.filter((e) => e.type === 'line.send')).toEqual([
      { type: 'line.send', text: 'first', inReplyTo: 'msg-1' },
      { type: 'line.send', text: 'second, answering nothing' },
      { type: 'line.send', text: 'third', inReplyTo: 'msg-3' },
    ]);
  });

  it('holds lines until the channel is joined, then sends them 1.1 s apart', () => {
    const m = run();
    m.say('one');
    m.say('two');
    m.say('three');
    vi.advanceTimersByTime(10_000);
    expect(m.sentAt).toEqual([]);
    const joinedAt = Date.now();
    m.actor.send({ type: 'channel.joined', ts: joinedAt });
    expect(m.sentAt.map((s) => s.text)).toEqual(['one']);
    vi.advanceTimersByTime(1_099);
    expect(m.sentAt).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(m.sentAt.map((s) => [s.text, s.at - joinedAt])).toEqual([
      ['one', 0],
      ['two', 1_100],
    ]);
    vi.advanceTimersByTime(1_100);
    expect(m.sentAt.map((s) => s.text)).toEqual(['one', 'two', 'three']);
    expect(m.state()).toBe('sending');
  });

  it('never more than the limit in a window, however the lines arrive', () => {
    const m = run({ normalLimit: 3, windowMs: 10_000, safetyMs: 0, minIntervalMs: 100 });
    m.actor.send({ type: 'channel.joined', ts: Date.now() });
    for (let i = 0; i < 9; i++) {
      m.say(`line ${i}`);
      vi.advanceTimersByTime(50);
    }
    vi.advanceTimersByTime(60_000);
    const at = m.sentAt.map((s) => s.at);
    expect(at).toHaveLength(9);
    for (let i = 3; i < at.length; i++) expect(at[i]! - at[i - 3]!).toBeGreaterThanOrEqual(10_000);
  });

  it('a line asked for while another waits does not jump the queue or shorten the wait', () => {
    const m = run();
    m.actor.send({ type: 'channel.joined', ts: Date.now() });
    m.say('first');
    m.say('second');
    expect(m.state()).toBe('waiting');
    vi.advanceTimersByTime(500);
    m.say('third');
    vi.advanceTimersByTime(599);
    expect(m.sentAt.map((s) => s.text)).toEqual(['first']);
    vi.advanceTimersByTime(1);
    expect(m.sentAt.map((s) => s.text)).toEqual(['first', 'second']);
    vi.advanceTimersByTime(1_100);
    expect(m.sentAt.map((s) => s.text)).toEqual(['first', 'second', 'third']);
  });

  it('leaving the channel pauses the queue; a badge lifts the gap; clearing drops what waits', () => {
    const m = run();
    m.actor.send({ type: 'channel.joined', ts: Date.now() });
    m.say('a');
    m.say('b');
    m.actor.send({ type: 'channel.left' });
    vi.advanceTimersByTime(5_000);
    expect(m.sentAt.map((s) => s.text)).toEqual(['a']);
    m.actor.send({ type: 'channel.joined', ts: Date.now() });
    expect(m.sentAt.map((s) => s.text)).toEqual(['a', 'b']);

    m.say('c');
    expect(m.state()).toBe('waiting');
    m.actor.send({ type: 'sender.privileged', privileged: true, ts: Date.now() });
    expect(m.sentAt.map((s) => s.text)).toEqual(['a', 'b', 'c']);

    m.actor.send({ type: 'sender.privileged', privileged: false, ts: Date.now() });
    m.say('d');
    m.say('e');
    m.actor.send({ type: 'lines.cleared' });
    vi.advanceTimersByTime(10_000);
    m.actor.send({ type: 'channel.joined', ts: Date.now() });
    expect(m.sentAt.map((s) => s.text)).toEqual(['a', 'b', 'c']);
  });

  it('says why a line is not sent: empty, a duplicate, or the queue full', () => {
    const m = run({ maxQueue: 1 });
    m.say('  ');
    m.say('same');
    m.say('same');
    m.say('other');
    expect(m.out).toEqual([
      { type: 'line.refused', reason: 'empty' },
      { type: 'line.refused', reason: 'duplicate' },
      { type: 'line.droppedOldest' },
    ]);
    m.actor.send({ type: 'channel.joined', ts: Date.now() });
    expect(m.sentAt.map((s) => s.text)).toEqual(['other']);
  });
});
