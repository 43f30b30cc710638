import { assertEvent, assign, enqueueActions, sendParent, setup, type ActorRefFrom } from 'xstate';
import type { BrainOutEvent, ChatMessage, Redemption } from './events.ts';

/**
 * Settling channel-point questions: a redemption is FULFILLED once the reply that answers it (the
 * `reply.start` whose `triggerId` is the redemption's message id) has been spoken, and CANCELED
 * (the viewer's points come back) when that reply failed or was blocked, when the brain decided
 * not to answer it, or when nothing answered it within `answerTimeoutMs`. Each redemption is one
 * child actor, so each has its own timer; the parent routes events and emits `redemption.settle`.
 */

export type RedemptionStatus = 'FULFILLED' | 'CANCELED';

export interface RedemptionSettle {
  type: 'redemption.settle';
  redemptionId: string;
  rewardId: string;
  status: RedemptionStatus;
  /** Why, for the log. */
  why: 'spoken' | 'failed' | 'not-answered' | 'timeout';
}

export type RedemptionsEvent =
  | { type: 'chat.message'; message: ChatMessage }
  | Extract<BrainOutEvent, { type: 'reply.start' | 'reply.spoken' | 'reply.failed' | 'brain.decision' }>;

export const ANSWER_TIMEOUT_MS = 120_000;

/** Whether a redeemed reward is the one Pickle answers (its title, whatever the case and spacing). */
export const isAnsweredReward = (redeemedTitle: string, rewardTitle: string): boolean =>
  redeemedTitle.trim().replace(/\s+/g, ' ').toLowerCase() === rewardTitle.trim().replace(/\s+/g, ' ').toLowerCase();

interface OneInput {
  messageId: string;
  redemption: Redemption;
  answerTimeoutMs: number;
}

interface OneContext extends OneInput {
  replyId: string | undefined;
}

type Settled = { type: 'redemption.settled'; messageId: string; settle: RedemptionSettle };

const oneRedemption = setup({
  types: { context: {} as OneContext, events: {} as RedemptionsEvent, input: {} as OneInput },
  delays: { answerTimeout: ({ context }) => context.answerTimeoutMs },
  guards: {
    answersThis: ({ context, event }) => {
      assertEvent(event, 'reply.start');
      return event.triggerId === context.messageId;
    },
    isThisReply: ({ context, event }) => {
      assertEvent(event, ['reply.spoken', 'reply.failed']);
      return event.replyId === context.replyId;
    },
    declinedThis: ({ context, event }) => {
      assertEvent(event, 'brain.decision');
      return !event.decision.respond && event.decision.triggerId === context.messageId;
    },
  },
  actions: {
    takeReply: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'reply.start');
      enqueue.assign({ replyId: event.replyId });
    }),
    settle: sendParent(({ context }, p: { status: RedemptionStatus; why: RedemptionSettle['why'] }): Settled => ({
      type: 'redemption.settled',
      messageId: context.messageId,
      settle: { type: 'redemption.settle', redemptionId: context.redemption.id, rewardId: context.redemption.rewardId, status: p.status, why: p.why },
    })),
  },
}).createMachine({
  id: 'redemption',
  context: ({ input }) => ({ ...input, replyId: undefined }),
  initial: 'waiting',
  states: {
    waiting: {
      on: {
        'reply.start': { guard: 'answersThis', target: 'answering', actions: 'takeReply' },
        'brain.decision': { guard: 'declinedThis', target: 'settled', actions: { type: 'settle', params: { status: 'CANCELED', why: 'not-answered' } } },
      },
      after: { answerTimeout: { target: 'settled', actions: { type: 'settle', params: { status: 'CANCELED', why: 'timeout' } } } },
    },
    answering: {
      on: {
        'reply.spoken': { guard: 'isThisReply', target: 'settled', actions: { type: 'settle', params: { status: 'FULFILLED', why: 'spoken' } } },
        'reply.failed': { guard: 'isThisReply', target: 'settled', actions: { type: 'settle', params: { status: 'CANCELED', why: 'failed' } } },
      },
    },
    settled: { type: 'final' },
  },
});

export interface RedemptionsInput {
  answerTimeoutMs?: number;
}

interface RedemptionsContext {
  answerTimeoutMs: number;
  open: Record<string, ActorRefFrom<typeof oneRedemption>>;
}

export const redemptionsMachine = setup({
  types: {
    context: {} as RedemptionsContext,
    events: {} as RedemptionsEvent | Settled,
    input: {} as RedemptionsInput,
    emitted: {} as RedemptionSettle,
  },
  actors: { oneRedemption },
  actions: {
    track: assign(({ context, event, spawn }) => {
      assertEvent(event, 'chat.message');
      const { id, redemption } = event.message;
      if (!redemption || context.open[id]) return {};
      const ref = spawn('oneRedemption', { id: `redemption-${id}`, input: { messageId: id, redemption, answerTimeoutMs: context.answerTimeoutMs } });
      return { open: { ...context.open, [id]: ref } };
    }),
    route: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['reply.start', 'reply.spoken', 'reply.failed', 'brain.decision']);
      for (const ref of Object.values(context.open)) enqueue.sendTo(ref, event);
    }),
    finish: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'redemption.settled');
      enqueue.emit(event.settle);
      enqueue.stopChild(`redemption-${event.messageId}`);
      enqueue.assign({ open: Object.fromEntries(Object.entries(context.open).filter(([id]) => id !== event.messageId)) });
    }),
  },
}).createMachine({
  id: 'redemptions',
  context: ({ input }) => ({ answerTimeoutMs: input.answerTimeoutMs ?? ANSWER_TIMEOUT_MS, open: {} }),
  on: {
    'chat.message': { actions: 'track' },
    'reply.start': { actions: 'route' },
    'reply.spoken': { actions: 'route' },
    'reply.failed': { actions: 'route' },
    'brain.decision': { actions: 'route' },
    'redemption.settled': { actions: 'finish' },
  },
});
