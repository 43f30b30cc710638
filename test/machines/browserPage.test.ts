import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { browserPageMachine, type BrowserPageEmitted } from '../../machines/browserPage.ts';

function run() {
  const actor = createActor(browserPageMachine, { input: { baseMs: 1000, maxMs: 4000, stableMs: 60_000 } });
  const out: BrowserPageEmitted[] = [];
  actor.on('*', (e) => out.push(e));
  actor.start();
  const opens = () => out.filter((e) => e.type === 'page.open').length;
  const retries = () => out.filter((e): e is Extract<BrowserPageEmitted, { type: 'page.retry' }> => e.type === 'page.retry').map((e) => e.retryInMs);
  return { actor, out, opens, retries, state: () => actor.getSnapshot().value };
}

describe('browserPage: when to open a page in the hidden browser, and when to try again', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('opens on start; failures in a row wait 1 s, 2 s, 4 s, then stay at the cap', () => {
    const m = run();
    expect(m.opens()).toBe(0);
    m.actor.send({ type: 'page.start' });
    expect(m.opens()).toBe(1);
    for (let i = 0; i < 4; i++) {
      m.actor.send({ type: 'page.failed', why: 'failed', detail: 'the browser did not start', error: 'ENOENT' });
      const wait = m.retries().at(-1)!;
      vi.advanceTimersByTime(wait - 1);
      expect(m.opens()).toBe(i + 1);
      vi.advanceTimersByTime(1);
      expect(m.opens()).toBe(i + 2);
    }
    expect(m.retries()).toEqual([1000, 2000, 4000, 4000]);
    expect(m.out.find((e) => e.type === 'page.retry')).toMatchObject({ why: 'failed', error: 'ENOENT' });
  });

  it('up for the stable time: the next crash waits the base delay again', () => {
    const m = run();
    m.actor.send({ type: 'page.start' });
    m.actor.send({ type: 'page.failed', why: 'failed', detail: 'x' });
    vi.advanceTimersByTime(1000);
    m.actor.send({ type: 'page.opened' });
    m.actor.send({ type: 'page.failed', why: 'crashed', detail: 'the browser closed unexpectedly' });
    expect(m.retries()).toEqual([1000, 2000]);
    vi.advanceTimersByTime(2000);
    m.actor.send({ type: 'page.opened' });
    vi.advanceTimersByTime(60_000);
    m.actor.send({ type: 'page.failed', why: 'crashed', detail: 'the browser closed unexpectedly' });
    expect(m.retries()).toEqual([1000, 2000, 1000]);
  });

  it('stop drops a pending retry; start again begins afresh', () => {
    const m = run();
    m.actor.send({ type: 'page.start' });
    m.actor.send({ type: 'page.failed', why: 'crashed', detail: 'x' });
    m.actor.send({ type: 'page.stop' });
    vi.advanceTimersByTime(120_000);
    expect(m.opens()).toBe(1);
    expect(m.state()).toBe('stopped');
    m.actor.send({ type: 'page.start' });
    expect(m.opens()).toBe(2);
    m.actor.send({ type: 'page.failed', why: 'failed', detail: 'x' });
    expect(m.retries().at(-1)).toBe(1000);
  });
});
