import { setup } from 'xstate';
import type { LlmEvent, RecallEvent } from '../events.ts';
import { type RecallInput } from './recall.ts';
import { removesTrigger } from './stm.ts';
import { ENTRY_TTL_MS, peek } from './addressed.ts';
import { type SummariseEvent, type SummariseInput } from './digest.ts';
import { BREATH_MS, DIGEST_PUBLISH_MS } from './conversation.ts';
import { missingService, service, type GenerateReplyInput } from '../services.ts';

import { LLM_RETRY_WAIT_MS, retryAfterLlmError } from './retry.ts';
import { REPLY_WATCHDOG_MS, type BrainContext, type BrainEvent, type BrainInput } from './types.ts';

/** The brain's setup: its types, the services it invokes, its timers and its guards. Actions are added in replyActions.ts and inputActions.ts. */
export const brainSetup = setup({
  types: {
    context: {} as BrainContext,
    events: {} as BrainEvent,
    input: {} as BrainInput,
  },
  actors: {
    // Provided from src/ (the LLM adapter). It streams llm.* events back and aborts on stop.
    generateReply: missingService<GenerateReplyInput, LlmEvent>('brain.generateReply'),
    // Provided from src/ (long-term memory): sends back memory.recalled once. Without it, no LTM.
    recallMemories: service<RecallInput, RecallEvent>(({ sendBack }) => {
      sendBack({ type: 'memory.recalled', memories: [] });
    }),
    // Provided from src/ (the LLM): summarises chat for the digest. Without it, the plain digest only.
    // Without a summariser the digest stays plain: nothing is ever sent back.
    summariseChat: service<SummariseInput, SummariseEvent>(() => undefined),
  },
  delays: {
    cooldown: ({ context }) => Math.round(context.persona.cooldownSec * 1000),
    replyWatchdog: REPLY_WATCHDOG_MS,
    llmRetry: LLM_RETRY_WAIT_MS,
    recallBudget: ({ context }) => context.recallBudgetMs,
    entryTtl: ENTRY_TTL_MS,
    breath: BREATH_MS,
    digestEvery: DIGEST_PUBLISH_MS,
    idleAfter: ({ context }) => Math.round(context.persona.idleAfterSec * 1000),
  },
  guards: {
    isMine: ({ context, event }) => 'replyId' in event && event.replyId === context.reply?.id,
    hasPending: ({ context }) => (context.pending !== undefined || context.queue.length > 0) && !context.muted,
    queuedAfterBreath: ({ context }) => !context.breathing && context.queue.length > 0 && !context.muted,
    /** The queue holds an input that ranks above the reply being prepared. */
    outranked: ({ context }) => context.reply !== undefined && (peek(context.queue)?.rank ?? -Infinity) > context.reply.trigger.rank,
    mayRemark: ({ context }) =>
      context.phase === 'idle' &&
      !context.muted &&
      context.senses.ears &&
      context.senses.eyes &&
      !context.remarked &&
      context.pending === undefined &&
      context.queue.length === 0 &&
      context.persona.idleAfterSec > 0,
    stillQuiet: ({ context }) => !context.remarked,
    idleAfterChanged: ({ context, event }) => event.type === 'settings.changed' && event.persona.idleAfterSec !== context.persona.idleAfterSec,
    isSkip: ({ event }) => event.type === 'control.skip' || (event.type === 'chat.command' && event.command === 'skip'),
    bargesIn: ({ context }) => context.bargeIn,
    cutByStreamer: ({ context, event }) => context.cutByStreamer && 'replyId' in event && event.replyId === context.reply?.id,
    removesReply: ({ context, event }) => {
      if (event.type !== 'chat.removed' || !context.reply) return false;
      return removesTrigger(context.reply.trigger, event);
    },
    nothingSpoken: ({ context }) => (context.reply?.sentences.filter(Boolean).length ?? 0) === 0,
    retryAfterError: ({ context, event }) =>
      event.type === 'llm.error' && (context.reply?.sentences.length ?? 0) === 0 && !!context.reply && !context.pending && retryAfterLlmError(context.reply.trigger, event.error) !== undefined,
  },
});
