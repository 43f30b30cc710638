/**
 * Whether anybody hears Pickle: the audience machine (a child of the orchestrator) fed with the
 * pages playing the voice (the OBS overlay, the local page); the orchestrator routes it each spoken
 * reply. Its verdict goes to `/health` as `voice`.
 */
import type { ChildHost } from '../children.ts';
import type { StatusBoard } from '../status.ts';
import type { OverlayOutput } from './overlay.ts';

export interface AudienceOptions {
  overlay: OverlayOutput;
  status: StatusBoard;
  /** Where the overlay is, for the fix line (e.g. http://127.0.0.1:8000/overlay). */
  overlayUrl: string;
  /** Where the audience machine runs (the orchestrator's children). */
  children: ChildHost;
}

export function unheardFix(overlayUrl: string): string {
  return `add the overlay to OBS (Sources → + → Browser, URL ${overlayUrl}, tick "Control audio via OBS") or set AUDIO_OUTPUT=local in .env to hear Pickle on this PC`;
}

export function watchAudience(opts: AudienceOptions): { stop(): void } {
  const { status } = opts;
  const actor = opts.children.start({ src: 'audience', systemId: 'audience', input: {} });
  actor.on('audience.changed', (e) => {
    if (e.heard) status.set('voice', 'up', `Pickle's voice plays in ${e.pages} page${e.pages === 1 ? '' : 's'}`);
    else
      status.set('voice', 'degraded', `nobody is hearing Pickle — add the overlay to OBS (${opts.overlayUrl}) or set AUDIO_OUTPUT=local`, {
        fix: unheardFix(opts.overlayUrl),
      });
  });
  status.set('voice', 'up', 'waiting for the first reply (the overlay or AUDIO_OUTPUT=local plays the voice)');
  actor.send({ type: 'audience.pages', playing: opts.overlay.playing() });
  const off = opts.overlay.onPlayingChange((playing) => actor.send({ type: 'audience.pages', playing }));
  return {
    stop() {
      off();
      opts.children.stop('audience');
    },
  };
}
