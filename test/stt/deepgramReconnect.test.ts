/**
 * Deepgram live's wiring to the reconnect machine, on fake timers with a fake connection: each
 * failure's class decides what happens next (the machine's own figures: test/machines/reconnect.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { StatusBoard } from '../../src/status.ts';
import { createDeepgramLive, type LiveClientLike } from '../../src/stt/deepgram.ts';

type Handler = (payload: unknown) => void;

function fakeConnections() {
  const opened: Array<LiveClientLike & { emit(ev: string, payload?: unknown): void }> = [];
  const openClient = () => {
    const handlers = new Map<string, Handler[]>();
    const c = {
      on: (ev: string, fn: Handler) => handlers.set(ev, [...(handlers.get(ev) ?? []), fn]),
      emit: (ev: string, payload?: unknown) => handlers.get(ev)?.forEach((fn) => fn(payload)),
      send: () => {},
      keepAlive: () => {},
      finalize: () => {},
      requestClose: () => {},
      disconnect: () => {},
      isConnected: () => true,
    };
    opened.push(c);
    return c;
  };
  return { opened, openClient };
}

describe('Deepgram live reconnects as the reconnect machine decides', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function live(over: { random?: () => number } = {}) {
    const f = fakeConnections();
    const status = new StatusBoard();
    const l = createDeepgramLive({
      key: 'k',
      log: silentLogger(),
      status,
      onEvent: () => {},
      openClient: f.openClient,
      backoff: { baseMs: 500, maxMs: 30_000 },
      connectTimeoutMs: 10_000,
      random: over.random ?? (() => 1),
    });
    return { ...f, status, l };
  }

  it('a dropped stream (1006) is retried after the base delay', () => {
    const t = live();
    t.l.start();
    t.opened[0]!.emit('open');
    t.opened[0]!.emit('close', { code: 1006, reason: '' });
    expect(t.l.stats().state).toBe('waiting');
    expect(t.status.get('stt')?.detail).toMatch(/reconnecting in 0\.5 s/);
    vi.advanceTimersByTime(499);
    expect(t.opened).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(t.opened).toHaveLength(2);
  });

  it('429 waits from 5 s, not from the base delay', () => {
    const t = live();
    t.l.start();
    t.opened[0]!.emit('error', { statusCode: 429, message: 'Unexpected server response: 429' });
    t.opened[0]!.emit('close', { code: 1006, reason: '' });
    expect(t.l.stats().lastError?.failureClass).toBe('rate-limited');
    vi.advanceTimersByTime(4_999);
    expect(t.opened).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(t.opened).toHaveLength(2);
  });

  it('401 stops: down with the fix, nothing retried', () => {
    const t = live();
    t.l.start();
    t.opened[0]!.emit('error', { statusCode: 401, message: 'Unexpected server response: 401' });
    t.opened[0]!.emit('close', { code: 1006, reason: '' });
    expect(t.l.stats().state).toBe('failed');
    expect(t.status.get('stt')).toMatchObject({ state: 'down', fix: expect.stringMatching(/DEEPGRAM_API_KEY/) });
    vi.advanceTimersByTime(10 * 60_000);
    expect(t.opened).toHaveLength(1);
  });

  it('no answer within the connect timeout: dropped and tried again', () => {
    const t = live();
    t.l.start();
    vi.advanceTimersByTime(9_999);
    expect(t.opened).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(t.l.stats()).toMatchObject({ state: 'waiting', lastError: expect.objectContaining({ kind: 'network' }) });
    vi.advanceTimersByTime(500);
    expect(t.opened).toHaveLength(2);
    t.opened[0]!.emit('open'); // the first attempt answers late: ignored
    expect(t.l.stats().opens).toBe(0);
  });

  it('stop during the wait: no reconnect', async () => {
    const t = live();
    t.l.start();
    t.opened[0]!.emit('close', { code: 1006, reason: '' });
    await t.l.stop();
    vi.advanceTimersByTime(60_000);
    expect(t.opened).toHaveLength(1);
    expect(t.l.stats().state).toBe('stopped');
  });
});
