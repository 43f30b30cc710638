import { assertEvent, enqueueActions, spawnChild, stopChild } from 'xstate';
import type { BrainOutEvent, DecisionReason } from '../events.ts';
import { guardSentence } from './guard.ts';
import { sentenceBlocked } from './moderation.ts';
import { retryAfterLlmError } from './retry.ts';
import { buildPrompt } from './prompt.ts';
import { countMessages, fitPrompt } from './budget.ts';
import { remember } from './stm.ts';
import { markAnswered } from './digest.ts';
import { dedupeMemories } from './recall.ts';
import { noteAnswered, takeNext } from './addressed.ts';
import { queueUp } from './plan.ts';
import { recapEntries, summaryOf } from './conversation.ts';
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
    /** The next reply: the queue's first entry, else the unaddressed input just let through. */
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
    /** After the recall step (or its budget): the prompt, with what long-term memory found. */
    composePrompt: enqueueActions(({ context, event, enqueue }) => {
      const reply = context.reply;
      if (!reply) return;
      const trigger = reply.trigger;
      // A recap quotes the chat lines since the last one (the asking line once); the next recap starts after it.
      const own = new Set(trigger.entries.map((e) => e.id));
      const recap = trigger.recap ? recapEntries(context.chatLog, context.digestSummary, context.persona, trigger.ts, context.recappedAt, context.countTokens).filter((e) => !own.has(e.id)) : [];
      if (trigger.recap) enqueue.assign({ recappedAt: trigger.ts });
      const current = [...trigger.entries, ...recap];
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
        // The reply starts when the recall answered (a recall past its budget has no clock: untimed).
        ...(event.type === 'memory.recalled' && event.ts !== undefined ? { ts: event.ts } : {}),
      } satisfies BrainOutEvent);
    }),
    passFirstToken: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'llm.firstToken');
      if (context.reply) enqueue.sendParent({ type: 'reply.firstToken', replyId: context.reply.id, ...(event.ts !== undefined ? { ts: event.ts } : {}) } satisfies BrainOutEvent);
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
      const spoken = reply.sentences.filter(Boolean).join(' ');
      const spokenChars = spoken.length;
      const listed = guardSentence(event.text, {
        moderation: context.moderation.data,
        spokenChars,
        maxChars: context.persona.maxReplyChars,
        inputs: reply.trigger.entries.filter((e) => e.kind === 'chat' || e.kind === 'event' || e.kind === 'vision').map((e) => e.text),
        said: spoken,
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
        const index = sentences.length - 1;
        // Judged by the classifier while it is synthesised: the voice holds it until the verdict.
        const seq = event.pending === true ? event.seq : undefined;
        const pending = seq !== undefined;
        enqueue.assign({ reply: { ...reply, sentences, ...(seq !== undefined ? { judging: { ...reply.judging, [seq]: index } } : {}) } });
        enqueue.sendParent({
          type: 'reply.sentence',
          replyId: reply.id,
          index,
          text: verdict.text,
          emotion: reply.emotion,
          ...(pending ? { pending: true as const } : {}),
          ...(event.ts !== undefined ? { ts: event.ts } : {}),
        } satisfies BrainOutEvent);
      }
      if (verdict.last) enqueue.raise({ type: 'llm.done', text: '', emotion: reply.emotion, ts: reply.trigger.ts });
    }),
    /** The classifier's verdict on a sentence the voice holds: release it, or drop it unheard (and count it like any block). */
    judgedSentence: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'llm.judged');
      const reply = context.reply;
      const index = reply?.judging?.[event.seq];
      if (!reply || index === undefined) return;
      const judging = { ...reply.judging };
      delete judging[event.seq];
      enqueue.sendParent({ type: 'reply.judged', replyId: reply.id, index, ok: !event.flagged } satisfies BrainOutEvent);
      if (!event.flagged) {
        enqueue.assign({ reply: { ...reply, judging } });
        return;
      }
      const sentences = reply.sentences.map((s, i) => (i === index ? '' : s));
      const blocked = sentenceBlocked(context.moderation, reply, { category: event.flagged, layer: 'ml' });
      enqueue.sendParent(decided(decision(reply.trigger.input, false, 'blocked', `sentence dropped by moderation (${event.flagged})`, reply.trigger.ts, reply.trigger.triggerId)));
      for (const e of blocked.events) enqueue.sendParent(e);
      enqueue.assign({ reply: { ...reply, sentences, judging, blocked: true }, moderation: blocked.moderation });
    }),
    finishText: enqueueActions(({ context, event, enqueue }) => {
      const reply = context.reply;
      if (!reply || reply.llmDone) return;
      enqueue.assign({ reply: { ...reply, llmDone: true } });
      // Verdicts still to come keep the LLM actor (which judges) running; it stops with the reply.
      if (Object.keys(reply.judging ?? {}).length === 0) enqueue.stopChild('llm');
      const tokens = event.type === 'llm.done' ? event.tokens : undefined;
      enqueue.sendParent({ type: 'reply.done', replyId: reply.id, text: reply.sentences.filter(Boolean).join(' '), emotion: reply.emotion, ...(tokens !== undefined ? { tokens } : {}) } satisfies BrainOutEvent);
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
          // What it answered is no longer waiting for the streamer in "while you were busy".
          chatLog: markAnswered(context.chatLog, reply.trigger.messageIds),
        });
        // …and the panel's digest says so at its next publication (one is scheduled if none is).
        if (!context.digestDue && context.chatLog.some((l) => reply.trigger.messageIds.includes(l.id))) {
          enqueue.assign({ digestDue: true });
          enqueue.raise({ type: 'digest.publish' }, { delay: 'digestEvery' });
        }
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
