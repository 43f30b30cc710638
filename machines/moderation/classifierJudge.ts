import { assign, fromPromise, setup } from 'xstate';
import { errorText } from '../text.ts';

/**
 * One sentence before the ML classifier (pure policy; the classifier itself is I/O in
 * src/moderation): how long it may take, and what a failure means. The sentence already passed
 * the list layers, so a classifier that errs or is slow lets it through ("fails open") and says
 * so, rather than silencing every reply while it is down; only a toxic answer blocks.
 */

export interface ClassifierAnswer {
  toxic: boolean;
  label: string;
}

export interface ClassifierJudgeInput {
  text: string;
  /** The longest the classifier may take for one sentence. */
  timeoutMs: number;
}

export type ClassifierOutcome = 'toxic' | 'clean' | 'failed' | 'timed-out';

export interface ClassifierVerdict {
  /** Blocked: only when the classifier answered toxic. */
  flagged: boolean;
  outcome: ClassifierOutcome;
  label?: string;
  /** Why it failed (for the log; never the text). */
  error?: string;
}

export const classifierJudgeMachine = setup({
  types: {
    input: {} as ClassifierJudgeInput,
    context: {} as ClassifierJudgeInput & { verdict: ClassifierVerdict },
    output: {} as ClassifierVerdict,
  },
  actors: {
    // Provided from src/moderation: the loaded classifier.
    classify: fromPromise<ClassifierAnswer, { text: string }>(() => Promise.reject(new Error('classify: service not provided'))),
  },
  delays: {
    judgeTimeout: ({ context }) => context.timeoutMs,
  },
}).createMachine({
  id: 'classifierJudge',
  context: ({ input }) => ({ ...input, verdict: { flagged: false, outcome: 'failed' } }),
  initial: 'judging',
  states: {
    judging: {
      invoke: {
        src: 'classify',
        input: ({ context }) => ({ text: context.text }),
        onDone: {
          target: 'judged',
          actions: assign({
            verdict: ({ event }) => (event.output.toxic ? { flagged: true, outcome: 'toxic', label: event.output.label } : { flagged: false, outcome: 'clean', label: event.output.label }),
          }),
        },
        onError: {
          target: 'judged',
          actions: assign({
            verdict: ({ event }) => ({ flagged: false, outcome: 'failed', error: errorText(event.error) }),
          }),
        },
      },
      after: {
        judgeTimeout: {
          target: 'judged',
          actions: assign({ verdict: { flagged: false, outcome: 'timed-out' } }),
        },
      },
    },
    judged: { type: 'final' },
  },
  output: ({ context }) => context.verdict,
});
