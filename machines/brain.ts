import { assertEvent, assign, enqueueActions, fromCallback, setup, spawnChild, stopChild, type ActorRefFrom } from 'xstate';
import type {
  BrainOutEvent,
  ChatMessage,
  ChatOutEvent,
  Decision,
  DecisionReason,
  Emotion,
  InputEvent,
  InputKind,
  LlmEvent,
  PersonaRuntime,
  PromptMessage,
  RecallEvent,
  VisionOutEvent,
  VisionScene,
  VoiceOutEvent,
} from './events.ts';
import { describeStreamEvent, summariseBatch, summariseScenes, summariseSpeech } from './brain/decisions.ts';
import { gateChat, gateSpeech, gateStreamEvent, mentionMatcher, namesOf } from './brain/gating.ts';
import { guardSentence } from './brain/guard.ts';
import { buildPrompt } from './brain/prompt.ts';
import { countMessages, estimateTokens, fitPrompt } from './brain/budget.ts';
import { forget, isRemoved, remember, type StmEntry } from './brain/stm.ts';
import { dedupeMemories, RECALL_BUDGET_MS, recallInputOf, type RecallInput } from './brain/recall.ts';
import { LLM_RETRY_WAIT_MS, retryAfterLlmError } from './brain/retry.ts';

/**
 * The brain: idle → thinking → speaking → cooldown → idle.
 * It stores every input in short-term memory, decides whether to answer (gating), asks the
 * LLM actor for a reply, passes each sentence through the output guard on its way to the
 * voice, and remembers only what was actually spoken.
 */

export interface BrainInput {
  persona: PersonaRuntime;
  blocklist: readonly string[];
  /** Injected randomness for the spontaneous roll (src gives Math.random, tests a table). */
  random: () => number;
  /** Cut the reply when the streamer starts talking. */
  bargeIn?: boolean;
  /** How long a reply waits for long-term memory (default RECALL_BUDGET_MS); past it, it goes on without. */
  recallBudgetMs?: number;
  /** Token budget of a prompt (context.budget updates it); without one, prompts are not trimmed. */
  promptBudget?: number;
  /** Token counter for the budget (a real tokenizer from src/ where there is one); default estimateTokens. */
  countTokens?: (text: string) => number;
}

/** The input a reply answers. */
export interface Trigger {
  input: InputKind;
  reason: DecisionReason;
  entries: StmEntry[];
  task: string;
  triggerId?: string;
  /** Viewers and messages it is about: if the mods remove them, the reply is cancelled. */
  users: string[];
  messageIds: string[];
  ts: number;
  /** Priority when kept while busy: streamer speech > mention > stream event. */
  rank: number;
  /** Tries again after the LLM failed (brain/retry.ts). */
  retries?: number;
}

export interface Reply {
  id: string;
  trigger: Trigger;
  emotion: Emotion;
  /** Sentences that passed the guard and went to the voice. */
  sentences: string[];
  llmDone: boolean;
  /** The output guard stopped this reply. */
  blocked: boolean;
  prompt: PromptMessage[];
}

type Phase = 'idle' | 'thinking' | 'speaking' | 'cooldown';

interface BrainContext {
  phase: Phase;
  persona: PersonaRuntime;
  blocklist: readonly string[];
  random: () => number;
  bargeIn: boolean;
  recallBudgetMs: number;
  promptBudget: number | undefined;
  countTokens: (text: string) => number;
  muted: boolean;
  stm: StmEntry[];
  pending: Trigger | undefined;
  reply: Reply | undefined;
  replies: number;
  /** The streamer talked over the reply: what they say next is answered without waiting out a cooldown. */
  cutByStreamer: boolean;
}

export type BrainEvent =
  | Extract<ChatOutEvent, { type: 'chat.batch' | 'chat.command' | 'chat.event' | 'chat.removed' }>
  | Extract<
      InputEvent,
      { type: 'speech.final' | 'speech.started' | 'control.skip' | 'brain.mute' | 'brain.unmute' | 'settings.changed' }
    >
  | VisionOutEvent
  | VoiceOutEvent
  | LlmEvent
  | RecallEvent
  | Extract<InputEvent, { type: 'context.budget' }>;

export interface GenerateReplyInput {
  replyId: string;
  messages: PromptMessage[];
}

/** Seconds without any LLM progress before a reply is given up (the adapter has its own timeouts). */
export const REPLY_WATCHDOG_MS = 60_000;

const chatEntries = (messages: readonly ChatMessage[]): StmEntry[] =>
  messages.map((m) => ({
    id: m.id,
    kind: 'chat',
    user: m.user,
    displayName: m.displayName,
    text: m.repeats && m.repeats > 1 ? `${m.text} (×${m.repeats})` : m.text,
    ts: m.ts,
  }));

/** Camera scenes as STM entries: context for any reply, and now and then a reason to chime in. */
const visionEntries = (scenes: readonly VisionScene[]): StmEntry[] =>
  scenes.map((s, i) => ({ id: `vision-${s.ts}-${i}`, kind: 'vision', user: 'camera', displayName: 'camera', text: s.text, ts: s.ts }));

const VISION_TASK = 'Nobody asked you, but the camera shows something new. Chime in with one short remark about what is happening on stream, only if it adds something.';

const TASKS: Record<string, (persona: PersonaRuntime) => string> = {
  mention: (p) => `A viewer spoke to you (${p.name}). Answer them.`,
  question: () => 'A viewer asked a question. Answer it if you can, briefly.',
  spontaneous: () => 'Nobody asked you, but chime in with a short remark about the chat if it adds something.',
  streamer: () => 'The streamer is talking to you. Answer them directly.',
  event: () => 'Acknowledge this stream event warmly, in one sentence.',
};

function decision(input: InputKind, respond: boolean, reason: DecisionReason, summary: string, ts: number, triggerId?: string): Decision {
  return { input, respond, reason, summary, ts, ...(triggerId ? { triggerId } : {}) };
}

const decided = (d: Decision): BrainOutEvent => ({ type: 'brain.decision', decision: d });

/** Turns a brain event into a trigger if the gate lets it through (or it is a mention to keep). */
function toTrigger(context: BrainContext, event: BrainEvent): { trigger?: Trigger; decision: Decision; mention: boolean } | undefined {
  const p = context.persona;
  switch (event.type) {
    case 'chat.batch': {
      const gate = gateChat(event.messages, p, context.random());
      const summary = summariseBatch(event.messages);
      const ts = event.messages[event.messages.length - 1]?.ts ?? 0;
      const entries = chatEntries(event.messages);
      const trigger: Trigger | undefined = gate.trigger
        ? {
            input: 'chat',
            reason: gate.reason,
            entries,
            task: (TASKS[gate.reason] ?? TASKS.spontaneous!)(p),
            triggerId: gate.trigger.id,
            users: [gate.trigger.user],
            messageIds: [gate.trigger.id],
            ts,
            rank: 2,
          }
        : undefined;
      return {
        ...(gate.respond && trigger ? { trigger } : {}),
        decision: decision('chat', gate.respond, gate.reason, summary, ts, gate.trigger?.id),
        mention: gate.reason === 'mention',
      };
    }
    case 'speech.final': {
      const gate = gateSpeech(event.text, p, context.random());
      const entry: StmEntry = { id: `speech-${event.ts}`, kind: 'speech', user: 'streamer', displayName: 'streamer', text: event.text, ts: event.ts };
      const trigger: Trigger = {
        input: 'speech',
        reason: gate.reason,
        entries: [entry],
        task: (TASKS[gate.reason === 'mention' ? 'streamer' : gate.reason] ?? TASKS.streamer!)(p),
        users: [],
        messageIds: [],
        ts: event.ts,
        rank: 3,
      };
      return {
        ...(gate.respond ? { trigger } : {}),
        decision: decision('speech', gate.respond, gate.reason, summariseSpeech(event.text), event.ts),
        mention: gate.reason === 'mention' || gate.reason === 'streamer',
      };
    }
    case 'chat.event': {
      const gate = gateStreamEvent(event.event, p);
      const text = describeStreamEvent(event.event);
      const entry: StmEntry = { id: event.event.id, kind: 'event', user: event.event.user, displayName: event.event.displayName, text, ts: event.event.ts };
      const trigger: Trigger = {
        input: 'event',
        reason: 'event',
        entries: [entry],
        task: TASKS.event!(p),
        triggerId: event.event.id,
        users: [event.event.user],
        messageIds: [event.event.id],
        ts: event.event.ts,
        rank: 1,
      };
      return {
        ...(gate.respond ? { trigger } : {}),
        decision: decision('event', gate.respond, gate.reason, text, event.event.ts, event.event.id),
        mention: gate.respond,
      };
    }
    case 'vision.batch': {
      // The lowest priority input: a spontaneous roll when idle; never kept for later (rank 0, not a mention).
      const ts = event.scenes[event.scenes.length - 1]?.ts ?? 0;
      const respond = event.scenes.length > 0 && context.random() < p.spontaneousRate;
      const trigger: Trigger = { input: 'vision', reason: 'spontaneous', entries: visionEntries(event.scenes), task: VISION_TASK, users: [], messageIds: [], ts, rank: 0 };
      return {
        ...(respond ? { trigger } : {}),
        decision: decision('vision', respond, respond ? 'spontaneous' : 'not-addressed', summariseScenes(event.scenes), ts),
        mention: false,
      };
    }
    default:
      return undefined;
  }
}

function entriesOf(event: BrainEvent): StmEntry[] {
  if (event.type === 'chat.batch') return chatEntries(event.messages);
  if (event.type === 'speech.final')
    return [{ id: `speech-${event.ts}`, kind: 'speech', user: 'streamer', displayName: 'streamer', text: event.text, ts: event.ts }];
  if (event.type === 'chat.event')
    return [{ id: event.event.id, kind: 'event', user: event.event.user, displayName: event.event.displayName, text: describeStreamEvent(event.event), ts: event.event.ts }];
  if (event.type === 'vision.batch') return visionEntries(event.scenes);
  return [];
}

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

export const brainMachine = setup({
  types: {
    context: {} as BrainContext,
    events: {} as BrainEvent,
    input: {} as BrainInput,
  },
  actors: {
    // Provided from src/ (the LLM adapter). It streams llm.* events back and aborts on stop.
    generateReply: fromCallback<LlmEvent, GenerateReplyInput>(() => {
      throw new Error('brain: generateReply actor not provided');
    }),
    // Provided from src/ (long-term memory): sends back memory.recalled once. Without it, no LTM.
    recallMemories: fromCallback<RecallEvent, RecallInput>(({ sendBack }) => {
      sendBack({ type: 'memory.recalled', memories: [] });
    }),
  },
  delays: {
    cooldown: ({ context }) => Math.round(context.persona.cooldownSec * 1000),
    replyWatchdog: REPLY_WATCHDOG_MS,
    llmRetry: LLM_RETRY_WAIT_MS,
    recallBudget: ({ context }) => context.recallBudgetMs,
  },
  guards: {
    isMine: ({ context, event }) => 'replyId' in event && event.replyId === context.reply?.id,
    hasPending: ({ context }) => context.pending !== undefined && !context.muted,
    isSkip: ({ event }) => event.type === 'control.skip' || (event.type === 'chat.command' && event.command === 'skip'),
    bargesIn: ({ context }) => context.bargeIn,
    cutByStreamer: ({ context, event }) => context.cutByStreamer && 'replyId' in event && event.replyId === context.reply?.id,
    removesReply: ({ context, event }) => {
      if (event.type !== 'chat.removed' || !context.reply) return false;
      const t = context.reply.trigger;
      return (
        (event.all && t.input === 'chat') ||
        t.messageIds.some((id) => event.messageIds.includes(id)) ||
        t.users.some((u) => event.users.includes(u))
      );
    },
    nothingSpoken: ({ context }) => (context.reply?.sentences.length ?? 0) === 0,
    retryAfterError: ({ context, event }) =>
      event.type === 'llm.error' && (context.reply?.sentences.length ?? 0) === 0 && !!context.reply && !context.pending && retryAfterLlmError(context.reply.trigger, event.error) !== undefined,
  },
  actions: {
    announceState: enqueueActions(({ context, enqueue }, params: { state: Phase }) => {
      enqueue.assign({ phase: params.state });
      enqueue.sendParent({ type: 'brain.state', state: params.state, muted: context.muted } satisfies BrainOutEvent);
    }),
    announceMute: enqueueActions(({ context, enqueue }) => {
      enqueue.sendParent({ type: 'brain.state', state: context.phase, muted: context.muted } satisfies BrainOutEvent);
    }),
    spawnLlm: spawnChild('generateReply', {
      id: 'llm',
      input: ({ context }): GenerateReplyInput => ({ replyId: context.reply!.id, messages: context.reply!.prompt }),
    }),
    stopLlm: stopChild('llm'),
    store: assign({ stm: ({ context, event }) => remember(context.stm, entriesOf(event)) }),
    /** Idle: answer now, or say why not. */
    decideNow: enqueueActions(({ context, event, enqueue }) => {
      const t = toTrigger(context, event);
      if (!t) return;
      if (context.muted) {
        enqueue.sendParent(decided({ ...t.decision, respond: false, reason: 'muted' }));
        return;
      }
      enqueue.sendParent(decided(t.decision));
      if (t.trigger) enqueue.assign({ pending: t.trigger });
    }),
    /** Busy: a mention (or an acknowledged stream event) is kept for later, latest wins; the rest is noted. */
    decideLater: enqueueActions(({ context, event, enqueue }, params: { why: 'busy' | 'cooldown' }) => {
      const t = toTrigger(context, event);
      if (!t) return;
      const d = t.decision;
      if (context.muted) {
        enqueue.sendParent(decided({ ...d, respond: false, reason: 'muted' }));
        return;
      }
      if (t.mention && t.trigger && (!context.pending || t.trigger.rank >= context.pending.rank)) {
        enqueue.assign({ pending: t.trigger });
        enqueue.sendParent(decided({ ...d, respond: true, reason: 'pending-mention', summary: `${d.summary} (answered after ${params.why})` }));
        return;
      }
      enqueue.sendParent(decided({ ...d, respond: false, reason: params.why }));
    }),
    startReply: enqueueActions(({ context, enqueue }) => {
      const trigger = context.pending;
      if (!trigger) return;
      const id = `r${context.replies + 1}`;
      enqueue.assign({
        pending: undefined,
        replies: context.replies + 1,
        reply: { id, trigger, emotion: 'neutral', sentences: [], llmDone: false, blocked: false, prompt: [] },
      });
    }),
    /** After the recall step (or its budget): the prompt, with what long-term memory found. */
    composePrompt: enqueueActions(({ context, event, enqueue }) => {
      const reply = context.reply;
      if (!reply) return;
      const trigger = reply.trigger;
      const currentIds = new Set(trigger.entries.map((e) => e.id));
      const history = context.stm.filter((e) => !currentIds.has(e.id));
      const memories = event.type === 'memory.recalled' ? dedupeMemories(event.memories, [...history, ...trigger.entries]) : [];
      const promptInput = { persona: context.persona, history, current: trigger.entries, task: trigger.task, memories, now: trigger.ts };
      // Under the context budget: STM, LTM and camera lines ranked and trimmed; persona and current input kept.
      const fitted = context.promptBudget !== undefined ? fitPrompt(promptInput, context.promptBudget, context.countTokens) : undefined;
      const messages = fitted ? fitted.messages : buildPrompt(promptInput);
      const promptTokens = fitted ? fitted.tokens : countMessages(messages, context.countTokens);
      enqueue.assign({ reply: { ...reply, prompt: messages } });
      enqueue.sendParent({
        type: 'reply.start',
        replyId: reply.id,
        prompt: messages,
        promptTokens,
        ...(context.promptBudget !== undefined ? { promptBudget: context.promptBudget } : {}),
        ...(trigger.triggerId ? { triggerId: trigger.triggerId } : {}),
      } satisfies BrainOutEvent);
    }),
    setEmotion: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'llm.emotion' || !context.reply) return;
      enqueue.assign({ reply: { ...context.reply, emotion: event.emotion } });
      enqueue.sendParent({ type: 'reply.emotion', replyId: context.reply.id, emotion: event.emotion } satisfies BrainOutEvent);
    }),
    /** Every sentence passes the guard before anyone hears it. */
    passSentence: enqueueActions(({ context, event, enqueue }) => {
      const reply = context.reply;
      if (event.type !== 'llm.sentence' || !reply || reply.llmDone) return;
      const spokenChars = reply.sentences.join(' ').length;
      const verdict = guardSentence(event.text, {
        blocklist: context.blocklist,
        spokenChars,
        maxChars: context.persona.maxReplyChars,
        inputs: reply.trigger.entries.filter((e) => e.kind === 'chat' || e.kind === 'event' || e.kind === 'vision').map((e) => e.text),
      });
      if (!verdict.ok) {
        enqueue.sendParent(
          decided(decision(reply.trigger.input, false, 'blocked', `reply stopped by the output guard (${verdict.why})`, reply.trigger.ts, reply.trigger.triggerId)),
        );
        enqueue.assign({ reply: { ...reply, blocked: true } });
        enqueue.raise({ type: 'llm.done', text: reply.sentences.join(' '), emotion: reply.emotion, ts: reply.trigger.ts });
        return;
      }
      if (verdict.text) {
        const sentences = [...reply.sentences, verdict.text];
        enqueue.assign({ reply: { ...reply, sentences } });
        enqueue.sendParent({
          type: 'reply.sentence',
          replyId: reply.id,
          index: sentences.length - 1,
          text: verdict.text,
          emotion: reply.emotion,
        } satisfies BrainOutEvent);
      }
      if (verdict.last) enqueue.raise({ type: 'llm.done', text: '', emotion: reply.emotion, ts: reply.trigger.ts });
    }),
    finishText: enqueueActions(({ context, enqueue }) => {
      const reply = context.reply;
      if (!reply || reply.llmDone) return;
      enqueue.assign({ reply: { ...reply, llmDone: true } });
      enqueue.stopChild('llm');
      enqueue.sendParent({ type: 'reply.done', replyId: reply.id, text: reply.sentences.join(' '), emotion: reply.emotion } satisfies BrainOutEvent);
    }),
    failReply: enqueueActions(({ context, enqueue }, params: { reason: DecisionReason; detail: string }) => {
      const reply = context.reply;
      if (!reply) return;
      enqueue.sendParent({ type: 'reply.failed', replyId: reply.id, reason: params.reason, detail: params.detail } satisfies BrainOutEvent);
      enqueue.assign({ reply: undefined });
    }),
    /** The LLM failed before a word: say so, and keep the trigger to try again after the cooldown. */
    keepForRetry: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'llm.error');
      const reply = context.reply;
      const again = reply && retryAfterLlmError(reply.trigger, event.error);
      if (!reply || !again) return;
      enqueue.sendParent({ type: 'reply.failed', replyId: reply.id, reason: 'failed', detail: `${event.error.message}; trying again` } satisfies BrainOutEvent);
      enqueue.assign({ reply: undefined, pending: again });
    }),
    failEmpty: enqueueActions(({ context, enqueue }) => {
      const reply = context.reply;
      if (!reply) return;
      const detail = reply.blocked ? 'the output guard blocked the reply' : 'the LLM gave an empty reply';
      enqueue.sendParent({ type: 'reply.failed', replyId: reply.id, reason: reply.blocked ? 'blocked' : 'failed', detail } satisfies BrainOutEvent);
      enqueue.assign({ reply: undefined });
    }),
    stopVoice: enqueueActions(({ enqueue }) => {
      enqueue.sendParent({ type: 'voice.skip' } satisfies BrainOutEvent);
    }),
    /** Only what was heard becomes the reply in STM; a reply cut before any audio is not stored. */
    storeSpoken: enqueueActions(({ context, event, enqueue }) => {
      const reply = context.reply;
      if (event.type !== 'voice.done' || !reply) return;
      const text = event.spokenText.trim();
      if (text) {
        const ts = reply.trigger.ts;
        enqueue.assign({
          stm: remember(context.stm, [{ id: reply.id, kind: 'reply', user: context.persona.id, displayName: context.persona.name, text, ts }]),
        });
        enqueue.sendParent({ type: 'reply.spoken', replyId: reply.id, text, emotion: reply.emotion, ts } satisfies BrainOutEvent);
      }
      enqueue.assign({ reply: undefined });
    }),
    forgetRemoved: assign(({ context, event }) => {
      if (event.type !== 'chat.removed') return {};
      const pendingRemoved =
        context.pending &&
        (context.pending.messageIds.some((id) => event.messageIds.includes(id)) ||
          context.pending.users.some((u) => event.users.includes(u)) ||
          (event.all && context.pending.input === 'chat'));
      return {
        stm: forget(context.stm, event),
        ...(pendingRemoved ? { pending: undefined } : {}),
      };
    }),
    mute: assign({ muted: true, pending: undefined }),
    unmute: assign({ muted: false }),
    command: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'chat.command') return;
      if (event.command === 'mute') enqueue.raise({ type: 'brain.mute' });
      else if (event.command === 'unmute') enqueue.raise({ type: 'brain.unmute' });
      else if (event.command === 'persona' && event.args[0])
        enqueue.sendParent({ type: 'persona.switch', name: event.args[0], by: event.message.user } satisfies BrainOutEvent);
      // The viewer's lines leave STM too (src/memory deletes them from LTM).
      else if (event.command === 'forgetme') enqueue.assign({ stm: ({ context }) => forget(context.stm, { messageIds: [], users: [event.message.user], all: false }) });
    }),
    updatePersona: assign({
      persona: ({ context, event }) => (event.type === 'settings.changed' ? event.persona : context.persona),
    }),
  },
}).createMachine({
  id: 'brain',
  context: ({ input }) => ({
    phase: 'idle',
    persona: input.persona,
    blocklist: input.blocklist,
    random: input.random,
    bargeIn: input.bargeIn ?? true,
    recallBudgetMs: input.recallBudgetMs ?? RECALL_BUDGET_MS,
    promptBudget: input.promptBudget,
    countTokens: input.countTokens ?? estimateTokens,
    muted: false,
    stm: [],
    pending: undefined,
    reply: undefined,
    replies: 0,
    cutByStreamer: false,
  }),
  initial: 'idle',
  on: {
    'chat.removed': { actions: 'forgetRemoved' },
    'chat.command': { actions: 'command' },
    'brain.mute': { actions: ['mute', 'announceMute'] },
    'brain.unmute': { actions: ['unmute', 'announceMute'] },
    'settings.changed': { actions: 'updatePersona' },
    'context.budget': { actions: assign({ promptBudget: ({ context, event }) => (event.type === 'context.budget' ? event.promptTokens : context.promptBudget) }) },
  },
  states: {
    idle: {
      entry: { type: 'announceState', params: { state: 'idle' } },
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
        'llm.emotion': { actions: 'setEmotion' },
        'llm.sentence': { actions: 'passSentence' },
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
          after: { recallBudget: { actions: 'composePrompt', target: 'thinking' } },
          on: {
            'memory.recalled': { actions: 'composePrompt', target: 'thinking' },
            ...cutBeforeAudio,
          },
        },
        thinking: {
          entry: 'spawnLlm',
          after: {
            replyWatchdog: {
              actions: ['stopVoice', { type: 'failReply', params: { reason: 'failed', detail: 'no reply from the LLM in time' } }],
              target: '#brain.idle',
            },
          },
          on: {
            'voice.started': { guard: 'isMine', target: 'speaking' },
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
      entry: { type: 'announceState', params: { state: 'cooldown' } },
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
