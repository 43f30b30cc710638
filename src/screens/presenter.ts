/**
 * What the machines' outputs look like to the outside: the overlay's captions, face and speaking
 * state, the panel's decisions, transcript and prompt sizes, the counters and the log, in one
 * place instead of spread over the app.
 */
import type { Namespace } from 'socket.io';
import type { PickleActor } from '../../machines/orchestrator.ts';
import type { Logger } from '../log.ts';
import type { Counters } from '../metrics.ts';

export interface PresenterOptions {
  orchestrator: PickleActor;
  /** socket.io `/avatar` (the overlay) and `/panel`. */
  avatar: Namespace;
  panel: Namespace;
  counters: Counters;
  log: Logger;
}

export function presentOutputs(opts: PresenterOptions): void {
  const { orchestrator, avatar, panel, counters, log } = opts;
  orchestrator.on('avatar.caption', (e) => avatar.emit('caption', { text: e.text, emotion: e.emotion }));
  orchestrator.on('avatar.emotion', (e) => avatar.emit('emotion', { value: e.value }));
  orchestrator.on('avatar.speaking', (e) => avatar.emit('speaking', { value: e.value }));
  orchestrator.on('brain.decision', (e) => {
    counters.decision(e.decision.reason, e.decision.respond);
    panel.emit('decision', e.decision);
    log.info({ event: 'decision', ...e.decision }, 'decision');
  });
  orchestrator.on('brain.state', (e) => panel.emit('brain', { state: e.state, muted: e.muted }));
  orchestrator.on('chat.digest', (e) => panel.emit('digest', e.digest));
  orchestrator.on('chat.message', (e) => counters.received(e.message.id));
  orchestrator.on('chat.ignored', (e) => {
    counters.ignored(e.reason);
    if (e.reason === 'not-mod') log.info({ event: 'command-ignored', user: e.message.user, text: e.message.text }, 'command from a non-moderator ignored');
  });
  orchestrator.on('chat.batch', (e) => {
    counters.batch(e.messages.length);
    // Encoding happens even with nobody listening: skip it when no panel is open (floods of 2,000 lines/s).
    if (panel.sockets.size > 0) for (const m of e.messages) panel.emit('transcript', { kind: 'chat', user: m.displayName, text: m.text, ts: m.ts, repeats: m.repeats ?? 1 });
  });
  orchestrator.on('chat.command', (e) => log.info({ event: 'command', command: e.command, args: e.args, user: e.message.user }, 'command'));
  orchestrator.on('chat.removed', (e) => log.info({ event: 'moderation', ...e }, 'moderated messages removed'));
  const promptSizes = new Map<string, { tokens: number | undefined; budget: number | undefined }>();
  orchestrator.on('reply.start', (e) => {
    counters.replyStarted(e.replyId, e.triggerId);
    log.info({ event: 'reply.start', replyId: e.replyId, triggerId: e.triggerId, promptTokens: e.promptTokens, promptBudget: e.promptBudget }, 'reply started');
    // Prompt size per reply, for the panel (context budget): live, and on the reply's transcript row.
    panel.emit('prompt', { replyId: e.replyId, tokens: e.promptTokens, budget: e.promptBudget, ts: Date.now() });
    promptSizes.set(e.replyId, { tokens: e.promptTokens, budget: e.promptBudget });
    if (promptSizes.size > 50) promptSizes.delete(promptSizes.keys().next().value!);
  });
  orchestrator.on('voice.started', (e) => counters.firstAudio(e.replyId));
  orchestrator.on('reply.failed', (e) => {
    panel.emit('transcript', { kind: 'reply-failed', reason: e.reason, text: e.detail, ts: Date.now() });
    log.warn({ event: 'reply.failed', replyId: e.replyId, reason: e.reason, detail: e.detail }, 'reply failed');
  });
  orchestrator.on('reply.spoken', (e) => {
    counters.replied();
    const size = promptSizes.get(e.replyId);
    promptSizes.delete(e.replyId);
    panel.emit('transcript', {
      kind: 'reply',
      text: e.text,
      emotion: e.emotion,
      ts: Date.now(),
      ...(size?.tokens !== undefined ? { promptTokens: size.tokens } : {}),
      ...(size?.budget !== undefined ? { promptBudget: size.budget } : {}),
    });
    log.info({ event: 'reply', replyId: e.replyId, emotion: e.emotion, chars: e.text.length }, 'reply spoken');
  });
}
