/**
 * The one place that turns what happens into what the pages receive: the orchestrator's events
 * (the machines' outputs and the inputs they heard) become the overlay's captions, face and
 * speaking state (`presenterOverlay.ts`) and the panel's transcript, decisions and state.
 * Services report facts through `PanelReports` and the presenter words them (`transcript.ts`).
 * It also counts and logs the machines' outputs. Everything sent to the panel goes through one
 * outlet (`panelOutlet.ts`) that keeps the history a new panel is replayed.
 */
import type { Subscription } from 'xstate';
import type { PickleActor } from '../../machines/orchestrator.ts';
import type { Counters } from '../metrics.ts';
import type { PanelHistory } from './history.ts';
import type { AvatarNamespace, PanelNamespace } from './namespaces.ts';
import { panelOutlet } from './panelOutlet.ts';
import type { ModerationHealthPayload, OverlayState } from './payloads.ts';
import { presentOverlay, type OverlayPresenterOptions } from './presenterOverlay.ts';
import { feedReadiness, type ReadinessSources } from './readinessFeed.ts';
import { noticeText, transcriptLine, type PromptSize, type ViewerForgotten } from './transcript.ts';

export type { ViewerForgotten } from './transcript.ts';

/** What services tell the streamer through the panel: facts, which the presenter puts in words. */
export interface PanelReports {
  viewerForgotten(fact: ViewerForgotten): void;
  /** An OBS scene muted or unmuted Pickle. */
  sceneMute(fact: { muted: boolean; scene: string }): void;
  /** `!persona <name>` named no persona. */
  unknownPersona(name: string): void;
  /** Moderation's counters or silenced viewers changed. */
  moderationChanged(health: ModerationHealthPayload): void;
}

export interface PresenterOptions extends Omit<OverlayPresenterOptions, 'avatar'> {
  /** socket.io `/avatar` (the overlay) and `/panel`. */
  avatar: AvatarNamespace;
  panel: PanelNamespace;
  counters: Counters;
  /** The clock for rows the machines do not time. */
  now?: () => number;
  /** Where the header's "can Pickle reply now" comes from (without it, no verdict is sent). */
  readiness?: ReadinessSources;
}

export interface Presenter extends PanelReports {
  readonly history: PanelHistory;
  /** The overlay's state as sent on (re)connection. */
  overlayState(): OverlayState;
  stop(): void;
}

export function createPresenter(opts: PresenterOptions): Presenter {
  const { orchestrator, avatar, counters, log } = opts;
  const now = opts.now ?? Date.now;
  const panel = panelOutlet(opts.panel);
  const subs: Subscription[] = [];
  const on: Pick<PickleActor, 'on'>['on'] = (type, handler) => {
    const sub = orchestrator.on(type, handler);
    subs.push(sub);
    return sub;
  };
  const notice = (text: string) => panel.send({ event: 'transcript', data: transcriptLine.notice(text, now()) });

  const readiness = opts.readiness ? feedReadiness(opts.readiness, { on }, (data) => panel.send({ event: 'readiness', data })) : undefined;
  if (readiness) panel.send({ event: 'readiness', data: readiness.current() });

  const overlay = presentOverlay({ orchestrator, avatar, settings: opts.settings, persona: opts.persona, personasDir: opts.personasDir, log, ...(opts.model ? { model: opts.model } : {}), ...(opts.onReports ? { onReports: opts.onReports } : {}), ...(opts.random ? { random: opts.random } : {}) });

  on('brain.decision', (e) => {
    counters.decision(e.decision.reason, e.decision.respond);
    panel.send({ event: 'decision', data: e.decision });
    log.info({ event: 'decision', ...e.decision }, 'decision');
  });
  // What cut a reply being spoken: said in the transcript once the brain has left `speaking`.
  let speaking = false;
  let cutBy: Parameters<typeof noticeText.cut>[0] | undefined;
  on('control.skip', () => {
    if (speaking) cutBy = { skip: 'streamer' };
  });
  on('chat.command', (e) => {
    if (speaking && e.command === 'skip') cutBy = { skip: 'moderator', name: e.message.displayName };
  });
  on('speech.started', () => {
    if (speaking && !cutBy) cutBy = { bargeIn: true };
  });
  on('brain.state', (e) => {
    panel.send({ event: 'brain', data: { state: e.state, muted: e.muted } });
    if (speaking && e.state !== 'speaking' && cutBy) {
      // A barge-in goes straight back to idle; a reply that ran out on its own goes to the cooldown.
      if (!('bargeIn' in cutBy) || e.state === 'idle') notice(noticeText.cut(cutBy));
    }
    speaking = e.state === 'speaking';
    if (!speaking) cutBy = undefined;
  });
  on('chat.digest', (e) => panel.send({ event: 'digest', data: e.digest }));
  on('chat.message', (e) => counters.received(e.message.id));
  on('chat.ignored', (e) => {
    counters.ignored(e.reason);
    if (e.reason === 'not-mod') log.info({ event: 'command-ignored', user: e.message.user, text: e.message.text }, 'command from a non-moderator ignored');
  });
  on('chat.batch', (e) => {
    counters.batch(e.messages.length);
    for (const m of e.messages) panel.send({ event: 'transcript', data: transcriptLine.chat(m) });
  });
  on('chat.command', (e) => log.info({ event: 'command', command: e.command, args: e.args, user: e.message.user }, 'command'));
  on('chat.removed', (e) => log.info({ event: 'moderation', ...e }, 'moderated messages removed'));
  on('speech.final', (e) => panel.send({ event: 'transcript', data: transcriptLine.speech(e.text, e.ts) }));
  on('vision.scene', (e) => panel.send({ event: 'transcript', data: transcriptLine.vision(e.text, e.ts) }));
  on('viewer.silenced', (e) => notice(noticeText.silenced(e.viewer, e.until)));

  // Prompt size per reply, for the panel (context budget): live, and on the reply's transcript row.
  const promptSizes = new Map<string, PromptSize>();
  on('reply.start', (e) => {
    counters.replyStarted(e.replyId, e.triggerId);
    log.info({ event: 'reply.start', replyId: e.replyId, triggerId: e.triggerId, promptTokens: e.promptTokens, promptBudget: e.promptBudget }, 'reply started');
    panel.send({ event: 'prompt', data: { replyId: e.replyId, tokens: e.promptTokens, budget: e.promptBudget, ts: now() } });
    promptSizes.set(e.replyId, { tokens: e.promptTokens, budget: e.promptBudget });
    if (promptSizes.size > 50) promptSizes.delete(promptSizes.keys().next().value!);
  });
  on('voice.sentenceStarted', (e) => {
    if (e.first) counters.firstAudio(e.replyId);
  });
  on('reply.failed', (e) => {
    panel.send({ event: 'transcript', data: transcriptLine.replyFailed(e, now()) });
    log.warn({ event: 'reply.failed', replyId: e.replyId, reason: e.reason, detail: e.detail }, 'reply failed');
  });
  on('reply.spoken', (e) => {
    counters.replied();
    const size = promptSizes.get(e.replyId);
    promptSizes.delete(e.replyId);
    panel.send({ event: 'transcript', data: transcriptLine.reply(e, size, now()) });
    log.info({ event: 'reply', replyId: e.replyId, emotion: e.emotion, chars: e.text.length }, 'reply spoken');
  });

  return {
    history: panel.history,
    overlayState: () => overlay.overlayState(),
    viewerForgotten: (fact) => notice(noticeText.viewerForgotten(fact)),
    sceneMute: (fact) => {
      readiness?.scene(fact.muted ? fact.scene : undefined);
      notice(noticeText.sceneMute(fact.muted, fact.scene));
    },
    unknownPersona: (name) => notice(noticeText.unknownPersona(name)),
    moderationChanged: (health) => panel.send({ event: 'moderation', data: health }),
    stop() {
      for (const s of subs.splice(0)) s.unsubscribe();
      readiness?.stop();
      panel.stop();
      overlay.stop();
    },
  };
}
