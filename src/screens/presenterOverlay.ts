/**
 * The presenter's overlay side (`/avatar`): exactly what the avatar machine decided — speaking,
 * the face, the model's expressions, blinks and gaze, the caption and its clear (a caption with
 * text '') — live, the same as one state on every (re)connection, and the persona's look when a
 * switch changes it. An overlay's `?hold=` comes back as a request the avatar machine weighs
 * (`caption.holdRequested`); what each overlay says it shows (`avatar_report`, `avatar_error`)
 * is kept, tells the machine how many show a model, and goes to `onReports`. The random numbers
 * the face's life needs are drawn here, one draw per blink or saccade the machine sent.
 */
import type { Subscription } from 'xstate';
import type { AvatarActor } from '../../machines/avatar.ts';
import { expressionOf } from '../../machines/avatar/face.ts';
import type { PickleActor } from '../../machines/orchestrator.ts';
import type { ModelLook } from '../avatar/model.ts';
import type { Persona } from '../config/persona.ts';
import type { SettingsStore } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import { lookOf, type Look } from './look.ts';
import type { AvatarNamespace, AvatarSocket } from './namespaces.ts';
import { OverlayReports, readError, readReport, type OverlayReport } from './overlayReports.ts';
import type { OverlayState } from './payloads.ts';

export interface OverlayPresenterOptions {
  orchestrator: Pick<PickleActor, 'on' | 'system' | 'send'>;
  avatar: AvatarNamespace;
  settings: Pick<SettingsStore, 'on'>;
  /** The persona in use now (its pictures or model are the overlay's look). */
  persona: () => Persona;
  personasDir: string;
  log: Logger;
  /** The persona's VRM model, checked (null: none, or one that cannot be shown). */
  model?: (persona: Persona) => ModelLook | null;
  /** What the overlays say they show, on every change. */
  onReports?: (reports: OverlayReport[]) => void;
  /** Random numbers for the face's life (tests pass their own). */
  random?: () => number;
}

export interface OverlayPresenter {
  /** The overlay's state as sent on (re)connection. */
  overlayState(): OverlayState;
  /** What each connected overlay says it shows. */
  reports(): OverlayReport[];
  stop(): void;
}

export function presentOverlay(opts: OverlayPresenterOptions): OverlayPresenter {
  const { orchestrator, avatar, log } = opts;
  const random = opts.random ?? Math.random;
  const noise = () => orchestrator.send({ type: 'avatar.noise', blink: random(), saccade: random(), yaw: random(), pitch: random() });
  const subs: Subscription[] = [
    orchestrator.on('avatar.caption', (e) => avatar.emit('caption', { text: e.text, emotion: e.emotion })),
    orchestrator.on('avatar.emotion', (e) => avatar.emit('emotion', { value: e.value })),
    orchestrator.on('avatar.speaking', (e) => avatar.emit('speaking', { value: e.value })),
    orchestrator.on('avatar.expression', (e) => avatar.emit('expression', { weights: e.weights, easeMs: e.easeMs })),
    orchestrator.on('avatar.blink', (e) => {
      avatar.emit('blink', { ms: e.ms });
      noise();
    }),
    orchestrator.on('avatar.gaze', (e) => {
      avatar.emit('gaze', { yaw: e.yaw, pitch: e.pitch });
      noise();
    }),
  ];

  const lookNow = (): Look => {
    const persona = opts.persona();
    const look = lookOf(persona, opts.personasDir, opts.model?.(persona) ?? null);
    if (look.warning) log.warn({ event: 'overlay', persona: look.persona, warning: look.warning }, 'persona pictures not used');
    return look;
  };
  let look = lookNow();
  const overlayState = (): OverlayState => {
    const actor = orchestrator.system.get('avatar') as AvatarActor | undefined;
    const snap = actor?.getSnapshot();
    return {
      speaking: snap?.matches({ caption: 'speaking' }) ?? false,
      emotion: snap?.context?.emotion ?? 'neutral',
      caption: snap?.context?.caption ?? '',
      look,
      expression: { weights: snap?.context?.expression ?? expressionOf('neutral'), easeMs: 0 },
    };
  };

  const reports = new OverlayReports();
  let shown = 0;
  const reported = () => {
    const n = reports.modelsShown();
    if (n !== shown) {
      shown = n;
      orchestrator.send({ type: 'avatar.modelsShown', count: n });
    }
    opts.onReports?.(reports.all());
  };
  const onOverlay = (socket: AvatarSocket) => {
    socket.emit('state', overlayState());
    socket.on('caption_hold', (msg: unknown) => {
      // Untrusted: only a number goes on; the machine decides whether it is a sensible hold.
      const seconds = (msg as { seconds?: unknown } | null)?.seconds;
      if (typeof seconds === 'number') orchestrator.send({ type: 'caption.holdRequested', seconds });
    });
    socket.on('avatar_report', (msg: unknown) => {
      const r = readReport(msg);
      if (!r) return;
      const before = reports.all().find((x) => x.overlay === socket.id.slice(0, 6));
      reports.report(socket.id, r);
      // fps and the expression change all the time: the machine and the status hear of what was loaded.
      if (!before || before.model !== r.model || before.version !== r.version || before.error) reported();
    });
    socket.on('avatar_error', (msg: unknown) => {
      const reason = readError(msg);
      if (!reason) return;
      log.warn({ event: 'overlay.model', overlay: socket.id.slice(0, 6), reason }, 'overlay could not show the model');
      reports.error(socket.id, reason);
      reported();
    });
    socket.on('disconnect', () => {
      reports.leave(socket.id);
      reported();
    });
  };
  avatar.on('connection', onOverlay);
  // A persona switch changes the face (and the name under it). The app swaps the persona in
  // its own settings listener, so look at it once that has run.
  const offSettings = opts.settings.on('change', () => {
    setImmediate(() => {
      if (opts.persona().id === look.persona) return;
      look = lookNow();
      avatar.emit('look', look);
    });
  });

  return {
    overlayState,
    reports: () => reports.all(),
    stop() {
      for (const s of subs.splice(0)) s.unsubscribe();
      offSettings();
      avatar.off('connection', onOverlay);
    },
  };
}
