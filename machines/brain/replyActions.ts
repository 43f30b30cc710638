import { assertEvent, enqueueActions, spawnChild, stopChild } from 'xstate';
import type { BrainOutEvent, DecisionReason } from '../events.ts';
import { guardSentence } from './guard.ts';
import { sentenceBlocked } from './moderation.ts';
import { retryAfterLlmError } from './retry.ts';
import { buildPrompt } from './prompt.ts';
import { countMessages, fitPrompt } from './budget.ts';
import { remember } from './stm.ts';
import { dedupeMemories } from './recall.ts';
import { noteAnswered, takeNext } from './addressed.ts';
import { queueUp } from './plan.ts';
import { digestEntry, summaryOf } from './conversation.ts';
import type { GenerateReplyInput } from '../services.ts';
import { brainSetup } from './setup.ts';
import type { Phase } from './types.ts';
import { decided, decision } from './triggers.ts';

/** A reply from start to what was heard: prompt, LLM, output guard, voice, STM. */
export const brainReplies = brainSetup.extend({
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
    /** Every input goes to STM; chat also to the digest; chat and the streamer's voice start a new quiet period. */
    startReply: enqueueActions(({ context, enqueue }) => {
      const { next, queue } = takeNext(context.queue);
      const trigger = next ? next.item : context.pending;
      if (!trigger) return;
      const id = `r${context.replies + 1}`;
      // The LLM is needed for the reply: a summary in the making is dropped (the plain digest stands in).
      if (context.summarising) enqueue.stopChild('summariser');
      enqueue.assign({
        summarising: false,
        pending: undefined,
        queue,
        answered: trigger.input === 'chat' && trigger.key ? noteAnswered(context.answered, trigger.key, trigger.ts) : context.answered,
        replies: context.replies + 1,
        reply: { id, trigger, emotion: 'neutral', sentences: [], llmDone: false, blocked: false, prompt: [] },
      });
    }),
    /** A higher-ranked input came in before any audio: this reply gives way (an addressed one goes back in line). */
    yieldReply: enqueueActions(({ context, enqueue }) => {
      const reply = context.reply;
      if (!reply) return;
      enqueue.sendParent({ type: 'reply.failed', replyId: reply.id, reason: 'replaced', detail: 'a higher-ranked input came in before any audio' } satisfies BrainOutEvent);
      enqueue.assign({ reply: undefined });
      const t = reply.trigger;
      if (t.key === undefined) {
        enqueue.sendParent(decided(decision(t.input, false, 'replaced', summaryOf(t), t.ts, t.triggerId)));
        return;
      }
      const plan = queueUp(context, [{ key: t.key, id: t.triggerId ?? t.entries[0]?.id ?? reply.id, rank: t.rank, seq: 0, item: t }], 'busy', true);
      enqueue.assign(plan.patch);
      for (const e of plan.out) enqueue.sendParent(e);
      for (const id of plan.expire) enqueue.raise({ type: 'addressed.expire', id }, { delay: 'entryTtl' });
    }),
    /** An entry nobody got to in time leaves the queue as `stale`. */
    composePrompt: enqueueActions(({ context, event, enqueue }) => {
      const reply = context.reply;
      if (!reply) return;
      const trigger = reply.trigger;
      const current = trigger.recap ? [...trigger.entries, digestEntry(context.chatLog, context.digestSummary, context.persona, trigger.ts)] : trigger.entries;
      const currentIds = new Set(current.map((e) => e.id));
      const history = context.stm.filter((e) => !currentIds.has(e.id));
      const memories = event.type === 'memory.recalled' ? dedupeMemories(event.memories, [...history, ...current]) : [];
      const promptInput = { persona: context.persona, history, current, task: trigger.task, memories, now: trigger.ts };
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
    /** Every sentence passes the guard before anyone hears it; a blocked one is dropped and the reply goes on. */
    passSentence: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'llm.sentence');
      const reply = context.reply;
      if (!reply || reply.llmDone) return;
      const spokenChars = reply.sentences.join(' ').length;
      const listed = guardSentence(event.text, {
        moderation: context.moderation.data,
        spokenChars,
        maxChars: context.persona.maxReplyChars,
        inputs: reply.trigger.entries.filter((e) => e.kind === 'chat' || e.kind === 'event' || e.kind === 'vision').map((e) => e.text),
        said: reply.sentences.join(' '),
      });
      const verdict = listed.ok && event.flagged ? { ok: false as const, category: event.flagged, layer: 'ml' as const } : listed;
      if (!verdict.ok) {
        // The sentence is dropped (category only, never its text) and the reply goes on with the next clean one.
        const blocked = sentenceBlocked(context.moderation, reply, verdict);
        enqueue.sendParent(
          decided(decision(reply.trigger.input, false, 'blocked', `sentence dropped by moderation (${verdict.category})`, reply.trigger.ts, reply.trigger.triggerId)),
        );
        for (const e of blocked.events) enqueue.sendParent(e);
        enqueue.assign({ reply: { ...reply, blocked: true }, moderation: blocked.moderation });
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
    /** The LLM failed before a word: say so, and keep the trigger to try again after a short pause. */
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
          stm: remember(context.stm, [{ id: reply.id, kind: 'reply', user: context.persona.id, displayName: context.persona.name, text, ts, about: [...reply.trigger.users] }]),
        });
        enqueue.sendParent({ type: 'reply.spoken', replyId: reply.id, text, emotion: reply.emotion, ts, about: [...reply.trigger.users] } satisfies BrainOutEvent);
        // What was heard on stream is what chat reads, when the streamer wants replies in chat: only
        // in the chat of the platform whose line it answers; a remark of Pickle's own posts nowhere.
        const { platform, triggerId } = reply.trigger;
        if (context.persona.replyInChat && reply.trigger.input === 'chat' && platform && triggerId) {
          enqueue.sendParent({ type: 'chat.say', replyId: reply.id, text, platform, inReplyTo: triggerId } satisfies BrainOutEvent);
        }
      }
      enqueue.assign({ reply: undefined });
    }),
  },
});
