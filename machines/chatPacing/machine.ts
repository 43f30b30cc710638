import { assertEvent, assign, enqueueActions, setup } from 'xstate';
import { EMPTY_PACING, enqueue, nextSend, type ChatSendLimits, type Enqueued, type Pacing } from './pacing.ts';

/**
 * When the bot's lines go out in a chat: queued, cleaned, deduplicated, and paced inside the
 * platform's send limits (pacing.ts), only while the channel is joined. The adapter reports the
 * facts (a line asked for, joined, left, the bot's badge) with the time it saw them, and sends
 * what this emits (`line.send`).
 */

export type ChatPacingEvent =
  /** `inReplyTo`: the platform's id of the message the line answers (threaded where the platform can). */
  | { type: 'line.requested'; text: string; ts: number; inReplyTo?: string | undefined }
  | { type: 'channel.joined'; ts: number }
  /** No connection to write with: the queue waits for the next join. */
  | { type: 'channel.left' }
  /** Moderator, VIP or broadcaster: the larger bucket and no gap between lines. */
  | { type: 'sender.privileged'; privileged: boolean; ts: number }
  /** Nothing will be written any more (read-only, stopped): the queue is dropped. */
  | { type: 'lines.cleared' };

export type ChatPacingEmitted =
  | { type: 'line.send'; text: string; inReplyTo?: string }
  | { type: 'line.refused'; reason: Extract<Enqueued, { ok: false }>['reason'] }
  /** The queue was full: its oldest line was dropped for this one. */
  | { type: 'line.droppedOldest' };

export interface ChatPacingInput {
  limits: ChatSendLimits;
}

interface ChatPacingContext {
  limits: ChatSendLimits;
  pacing: Pacing;
  /** The latest time known: from the facts' `ts`, and advanced by the waits this machine sat out. */
  clock: number;
  /** The wait before the next line may go (0: none), and the time it ends. */
  waitMs: number;
  waitUntil: number;
}

const tickTo = (context: ChatPacingContext, ts: number) => Math.max(context.clock, ts);

export const chatPacingMachine = setup({
  types: {
    context: {} as ChatPacingContext,
    events: {} as ChatPacingEvent,
    input: {} as ChatPacingInput,
    emitted: {} as ChatPacingEmitted,
  },
  delays: { nextSlot: ({ context }) => context.waitMs },
  guards: {
    mustWait: ({ context }) => context.waitMs > 0,
    /** Twitch repeats the badge with every delivered line: only a change is news. */
    privilegeChanged: ({ context, event }) => event.type === 'sender.privileged' && event.privileged !== context.pacing.privileged,
  },
  actions: {
    tick: assign({
      clock: ({ context, event }) => ('ts' in event ? tickTo(context, event.ts) : context.clock),
    }),
    queueLine: enqueueActions(({ context, event, enqueue: q }) => {
      assertEvent(event, 'line.requested');
      const clock = tickTo(context, event.ts);
      const { pacing, result } = enqueue(context.pacing, context.limits, event.text, clock, event.inReplyTo);
      q.assign({ pacing, clock });
      if (!result.ok) q.emit({ type: 'line.refused', reason: result.reason });
      else if (result.droppedOldest) q.emit({ type: 'line.droppedOldest' });
    }),
    setPrivileged: assign(({ context, event }) => {
      assertEvent(event, 'sender.privileged');
      return { pacing: { ...context.pacing, privileged: event.privileged }, clock: tickTo(context, event.ts) };
    }),
    /** The wait is over: the clock has moved on to its end. */
    waited: assign({ clock: ({ context }) => Math.max(context.clock, context.waitUntil), waitMs: 0 }),
    /** Sends every line that may go now, and notes how long the next one must wait. */
    sendDue: enqueueActions(({ context, enqueue: q }) => {
      let pacing = context.pacing;
      for (;;) {
        const step = nextSend(pacing, context.limits, context.clock);
        pacing = step.pacing;
        if (step.next === null) {
          q.assign({ pacing, waitMs: 0 });
          return;
        }
        if ('waitMs' in step.next) {
          q.assign({ pacing, waitMs: step.next.waitMs, waitUntil: context.clock + step.next.waitMs });
          return;
        }
        q.emit({ type: 'line.send', text: step.next.text, ...(step.next.inReplyTo ? { inReplyTo: step.next.inReplyTo } : {}) });
      }
    }),
    clearQueue: assign({ pacing: ({ context }) => ({ ...context.pacing, queue: [] }), waitMs: 0 }),
  },
}).createMachine({
  id: 'chatPacing',
  context: ({ input }) => ({ limits: input.limits, pacing: EMPTY_PACING, clock: 0, waitMs: 0, waitUntil: 0 }),
  initial: 'offline',
  on: {
    'lines.cleared': { target: '.offline', actions: 'clearQueue' },
  },
  states: {
    /** Not joined: lines wait in the queue. */
    offline: {
      on: {
        'line.requested': { actions: 'queueLine' },
        'sender.privileged': { guard: 'privilegeChanged', actions: 'setPrivileged' },
        'channel.joined': { target: 'sending', actions: 'tick' },
      },
    },
    sending: {
      entry: 'sendDue',
      always: { guard: 'mustWait', target: 'waiting' },
      on: {
        'line.requested': { target: 'sending', reenter: true, actions: 'queueLine' },
        'sender.privileged': { guard: 'privilegeChanged', target: 'sending', reenter: true, actions: 'setPrivileged' },
        'channel.joined': { actions: 'tick' },
        'channel.left': 'offline',
      },
    },
    /** A line waits for its slot; new lines join the queue behind it. */
    waiting: {
      after: { nextSlot: { target: 'sending', actions: 'waited' } },
      on: {
        'line.requested': { actions: 'queueLine' },
        // A new badge may lift the wait: look again.
        'sender.privileged': { guard: 'privilegeChanged', target: 'sending', actions: 'setPrivileged' },
        'channel.joined': { actions: 'tick' },
        'channel.left': { target: 'offline', actions: assign({ waitMs: 0 }) },
      },
    },
  },
});
