import { assertEvent, assign, enqueueActions } from 'xstate';
import { viewerKey, type BrainOutEvent } from '../events.ts';
import { namesOf } from './gating.ts';
import { forget, forgetViewer, remember, removesTrigger } from './stm.ts';
import { removeWhere } from './addressed.ts';
import { unblock, withLists, withPersona } from './moderation.ts';
import { dropped } from './plan.ts';
import {
  addLines,
  boundTokens,
  DIGEST_MAX_TOKENS,
  digestOf,
  forgetLines,
  linesOf,
  linesSinceSummary,
  SUMMARY_MIN_NEW_LINES,
  summaryPrompt,
} from './digest.ts';
import { idleTrigger } from './conversation.ts';

import { brainReplies } from './replyActions.ts';
import type { Trigger } from './types.ts';
import { decided, decision, entriesOf, planFor } from './triggers.ts';

/** Inputs and the conversation around replies: STM, the addressed queue, the digest, quiet periods, moderation, commands. */
export const brainInputs = brainReplies.extend({
  actions: {
    /** Every input goes to STM; chat also to the digest; chat and the streamer's voice start a new quiet period. */
    store: enqueueActions(({ context, event, enqueue }) => {
      const entries = entriesOf(event);
      const lastTs = entries.reduce((t, e) => Math.max(t, e.ts), context.lastTs);
      enqueue.assign({ stm: remember(context.stm, entries), lastTs });
      if (event.type === 'chat.batch') {
        enqueue.assign({ chatLog: addLines(context.chatLog, linesOf(event.messages)) });
        if (!context.digestDue) {
          enqueue.assign({ digestDue: true });
          enqueue.raise({ type: 'digest.publish' }, { delay: 'digestEvery' });
        }
      }
      if (event.type === 'chat.batch' || event.type === 'speech.final') {
        enqueue.cancel('quiet');
        enqueue.assign({ remarked: false });
        if (context.persona.idleAfterSec > 0) enqueue.raise({ type: 'brain.quiet' }, { delay: 'idleAfter', id: 'quiet' });
      }
    }),
    /** Idle: answer now (addressed inputs through the queue), or say why not. */
    decideNow: enqueueActions(({ context, event, enqueue }) => {
      const plan = planFor(context, event, 'idle');
      if (!plan) return;
      enqueue.assign(plan.patch);
      for (const e of plan.out) enqueue.sendParent(e);
      for (const id of plan.expire) enqueue.raise({ type: 'addressed.expire', id }, { delay: 'entryTtl' });
    }),
    /** Busy: addressed inputs wait in the queue (or are dropped with a reason); the rest is noted. */
    decideLater: enqueueActions(({ context, event, enqueue }, params: { why: 'busy' | 'cooldown' }) => {
      const plan = planFor(context, event, params.why);
      if (!plan) return;
      enqueue.assign(plan.patch);
      for (const e of plan.out) enqueue.sendParent(e);
      for (const id of plan.expire) enqueue.raise({ type: 'addressed.expire', id }, { delay: 'entryTtl' });
    }),
    /** An entry nobody got to in time leaves the queue as `stale`. */
    expireEntry: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'addressed.expire');
      const { queue, removed } = removeWhere(context.queue, (e) => e.id === event.id);
      if (removed.length === 0) return;
      enqueue.assign({ queue });
      for (const e of removed) enqueue.sendParent(dropped(e, 'stale'));
    }),
    startBreath: enqueueActions(({ enqueue }) => {
      enqueue.assign({ breathing: true });
      enqueue.cancel('breath');
      enqueue.raise({ type: 'brain.breathed' }, { delay: 'breath', id: 'breath' });
    }),
    /** A quiet period starts now (chat or the streamer spoke): its remark, if any, comes idleAfterSec from here. */
    armQuiet: enqueueActions(({ context, enqueue }) => {
      enqueue.cancel('quiet');
      enqueue.assign({ remarked: false });
      if (context.persona.idleAfterSec > 0) enqueue.raise({ type: 'brain.quiet' }, { delay: 'idleAfter', id: 'quiet' });
    }),
    remarkIdle: enqueueActions(({ context, enqueue }) => {
      const view = { persona: context.persona, answered: context.answered, stm: context.stm };
      const trigger = idleTrigger(view, context.chatLog, context.digestSummary, context.lastTs);
      enqueue.assign({ pending: trigger, remarked: true });
      enqueue.sendParent(decided(decision('idle', true, 'idle', 'the stream has been quiet: starting a topic', context.lastTs)));
    }),
    /** The panel's digest, sent at most every `digestEvery` while chat moves (the LLM's summary is `summariseWhenDue`'s). */
    publishDigest: enqueueActions(({ context, enqueue }) => {
      const digest = digestOf(context.chatLog, { ...(context.digestSummary ? { summary: context.digestSummary } : {}), names: namesOf(context.persona), countTokens: context.countTokens });
      enqueue.assign({ digestDue: false });
      enqueue.sendParent({ type: 'chat.digest', digest } satisfies BrainOutEvent);
    }),
    /** Idle (just back, or chat came in) with enough chat the summary does not cover: the LLM summarises it in the background. */
    summariseWhenDue: enqueueActions(({ context, enqueue }) => {
      if (context.phase !== 'idle' || context.pending !== undefined || context.queue.length > 0) return;
      if (context.summarising || linesSinceSummary(context.chatLog, context.digestSummary) < SUMMARY_MIN_NEW_LINES) return;
      enqueue.assign({ summarising: true });
      enqueue.spawnChild('summariseChat', { id: 'summariser', input: summaryPrompt(context.chatLog, 1500, context.countTokens, context.digestSummary) });
    }),
    takeSummary: enqueueActions(({ context, event, enqueue }) => {
      enqueue.stopChild('summariser');
      enqueue.assign({ summarising: false });
      if (event.type !== 'digest.summarised' || !event.text.trim()) return;
      const text = boundTokens(event.text.trim(), Math.floor(DIGEST_MAX_TOKENS * 0.6), context.countTokens);
      enqueue.assign({ digestSummary: { text, upTo: event.upTo } });
    }),
    /** The panel forgot a viewer: they leave short-term memory (src/memory removes them from long-term memory). */
    forgetViewer: assign({
      stm: ({ context, event }) => {
        assertEvent(event, 'viewer.forget');
        return forgetViewer(context.stm, event.login);
      },
    }),
    forgetRemoved: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'chat.removed') return;
      const hit = (t: Trigger) => removesTrigger(t, event);
      const { queue, removed } = removeWhere(context.queue, (e) => hit(e.item));
      enqueue.assign({
        stm: forget(context.stm, event),
        chatLog: forgetLines(context.chatLog, event),
        queue,
        ...(context.pending && hit(context.pending) ? { pending: undefined } : {}),
      });
      for (const e of removed) enqueue.sendParent(dropped(e, 'moderated'));
    }),
    mute: enqueueActions(({ context, event, enqueue }) => {
      const scene = event.type === 'brain.mute' ? event.scene : undefined;
      enqueue.assign({ muted: true, mutedByScene: scene, pending: undefined, queue: [] });
      for (const e of context.queue) enqueue.sendParent(dropped(e, 'muted'));
      if (scene !== undefined) enqueue.sendParent({ type: 'scene.muteChanged', muted: true, scene } satisfies BrainOutEvent);
    }),
    unmute: enqueueActions(({ event, enqueue }) => {
      enqueue.assign({ muted: false, mutedByScene: undefined });
      if (event.type === 'brain.unmute' && event.scene !== undefined) enqueue.sendParent({ type: 'scene.muteChanged', muted: false, scene: event.scene } satisfies BrainOutEvent);
    }),
    /**
     * The live scene and mute, so a scene never fights a person: entering a mute scene mutes only
     * if Pickle is not muted already; leaving the mute scenes unmutes only a mute a scene made. A
     * person's `!mute` (even during BRB) is theirs; their `!unmute` during BRB wins until the next
     * switch into a mute scene.
     */
    followScene: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'scene.live');
      if (event.mutes && !context.muted) enqueue.raise({ type: 'brain.mute', scene: event.scene });
      else if (event.mutes && context.mutedByScene !== undefined) enqueue.assign({ mutedByScene: event.scene });
      else if (!event.mutes && context.mutedByScene !== undefined) enqueue.raise({ type: 'brain.unmute', scene: event.scene });
    }),
    command: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'chat.command') return;
      if (event.command === 'mute') enqueue.raise({ type: 'brain.mute' });
      else if (event.command === 'unmute') enqueue.raise({ type: 'brain.unmute' });
      else if (event.command === 'persona' && event.args[0])
        enqueue.sendParent({ type: 'persona.switch', name: event.args[0], by: event.message.user } satisfies BrainOutEvent);
      else if (event.command === 'recap') {
        // Asked by a mod: joins the queue like a mention (answered now when idle).
        const plan = planFor(context, event, context.phase === 'idle' ? 'idle' : 'busy');
        if (!plan) return;
        enqueue.assign(plan.patch);
        for (const e of plan.out) enqueue.sendParent(e);
        for (const id of plan.expire) enqueue.raise({ type: 'addressed.expire', id }, { delay: 'entryTtl' });
      }
      // The viewer's lines leave STM too (src/memory deletes them from LTM).
      else if (event.command === 'forgetme') enqueue.assign({ stm: ({ context }) => forgetViewer(context.stm, viewerKey(event.message.platform, event.message.user)) });
      else if (event.command === 'unblock' && event.args[0]) enqueue.raise({ type: 'moderation.unblock', viewer: event.args[0], by: event.message.user });
    }),
    unblockViewer: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'moderation.unblock');
      const lifted = unblock(context.moderation, event.viewer, event.by);
      enqueue.assign({ moderation: lifted.moderation });
      for (const e of lifted.events) enqueue.sendParent(e);
    }),
    updateLists: assign({
      moderation: ({ context, event }) => {
        assertEvent(event, 'moderation.lists');
        return withLists(context.moderation, event.lists, context.persona);
      },
    }),
    updatePersona: assign({
      persona: ({ context, event }) => (event.type === 'settings.changed' ? event.persona : context.persona),
      moderation: ({ context, event }) => (event.type === 'settings.changed' ? withPersona(context.moderation, event.persona) : context.moderation),
    }),
  },
});
