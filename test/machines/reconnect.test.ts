import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { reconnectDelayMs, reconnectMachine, type ReconnectEmitted, type ReconnectInput } from '../../machines/reconnect.ts';

function run(input: Partial<ReconnectInput> = {}) {
  const actor = createActor(reconnectMachine, { input: { baseMs: 1000, maxMs: 8000, connectTimeoutMs: 5000, ...input } });
  const out: ReconnectEmitted[] = [];
  actor.on('*', (e) => out.push(e));
  actor.start();
  const of = <T extends ReconnectEmitted['type']>(type: T) => out.filter((e): e is Extract<ReconnectEmitted, { type: T }> => e.type === type);
  const lost = (failure: 'auth' | 'rate-limited' | 'retryable' | 'fatal', jitter = 1, reason = 'dropped') =>
    actor.send({ type: 'connection.lost', failure, reason, jitter });
  return {
    actor,
    out,
    of,
    lost,
    opens: () => of('connection.open').length,
    retries: () => of('connection.retrying').map((e) => e.retryInMs),
    state: () => actor.getSnapshot().value,
  };
}

describe('reconnect: when to open a connection, how long to wait, when to stop', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('opens on start only; failures in a row double the wait up to the cap, and it opens exactly then', () => {
    const m = run();
    expect(m.opens()).toBe(0);
    m.actor.send({ type: 'connection.start' });
    expect(m.of('connection.open')).toEqual([{ type: 'connection.open', attempt: 0 }]);
    for (let i = 0; i < 6; i++) {
      m.lost('retryable');
      expect(m.state()).toBe('waiting');
      const wait = m.retries().at(-1)!;
      vi.advanceTimersByTime(wait - 1);
      expect(m.opens()).toBe(i + 1);
      vi.advanceTimersByTime(1);
      expect(m.opens()).toBe(i + 2);
      expect(m.state()).toBe('connecting');
    }
    expect(m.retries()).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(m.of('connection.open').map((e) => e.attempt)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('jitter comes with the event: half the delay is fixed, never more than the cap', () => {
    const m = run();
    m.actor.send({ type: 'connection.start' });
    m.lost('retryable', 0);
    vi.advanceTimersByTime(500);
    m.lost('retryable', 0.5);
    vi.advanceTimersByTime(1500);
    m.lost('retryable', 7); // out of range: clamped
    expect(m.retries()).toEqual([500, 1500, 4000]);
    expect(reconnectDelayMs(1_000, { baseMs: 1000, maxMs: 30_000 }, 1)).toBe(30_000);
    expect(reconnectDelayMs(10, { baseMs: 1000, maxMs: 30_000 }, 0)).toBe(15_000);
  });

  it('connected for the stable time: the next failure waits the base delay again; dropped sooner: it keeps doubling', () => {
    const m = run({ stableMs: 10_000 });
    m.actor.send({ type: 'connection.start' });
    m.lost('retryable');
    vi.advanceTimersByTime(1000);
    m.actor.send({ type: 'connection.opened' });
    vi.advanceTimersByTime(9_999);
    m.lost('retryable'); // accepted and dropped before it was stable
    expect(m.retries()).toEqual([1000, 2000]);
    vi.advanceTimersByTime(2000);
    m.actor.send({ type: 'connection.opened' });
    vi.advanceTimersByTime(10_000);
    m.lost('retryable');
    expect(m.retries()).toEqual([1000, 2000, 1000]);
  });

  it('auth: stops at once and says so; nothing is retried until a new start', () => {
    const m = run();
    m.actor.send({ type: 'connection.start' });
    m.actor.send({ type: 'connection.lost', failure: 'auth', reason: 'HTTP 401', jitter: 0.5, fix: 'set the key' });
    expect(m.state()).toBe('failed');
    expect(m.of('connection.failed')).toEqual([{ type: 'connection.failed', failure: 'auth', reason: 'HTTP 401', fix: 'set the key', renewed: false }]);
    vi.advanceTimersByTime(10 * 60_000);
    expect(m.opens()).toBe(1);
    expect(m.retries()).toEqual([]);
    m.actor.send({ type: 'connection.start' });
    expect(m.of('connection.open').at(-1)).toEqual({ type: 'connection.open', attempt: 0 });
  });

  it('fatal: stops like auth, and is never renewed', () => {
    const m = run({ renewals: 1 });
    m.actor.send({ type: 'connection.start' });
    m.lost('fatal', 0.5, 'Invalid NICK');
    expect(m.state()).toBe('failed');
    expect(m.of('connection.renew')).toEqual([]);
    expect(m.of('connection.failed')[0]).toMatchObject({ failure: 'fatal', reason: 'Invalid NICK' });
  });

  it('auth with a renewal left: renew, connect again; refused again: failed, saying it was renewed', () => {
    const m = run({ renewals: 1 });
    m.actor.send({ type: 'connection.start' });
    m.lost('auth', 0.5, 'Login authentication failed');
    expect(m.state()).toBe('renewing');
    expect(m.of('connection.renew')).toHaveLength(1);
    m.actor.send({ type: 'credentials.renewed' });
    expect(m.opens()).toBe(2);
    m.lost('auth', 0.5, 'Login authentication failed');
    expect(m.state()).toBe('failed');
    expect(m.of('connection.failed')[0]).toMatchObject({ failure: 'auth', renewed: true });
    expect(m.of('connection.renew')).toHaveLength(1);
  });

  it('a renewal that fails for a passing reason waits and may renew again; a refused renewal fails', () => {
    const m = run({ renewals: 1 });
    m.actor.send({ type: 'connection.start' });
    m.lost('auth');
    m.lost('retryable', 1, 'id.twitch.tv answered 503');
    expect(m.state()).toBe('waiting');
    vi.advanceTimersByTime(1000);
    m.lost('auth');
    expect(m.state()).toBe('renewing');
    m.lost('auth', 1, 'Invalid refresh token');
    expect(m.state()).toBe('failed');
    expect(m.of('connection.failed')[0]).toMatchObject({ reason: 'Invalid refresh token', renewed: false });
  });

  it('rate-limited: waits from the longer base', () => {
    const m = run({ rateLimitedBaseMs: 5000, maxMs: 30_000 });
    m.actor.send({ type: 'connection.start' });
    m.lost('rate-limited');
    vi.advanceTimersByTime(5000);
    m.lost('rate-limited');
    vi.advanceTimersByTime(10_000);
    m.lost('retryable');
    expect(m.retries()).toEqual([5000, 10_000, 4000]);
    expect(m.of('connection.retrying')[0]).toMatchObject({ failure: 'rate-limited', cause: 'lost' });
  });

  it('no answer within the connect timeout counts as a retryable failure', () => {
    const m = run({ connectTimeoutMs: 5000 });
    m.actor.send({ type: 'connection.start' });
    vi.advanceTimersByTime(4999);
    expect(m.state()).toBe('connecting');
    vi.advanceTimersByTime(1);
    expect(m.state()).toBe('waiting');
    expect(m.of('connection.retrying')).toEqual([
      { type: 'connection.retrying', failure: 'retryable', cause: 'timeout', reason: 'no answer within 5000 ms', attempt: 1, retryInMs: 750 },
    ]);
    vi.advanceTimersByTime(750);
    m.actor.send({ type: 'connection.opened' });
    vi.advanceTimersByTime(60_000);
    expect(m.state()).toBe('connected'); // no timeout once connected
  });

  it('stop during a wait drops the retry; a start afterwards begins afresh', () => {
    const m = run();
    m.actor.send({ type: 'connection.start' });
    m.lost('retryable');
    m.lost('retryable'); // a second report of the same loss is ignored while waiting
    expect(m.retries()).toEqual([1000]);
    m.actor.send({ type: 'connection.stop' });
    vi.advanceTimersByTime(120_000);
    expect(m.opens()).toBe(1);
    expect(m.state()).toBe('stopped');
    m.actor.send({ type: 'connection.start' });
    expect(m.of('connection.open').at(-1)).toEqual({ type: 'connection.open', attempt: 0 });
    m.lost('retryable');
    expect(m.retries().at(-1)).toBe(1000);
  });

  it('a server-requested restart reconnects at once without counting a failure', () => {
    const m = run();
    m.actor.send({ type: 'connection.start' });
    m.lost('retryable');
    vi.advanceTimersByTime(1000);
    m.actor.send({ type: 'connection.opened' });
    m.actor.send({ type: 'connection.restart' });
    expect(m.state()).toBe('connecting');
    expect(m.of('connection.open').at(-1)).toEqual({ type: 'connection.open', attempt: 0 });
    expect(m.retries()).toEqual([1000]);
  });

  it('gives up after maxAttempts failures in a row', () => {
    const m = run({ maxAttempts: 3 });
    m.actor.send({ type: 'connection.start' });
    m.lost('retryable');
    vi.advanceTimersByTime(1000);
    m.lost('retryable');
    vi.advanceTimersByTime(2000);
    m.lost('retryable', 1, 'refused');
    expect(m.state()).toBe('givenUp');
    expect(m.of('connection.givenUp')).toEqual([{ type: 'connection.givenUp', failure: 'retryable', reason: 'refused', attempts: 3 }]);
    vi.advanceTimersByTime(60_000);
    expect(m.opens()).toBe(3);
  });
});
