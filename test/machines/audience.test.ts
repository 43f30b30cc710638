import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { audienceMachine, type AudienceEmitted } from '../../machines/audience.ts';

function run() {
  const actor = createActor(audienceMachine);
  const changes: AudienceEmitted[] = [];
  actor.on('audience.changed', (e) => changes.push(e));
  actor.start();
  return { actor, changes, state: () => actor.getSnapshot().value };
}

describe('audience: does anybody hear Pickle?', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('claims nothing before the first reply, even with no page', () => {
    const a = run();
    a.actor.send({ type: 'audience.pages', playing: 0 });
    vi.advanceTimersByTime(60_000);
    expect(a.state()).toBe('unknown');
    expect(a.changes).toEqual([]);
  });

  it('a reply spoken with no page playing: unheard; a page playing again: heard', () => {
    const a = run();
    a.actor.send({ type: 'reply.spoken', replyId: 'r', text: 'hi', emotion: 'happy', ts: 0 });
    expect(a.state()).toBe('unheard');
    expect(a.changes).toEqual([{ type: 'audience.changed', heard: false, pages: 0 }]);
    a.actor.send({ type: 'reply.spoken', replyId: 'r', text: 'hi', emotion: 'happy', ts: 0 });
    expect(a.changes).toHaveLength(1);
    a.actor.send({ type: 'audience.pages', playing: 1 });
    expect(a.state()).toBe('heard');
    expect(a.changes.at(-1)).toEqual({ type: 'audience.changed', heard: true, pages: 1 });
  });

  it('a page that stops playing is noticed at the next reply, not before', () => {
    const a = run();
    a.actor.send({ type: 'audience.pages', playing: 2 });
    a.actor.send({ type: 'reply.spoken', replyId: 'r', text: 'hi', emotion: 'happy', ts: 0 });
    expect(a.state()).toBe('heard');
    expect(a.changes).toEqual([{ type: 'audience.changed', heard: true, pages: 2 }]);
    a.actor.send({ type: 'audience.pages', playing: 0 });
    expect(a.state()).toBe('heard');
    expect(a.changes).toHaveLength(1);
    a.actor.send({ type: 'reply.spoken', replyId: 'r', text: 'hi', emotion: 'happy', ts: 0 });
    expect(a.changes.at(-1)).toEqual({ type: 'audience.changed', heard: false, pages: 0 });
  });
});
