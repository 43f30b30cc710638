/** When a backend's health is checked: the health-check machine with fake timers, as its own actor and as the orchestrator's child. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { healthCheckMachine, healthRetryMs } from '../../machines/healthCheck.ts';
import { providePickle } from '../../machines/orchestrator.ts';
import { orchestratorChildren } from '../../src/children.ts';
import { fakeLlm } from './fakeLlm.ts';
import { persona } from './fixtures.ts';

const input = { retryIntervalMs: 1_000, maxRetryIntervalMs: 8_000, checkIntervalMs: 30_000 };

function started() {
  const actor = createActor(healthCheckMachine, { input });
  const checks: number[] = [];
  let now = 0;
  actor.on('health.check', () => checks.push(now));
  actor.start();
  const advance = (ms: number) => {
    now += ms;
    vi.advanceTimersByTime(ms);
  };
  return { actor, checks, advance };
}

describe('health-check machine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('nothing before start; a check at once, then every checkIntervalMs while checks pass', () => {
    const h = started();
    h.advance(60_000);
    expect(h.checks).toEqual([]);
    h.actor.send({ type: 'health.start' });
    expect(h.checks).toEqual([60_000]);
    h.actor.send({ type: 'health.passed' });
    h.advance(29_999);
    expect(h.checks).toHaveLength(1);
    h.advance(1);
    expect(h.checks).toEqual([60_000, 90_000]);
  });

  it('failing checks back off 1, 2, 4, 8, 8 s; one pass returns to the check interval', () => {
    const h = started();
    h.actor.send({ type: 'health.start' });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = h.checks.length;
      h.actor.send({ type: 'health.failed' });
      let waited = 0;
      while (h.checks.length === before) {
        h.advance(100);
        waited += 100;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    h.actor.send({ type: 'health.passed' });
    h.advance(29_900);
    const n = h.checks.length;
    h.advance(100);
    expect(h.checks.length).toBe(n + 1);
    // After the pass the back-off starts from the shortest pause again.
    h.actor.send({ type: 'health.failed' });
    h.advance(1_000);
    expect(h.checks.length).toBe(n + 2);
  });

  it('a suspicious reply failure asks for a check after the shortest pause, not the full interval', () => {
    const h = started();
    h.actor.send({ type: 'health.start' });
    h.actor.send({ type: 'health.passed' });
    h.advance(5_000);
    h.actor.send({ type: 'health.suspect' });
    h.advance(999);
    expect(h.checks).toHaveLength(1);
    h.advance(1);
    expect(h.checks).toEqual([0, 6_000]);
  });

  it('one check at a time: a suspicion during a check waits for its outcome; a second start changes nothing', () => {
    const h = started();
    h.actor.send({ type: 'health.start' });
    h.actor.send({ type: 'health.suspect' });
    h.actor.send({ type: 'health.start' });
    h.advance(60_000);
    expect(h.checks).toEqual([0]);
    expect(h.actor.getSnapshot().value).toBe('checking');
  });

  it('stop ends the waits; a later start checks at once and backs off from the start', () => {
    const h = started();
    h.actor.send({ type: 'health.start' });
    h.actor.send({ type: 'health.failed' });
    h.actor.send({ type: 'health.stop' });
    h.advance(60_000);
    expect(h.checks).toEqual([0]);
    h.actor.send({ type: 'health.start' });
    h.actor.send({ type: 'health.failed' });
    h.advance(1_000);
    expect(h.checks).toEqual([0, 60_000, 61_000]);
  });

  it('the pause arithmetic', () => {
    expect([1, 2, 3, 4, 5, 9].map((f) => healthRetryMs(f, input))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it("runs as the orchestrator's child healthCheck:llm, where the inspector sees it", () => {
    const actor = createActor(providePickle({ generateReply: fakeLlm().logic }), {
      input: { chat: { persona, ignoreBots: [] }, brain: { persona, blocklist: [], random: () => 0.99 } },
    });
    actor.start();
    const child = orchestratorChildren(actor).start({ src: 'healthCheck', systemId: 'healthCheck:llm', input });
    expect(actor.system.get('healthCheck:llm')).toBe(child);
    const checks: number[] = [];
    child.on('health.check', () => checks.push(1));
    child.send({ type: 'health.start' });
    child.send({ type: 'health.failed' });
    vi.advanceTimersByTime(1_000);
    expect(checks).toHaveLength(2);
    actor.stop();
  });
});
