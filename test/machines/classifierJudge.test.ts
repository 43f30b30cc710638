import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import { classifierJudgeMachine, type ClassifierAnswer } from '../../machines/moderation/classifierJudge.ts';

/** The classifier's policy: only a toxic answer blocks; an error or a slow answer lets the sentence through, said so. */
function judge(classify: () => Promise<ClassifierAnswer>, timeoutMs = 3000) {
  const actor = createActor(classifierJudgeMachine.provide({ actors: { classify: fromPromise(classify) } }), { input: { text: 'a sentence', timeoutMs } });
  actor.start();
  return actor;
}

describe('classifier judge', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a toxic answer flags the sentence; a clean one passes it', async () => {
    const toxic = judge(() => Promise.resolve({ toxic: true, label: 'S10 hate' }));
    const clean = judge(() => Promise.resolve({ toxic: false, label: 'safe' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(toxic.getSnapshot().output).toEqual({ flagged: true, outcome: 'toxic', label: 'S10 hate' });
    expect(clean.getSnapshot().output).toEqual({ flagged: false, outcome: 'clean', label: 'safe' });
  });

  it('fails open on an error: the sentence passed the list layers, a classifier outage does not silence every reply', async () => {
    const actor = judge(() => Promise.reject(new Error('ECONNREFUSED')));
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().output).toEqual({ flagged: false, outcome: 'failed', error: 'ECONNREFUSED' });
  });

  it('fails open when the classifier takes longer than its time, and not a moment before', async () => {
    const actor = judge(() => new Promise<ClassifierAnswer>(() => {}), 3000);
    await vi.advanceTimersByTimeAsync(2999);
    expect(actor.getSnapshot().status).toBe('active');
    await vi.advanceTimersByTimeAsync(1);
    expect(actor.getSnapshot().output).toEqual({ flagged: false, outcome: 'timed-out' });
  });

  it('an answer just in time counts', async () => {
    const actor = judge(() => new Promise<ClassifierAnswer>((r) => setTimeout(() => r({ toxic: true, label: 'x' }), 2999)), 3000);
    await vi.advanceTimersByTimeAsync(3000);
    expect(actor.getSnapshot().output).toMatchObject({ flagged: true, outcome: 'toxic' });
  });
});
