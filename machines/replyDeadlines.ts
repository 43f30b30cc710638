import { assertEvent, enqueueActions, setup } from 'xstate';

/**
 * How long the LLM gets for a reply: `firstTokenTimeoutMs` from the request to its first token
 * (a model still loading, a server busy with another request), `timeoutMs` from the request to
 * its last. One machine for every reply the backend streams, each by the adapter's key; the
 * deadlines are delays on this machine's clock. The adapter (src/llm/replyRun.ts) reports a
 * reply requested, its first token and its end, and stops the request when this emits
 * `reply.overdue`.
 */

export interface ReplyDeadlinesInput {
  timeoutMs: number;
  firstTokenTimeoutMs: number;
}

export type ReplyDeadlinesEvent =
  | { type: 'request.started'; key: string }
  | { type: 'request.answering'; key: string }
  | { type: 'request.ended'; key: string }
  | { type: 'deadline.passed'; key: string; which: 'first-token' | 'whole' };

export type ReplyDeadlinesEmitted = { type: 'reply.overdue'; key: string; which: 'first-token' | 'whole' };

interface ReplyDeadlinesContext extends ReplyDeadlinesInput {
  /** Replies under way, by key. */
  running: string[];
}

const timerId = (which: 'first-token' | 'whole', key: string) => `${which}:${key}`;

export const replyDeadlinesMachine = setup({
  types: {
    context: {} as ReplyDeadlinesContext,
    events: {} as ReplyDeadlinesEvent,
    input: {} as ReplyDeadlinesInput,
    emitted: {} as ReplyDeadlinesEmitted,
  },
  delays: {
    firstToken: ({ context }) => context.firstTokenTimeoutMs,
    whole: ({ context }) => context.timeoutMs,
  },
  actions: {
    begin: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'request.started');
      const { key } = event;
      enqueue.assign({ running: [...context.running.filter((k) => k !== key), key] });
      enqueue.raise({ type: 'deadline.passed', key, which: 'first-token' }, { id: timerId('first-token', key), delay: 'firstToken' });
      enqueue.raise({ type: 'deadline.passed', key, which: 'whole' }, { id: timerId('whole', key), delay: 'whole' });
    }),
    answering: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'request.answering');
      enqueue.cancel(timerId('first-token', event.key));
    }),
    finish: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'request.ended');
      enqueue.cancel(timerId('first-token', event.key));
      enqueue.cancel(timerId('whole', event.key));
      enqueue.assign({ running: context.running.filter((k) => k !== event.key) });
    }),
    overdue: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'deadline.passed');
      if (!context.running.includes(event.key)) return;
      enqueue.cancel(timerId(event.which === 'whole' ? 'first-token' : 'whole', event.key));
      enqueue.assign({ running: context.running.filter((k) => k !== event.key) });
      enqueue.emit({ type: 'reply.overdue', key: event.key, which: event.which });
    }),
  },
}).createMachine({
  id: 'replyDeadlines',
  context: ({ input }) => ({ ...input, running: [] }),
  on: {
    'request.started': { actions: 'begin' },
    'request.answering': { actions: 'answering' },
    'request.ended': { actions: 'finish' },
    'deadline.passed': { actions: 'overdue' },
  },
});
