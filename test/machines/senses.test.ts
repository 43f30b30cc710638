import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { harness } from './harness.ts';
import type { ChatMessage } from '../../machines/events.ts';
import { privacyRequest, remembersSenses, sensesMachine, type SensesEmitted } from '../../machines/senses.ts';

const message: ChatMessage = { platform: 'twitch', id: 'm1', user: 'modsam', displayName: 'ModSam', text: '!privacy', role: 'moderator', ts: 1 };
const privacy = (...args: string[]) => ({ type: 'chat.command' as const, command: 'privacy' as const, args, message });

/** Under a recording parent, as in Pickle: each change is emitted (for the adapter) and sent to the orchestrator (for the brain). */
function run(input = { ears: true, eyes: true }) {
  const h = harness(sensesMachine, input);
  const changes: SensesEmitted[] = [];
  h.child().on('senses.changed', (e: SensesEmitted) => changes.push(e));
  const actor = { send: h.send };
  return {
    actor,
    get changes() {
      expect(h.of('senses.changed')).toEqual(changes);
      return changes;
    },
    ctx: () => h.snapshot().context,
  };
}

describe('senses: ears and eyes on or off', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('!privacy turns both off, !privacy off both on; each change is announced once', () => {
    const s = run();
    s.actor.send(privacy());
    expect(s.changes).toEqual([{ type: 'senses.changed', ears: false, eyes: false }]);
    s.actor.send(privacy('on'));
    expect(s.changes).toHaveLength(1);
    s.actor.send(privacy('off'));
    expect(s.changes).toEqual([
      { type: 'senses.changed', ears: false, eyes: false },
      { type: 'senses.changed', ears: true, eyes: true },
    ]);
  });

  it('an unknown !privacy argument and other commands change nothing', () => {
    const s = run();
    s.actor.send(privacy('maybe'));
    s.actor.send({ ...privacy(), command: 'skip' });
    expect(s.changes).toEqual([]);
    expect(privacyRequest(['maybe'])).toBeUndefined();
    expect(privacyRequest(['OFF'])).toEqual({ ears: true, eyes: true });
  });

  it('the panel / API set one sense at a time; the same value again is no change', () => {
    const s = run({ ears: false, eyes: true });
    s.actor.send({ type: 'senses.set', ears: false, eyes: true });
    expect(s.changes).toEqual([]);
    s.actor.send({ type: 'senses.set', eyes: false });
    expect(s.changes).toEqual([{ type: 'senses.changed', ears: false, eyes: false }]);
    s.actor.send({ type: 'senses.set', ears: true });
    expect(s.changes.at(-1)).toEqual({ type: 'senses.changed', ears: true, eyes: false });
  });

  it('nothing heard or seen is remembered while that sense is off or Pickle is muted', () => {
    const s = run();
    expect(remembersSenses(s.ctx(), 'ears')).toBe(true);
    expect(remembersSenses(s.ctx(), 'eyes')).toBe(true);
    s.actor.send({ type: 'brain.state', state: 'idle', muted: true });
    expect(remembersSenses(s.ctx(), 'ears')).toBe(false);
    expect(remembersSenses(s.ctx(), 'eyes')).toBe(false);
    s.actor.send({ type: 'brain.state', state: 'idle', muted: false });
    s.actor.send({ type: 'senses.set', eyes: false });
    expect(remembersSenses(s.ctx(), 'ears')).toBe(true);
    expect(remembersSenses(s.ctx(), 'eyes')).toBe(false);
  });
});
