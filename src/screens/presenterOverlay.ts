/**
 * The presenter's overlay side (`/avatar`): exactly what the avatar machine decided — speaking,
 * the face, the caption and its clear (a caption with text '') — live, the same as one state on
 * every (re)connection, and the persona's look when a switch changes it. An overlay's `?hold=`
 * comes back as a request the avatar machine weighs (`caption.holdRequested`).
 */
import type { Subscription } from 'xstate';
import type { AvatarActor } from '../../machines/avatar.ts';
import type { PickleActor } from '../../machines/orchestrator.ts';
import type { Persona } from '../config/persona.ts';
import type { SettingsStore } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import { lookOf, type Look } from './look.ts';
import type { AvatarNamespace, AvatarSocket } from './namespaces.ts';
import type { OverlayState } from './payloads.ts';

export interface OverlayPresenterOptions {
  orchestrator: Pick<PickleActor, 'on' | 'system' | 'send'>;
  avatar: AvatarNamespace;
  settings: Pick<SettingsStore, 'on'>;
  /** The persona in use now (its pictures are the overlay's look). */
  persona: () => Persona;
  personasDir: string;
  log: Logger;
}

export interface OverlayPresenter {
  /** The overlay's state as sent on (re)connection. */
  overlayState(): OverlayState;
  stop(): void;
}

export function presentOverlay(opts: OverlayPresenterOptions): OverlayPresenter {
  const { orchestrator, avatar, log } = opts;
  const subs: Subscription[] = [
    orchestrator.on('avatar.caption', (e) => avatar.emit('caption', { text: e.text, emotion: e.emotion })),
    orchestrator.on('avatar.emotion', (e) => avatar.emit('emotion', { value: e.value })),
    orchestrator.on('avatar.speaking', (e) => avatar.emit('speaking', { value: e.value })),
  ];

  const lookNow = (): Look => {
    const look = lookOf(opts.persona(), opts.personasDir);
    if (look.warning) log.warn({ event: 'overlay', persona: look.persona, warning: look.warning }, 'persona pictures not used');
    return look;
  };
  let look = lookNow();
  const overlayState = (): OverlayState => {
    const actor = orchestrator.system.get('avatar') as AvatarActor | undefined;
    const snap = actor?.getSnapshot();
    return {
      speaking: snap?.value === 'speaking',
      emotion: snap?.context?.emotion ?? 'neutral',
      caption: snap?.context?.caption ?? '',
      look,
    };
  };
  const onOverlay = (socket: AvatarSocket) => {
    socket.emit('state', overlayState());
    socket.on('caption_hold', (msg: unknown) => {
      // Untrusted: only a number goes on; the machine decides whether it is a sensible hold.
      const seconds = (msg as { seconds?: unknown } | null)?.seconds;
      if (typeof seconds === 'number') orchestrator.send({ type: 'caption.holdRequested', seconds });
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
    stop() {
      for (const s of subs.splice(0)) s.unsubscribe();
      offSettings();
      avatar.off('connection', onOverlay);
    },
  };
}
