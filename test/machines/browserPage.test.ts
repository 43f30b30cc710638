import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { PAGE_JITTER, pageReconnectInput } from '../../machines/browserPage.ts';
import { reconnectMachine, type ReconnectEmitted } from '../../machines/reconnect.ts';

/** A page's life on the reconnect machine, with the page's settings (as src/browser/pageHost.ts runs it). */
function run() {
  const actor = createActor(reconnectMachine, { input: pageReconnectInput({ baseMs: 1000, maxMs: 4000, stableMs: 60_000, openTimeoutMs: 70_000 }) });
  const out: ReconnectEmitted[] = [];
  actor.on('*', (e) => out.push(e));
  actor.start();
  const opens = () => out.filter((e) => e.type === 'connection.open').length;
  const retries = () => out.filter((e): e is Extract<ReconnectEmitted, { type: 'connection.retrying' }> => e.type === 'connection.retrying').map((e) => e.retryInMs);
  const failed = (reason: string) => actor.send({ type: 'connection.lost', failure: 'retryable', reason, jitter: PAGE_JITTER });
  return { actor, out, opens, retries, failed, state: () => actor.getSnapshot().value };
}

describe('a browser page: when to open it in the hidden browser, and when to try again', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('opens on start; failures in a row wait 1 s, 2 s, 4 s, then stay at the cap', () => {
    const m = run();
    expect(m.opens()).toBe(0);
    m.actor.send({ type: 'connection.start' });
    expect(m.opens()).toBe(1);
    for (let i = 0; i < 4; i++) {
      m.failed('the browser did not start');
      const wait = m.retries().at(-1)!;
      vi.advanceTimersByTime(wait - 1);
      expect(m.opens()).toBe(i + 1);
      vi.advanceTimersByTime(1);
      expect(m.opens()).toBe(i + 2);
    }
    expect(m.retries()).toEqual([1000, 2000, 4000, 4000]);
    expect(m.out.find((e) => e.type === 'connection.retrying')).toMatchObject({ failure: 'retryable', cause: 'lost', reason: 'the browser did not start' });
  });

  it('up for the stable time: the next crash waits the base delay again', () => {
    const m = run();
    m.actor.send({ type: 'connection.start' });
    m.failed('x');
    vi.advanceTimersByTime(1000);
    m.actor.send({ type: 'connection.opened' });
    m.failed('the browser closed unexpectedly');
    expect(m.retries()).toEqual([1000, 2000]);
    vi.advanceTimersByTime(2000);
    m.actor.send({ type: 'connection.opened' });
    vi.advanceTimersByTime(60_000);
    m.failed('the browser closed unexpectedly');
    expect(m.retries()).toEqual([1000, 2000, 1000]);
  });

  it('stop drops a pending retry; start again begins afresh', () => {
    const m = run();
    m.actor.send({ type: 'connection.start' });
    m.failed('x');
    m.actor.send({ type: 'connection.stop' });
    vi.advanceTimersByTime(120_000);
    expect(m.opens()).toBe(1);
    expect(m.state()).toBe('stopped');
    m.actor.send({ type: 'connection.start' });
    expect(m.opens()).toBe(2);
    m.failed('x');
    expect(m.retries().at(-1)).toBe(1000);
  });

  it('a page that neither opens nor fails within the open timeout is tried again', () => {
    const m = run();
    m.actor.send({ type: 'connection.start' });
    vi.advanceTimersByTime(70_000);
    expect(m.out.at(-1)).toMatchObject({ type: 'connection.retrying', cause: 'timeout' });
    vi.advanceTimersByTime(1000);
    expect(m.opens()).toBe(2);
  });
});
