import { assertEvent, assign, enqueueActions, type ActorRefFrom } from 'xstate';
import type { BrainOutEvent } from './events.ts';
import { estimateTokens } from './brain/budget.ts';
import { RECALL_BUDGET_MS, recallInputOf } from './brain/recall.ts';
import { brainInputs } from './brain/inputActions.ts';
import { blocklistAsList, initModeration } from './brain/moderation.ts';

export type { GenerateReplyInput } from './services.ts';
export type { BrainContext, BrainEvent, BrainInput, Phase, Reply, Trigger } from './brain/types.ts';
export { REPLY_WATCHDOG_MS } from './brain/types.ts';

/**
 * The brain: idle → replying (recalling → thinking → speaking) → cooldown → idle.
 * It stores every input in short-term memory, decides whether to answer (gating, the addressed
 * queue), asks the LLM actor for a reply, passes each sentence through the output guard on its
 * way to the voice, and remembers only what was actually spoken. Its setup (types, services,
 * timers, guards) is brain/setup.ts; its actions are brain/replyActions.ts and brain/inputActions.ts.
 */

/** Cutting a reply before any audio (while recalling or thinking): nothing was heard, nothing is stored. */
const cutBeforeAudio = {
  'control.skip': {
    actions: ['stopVoice', { type: 'failReply', params: { reason: 'skipped', detail: 'skipped before any audio' } }],
    target: '#brain.cooldown',
  },
  'chat.command': [
    {
      guard: 'isSkip',
      actions: ['stopVoice', { type: 'failReply', params: { reason: 'skipped', detail: 'skipped by a moderator before any audio' } }],
      target: '#brain.cooldown',
    },
    { actions: 'command' },
  ],
  'brain.mute': {
    actions: ['mute', 'stopVoice', { type: 'failReply', params: { reason: 'muted', detail: 'muted' } }],
    target: '#brain.idle',
  },
} as const;

export const brainMachine = brainInputs.createMachine({
  id: 'brain',
  context: ({ input }) => ({
    phase: 'idle',
    persona: input.persona,
    random: input.random,
    bargeIn: input.bargeIn ?? true,
    recallBudgetMs: input.recallBudgetMs ?? RECALL_BUDGET_MS,
    promptBudget: input.promptBudget,
    countTokens: input.countTokens ?? estimateTokens,
    muted: false,
    mutedByScene: undefined,
    stm: [],
    pending: undefined,
    reply: undefined,
    replies: 0,
    cutByStreamer: false,
    queue: [],
    queued: 0,
    answered: {},
    breathing: false,
    chatLog: [],
    digestSummary: undefined,
    recappedAt: undefined,
    digestDue: false,
    summarising: false,
    senses: { ears: true, eyes: true },
    remarked: false,
    lastTs: 0,
    moderation: initModeration(input.persona, input.wordLists ?? [blocklistAsList(input.blocklist)], input.baitingRule),
  }),
  initial: 'idle',
  entry: 'armQuiet',
  on: {
    'addressed.expire': { actions: 'expireEntry' },
    'brain.breathed': { actions: assign({ breathing: false }) },
    'brain.quiet': [{ guard: 'mayRemark', actions: 'remarkIdle' }, { guard: 'stillQuiet', actions: 'armQuiet' }],
    'digest.publish': { actions: ['publishDigest', 'summariseWhenDue'] },
    'digest.summarised': { actions: 'takeSummary' },
    'digest.failed': { actions: 'takeSummary' },
    'senses.changed': {
      actions: assign({
        senses: ({ event }) => {
          assertEvent(event, 'senses.changed');
          return { ears: event.ears, eyes: event.eyes };
        },
      }),
    },
    'chat.removed': { actions: 'forgetRemoved' },
    'viewer.forget': { actions: 'forgetViewer' },
    'moderation.unblock': { actions: 'unblockViewer' },
    'moderation.lists': { actions: 'updateLists' },
    'chat.command': { actions: 'command' },
    'brain.mute': { actions: ['mute', 'announceMute'] },
    'brain.unmute': { actions: ['unmute', 'announceMute'] },
    'scene.live': { actions: 'followScene' },
    // A new idle_after starts the quiet period over; other settings leave it running.
    'settings.changed': [{ guard: 'idleAfterChanged', actions: ['updatePersona', 'armQuiet'] }, { actions: 'updatePersona' }],
    'context.budget': { actions: assign({ promptBudget: ({ context, event }) => (event.type === 'context.budget' ? event.promptTokens : context.promptBudget) }) },
  },
  states: {
    idle: {
      entry: [{ type: 'announceState', params: { state: 'idle' } }, 'summariseWhenDue'],
      always: { guard: 'hasPending', target: 'replying' },
      on: {
        'chat.batch': { actions: ['store', 'decideNow'] },
        'speech.final': { actions: ['store', 'decideNow'] },
        'chat.event': { actions: ['store', 'decideNow'] },
        'vision.batch': { actions: ['store', 'decideNow'] },
      },
    },
    replying: {
      // The LLM actor lives from here until the text is complete or the reply is cut
      // (stopping it aborts the request); it outlives `thinking` because speech starts mid-stream.
      entry: 'startReply',
      exit: 'stopLlm',
      on: {
        'chat.batch': { actions: ['store', { type: 'decideLater', params: { why: 'busy' } }] },
        'speech.final': { actions: ['store', { type: 'decideLater', params: { why: 'busy' } }] },
        'chat.event': { actions: ['store', { type: 'decideLater', params: { why: 'busy' } }] },
        'vision.batch': { actions: ['store', { type: 'decideLater', params: { why: 'busy' } }] },
        'llm.firstToken': { actions: 'passFirstToken' },
        'llm.emotion': { actions: 'setEmotion' },
        'llm.sentence': { actions: 'passSentence' },
        'llm.judged': { actions: 'judgedSentence' },
        'chat.removed': [
          {
            guard: 'removesReply',
            actions: [
              'forgetRemoved',
              'stopVoice',
              { type: 'failReply', params: { reason: 'moderated', detail: 'a moderator removed the message this reply answered' } },
            ],
            target: 'idle',
          },
          { actions: 'forgetRemoved' },
        ],
      },
      initial: 'recalling',
      states: {
        // Long-term memory gets a short budget; past it the reply goes on without (the LLM starts after).
        recalling: {
          entry: { type: 'announceState', params: { state: 'thinking' } },
          invoke: {
            src: 'recallMemories',
            input: ({ context }) => recallInputOf(context.reply!.trigger, context.stm, context.persona.id, context.reply!.trigger.ts),
          },
          always: { guard: 'outranked', actions: ['stopVoice', 'yieldReply'], target: '#brain.replying', reenter: true },
          after: { recallBudget: { actions: 'composePrompt', target: 'thinking' } },
          on: {
            'memory.recalled': { actions: 'composePrompt', target: 'thinking' },
            ...cutBeforeAudio,
          },
        },
        thinking: {
          entry: 'spawnLlm',
          always: { guard: 'outranked', actions: ['stopVoice', 'yieldReply'], target: '#brain.replying', reenter: true },
          after: {
            replyWatchdog: {
              actions: ['stopVoice', { type: 'failReply', params: { reason: 'failed', detail: 'no reply from the LLM in time' } }],
              target: '#brain.idle',
            },
          },
          on: {
            'voice.sentenceStarted': { guard: 'isMine', target: 'speaking' },
            'llm.done': [{ guard: 'nothingSpoken', actions: 'failEmpty', target: '#brain.idle' }, { actions: 'finishText' }],
            'llm.error': [
              { guard: 'retryAfterError', actions: 'keepForRetry', target: '#brain.retryWait' },
              {
                guard: 'nothingSpoken',
                actions: enqueueActions(({ context, event, enqueue }) => {
                  if (event.type !== 'llm.error' || !context.reply) return;
                  enqueue.sendParent({ type: 'reply.failed', replyId: context.reply.id, reason: 'failed', detail: event.error.message } satisfies BrainOutEvent);
                  enqueue.assign({ reply: undefined });
                }),
                target: '#brain.idle',
              },
              { actions: 'finishText' },
            ],
            ...cutBeforeAudio,
          },
        },
        speaking: {
          entry: { type: 'announceState', params: { state: 'speaking' } },
          on: {
            'llm.done': { actions: 'finishText' },
            'llm.error': { actions: 'finishText' },
            'voice.done': { guard: 'isMine', actions: 'storeSpoken', target: '#brain.cooldown' },
            // Cutting a reply: stop the LLM and flush the voice; the voice answers with
            // voice.done telling what was actually heard, which is all that is remembered.
            'control.skip': { actions: ['finishText', 'stopVoice'], target: 'stopping' },
            'chat.command': [{ guard: 'isSkip', actions: ['finishText', 'stopVoice'], target: 'stopping' }, { actions: 'command' }],
            'brain.mute': { actions: ['mute', 'announceMute', 'finishText', 'stopVoice'], target: 'stopping' },
            'speech.started': {
              guard: 'bargesIn',
              actions: ['finishText', 'stopVoice', assign({ cutByStreamer: true })],
              target: 'stopping',
            },
          },
        },
        stopping: {
          on: {
            // Cut by the streamer talking: they are answered as soon as their words are in, no cooldown.
            'voice.done': [
              { guard: 'cutByStreamer', actions: ['storeSpoken', assign({ cutByStreamer: false })], target: '#brain.idle' },
              { guard: 'isMine', actions: 'storeSpoken', target: '#brain.cooldown' },
            ],
          },
          after: { replyWatchdog: { actions: assign({ reply: undefined }), target: '#brain.cooldown' } },
        },
      },
    },
    // The LLM failed a mention before a word: a short pause (not the whole cooldown), then the kept
    // trigger (or a newer mention that came meanwhile) is tried again.
    retryWait: {
      after: { llmRetry: { target: 'idle' } },
      on: {
        'chat.batch': { actions: ['store', { type: 'decideLater', params: { why: 'busy' } }] },
        'speech.final': { actions: ['store', { type: 'decideLater', params: { why: 'busy' } }] },
        'chat.event': { actions: ['store', { type: 'decideLater', params: { why: 'busy' } }] },
        'vision.batch': { actions: ['store', { type: 'decideLater', params: { why: 'busy' } }] },
      },
    },
    cooldown: {
      // The cooldown holds back only unaddressed replies: the queue is answered after a breath.
      entry: [{ type: 'announceState', params: { state: 'cooldown' } }, 'startBreath'],
      always: { guard: 'queuedAfterBreath', target: 'replying' },
      after: { cooldown: { target: 'idle' } },
      on: {
        'chat.batch': { actions: ['store', { type: 'decideLater', params: { why: 'cooldown' } }] },
        'speech.final': { actions: ['store', { type: 'decideLater', params: { why: 'cooldown' } }] },
        'chat.event': { actions: ['store', { type: 'decideLater', params: { why: 'cooldown' } }] },
        'vision.batch': { actions: ['store', { type: 'decideLater', params: { why: 'cooldown' } }] },
      },
    },
  },
});

export type BrainActor = ActorRefFrom<typeof brainMachine>;
