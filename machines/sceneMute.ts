import { assertEvent, enqueueActions, setup } from 'xstate';
import type { ChatOutEvent } from './events.ts';

/**
 * Scenes that mute Pickle (persona `obs.mute_scenes` / OBS_MUTE_SCENES), e.g. "BRB": while one of
 * them is the program scene, Pickle stays quiet. Fed by `obs.scene` (OBS's program scene, on
 * connect and on every switch), `mute.manual` (the panel's buttons) and `chat.command` (a mod's
 * !mute / !unmute, routed by the orchestrator).
 *
 * The rule, so a scene never fights a person:
 * - entering a mute scene mutes Pickle only if it is not muted already, and remembers that the
 *   scene did it;
 * - leaving the mute scenes unmutes only a mute the scene made. A mod's `!mute` (even one typed
 *   during BRB) is theirs: switching back to the live scene leaves Pickle muted;
 * - a mod's `!unmute` during BRB wins too: Pickle talks until the next switch into a mute scene.
 * Scene names compare without case and surrounding spaces ("brb" = "BRB ").
 */

export type SceneMuteEvent =
  | { type: 'obs.scene'; name: string }
  | { type: 'mute.manual'; muted: boolean }
  | { type: 'muteScenes.changed'; scenes: string[] }
  | Extract<ChatOutEvent, { type: 'chat.command' }>;

export type SceneMuteEmitted =
  | { type: 'scene.mute'; scene: string }
  | { type: 'scene.unmute'; scene: string };

export interface SceneMuteInput {
  muteScenes: string[];
}

export interface SceneMuteContext {
  muteScenes: string[];
  scene?: string;
  /** Who muted Pickle, as far as this machine knows: nobody, a mute scene, or a person. */
  mutedBy: 'nobody' | 'scene' | 'person';
}

const norm = (s: string) => s.trim().toLowerCase();

/** The scene that muted Pickle, while it is the scene's mute (not a person's). */
export const mutedBySceneOf = (ctx: SceneMuteContext): string | undefined => (ctx.mutedBy === 'scene' ? ctx.scene : undefined);

export function isMuteScene(scene: string | undefined, muteScenes: readonly string[]): boolean {
  return scene !== undefined && muteScenes.some((m) => norm(m) === norm(scene));
}

export const sceneMuteMachine = setup({
  types: {
    context: {} as SceneMuteContext,
    events: {} as SceneMuteEvent,
    input: {} as SceneMuteInput,
    emitted: {} as SceneMuteEmitted,
  },
  actions: {
    /** Applies the rule above to the current scene (after a switch, or a new list of mute scenes). */
    follow: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['obs.scene', 'muteScenes.changed']);
      const scene = event.type === 'obs.scene' ? event.name : context.scene;
      const muteScenes = event.type === 'muteScenes.changed' ? event.scenes : context.muteScenes;
      enqueue.assign({ scene, muteScenes });
      if (scene === undefined) return;
      const mute = isMuteScene(scene, muteScenes);
      if (mute && context.mutedBy === 'nobody') {
        enqueue.assign({ mutedBy: 'scene' });
        enqueue.emit({ type: 'scene.mute', scene });
      } else if (!mute && context.mutedBy === 'scene') {
        enqueue.assign({ mutedBy: 'nobody' });
        enqueue.emit({ type: 'scene.unmute', scene });
      }
    }),
    byPerson: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, ['mute.manual', 'chat.command']);
      const muted = event.type === 'mute.manual' ? event.muted : event.command === 'mute';
      enqueue.assign({ mutedBy: muted ? 'person' : 'nobody' });
    }),
  },
  guards: {
    isMuteCommand: ({ event }) => event.type === 'chat.command' && (event.command === 'mute' || event.command === 'unmute'),
  },
}).createMachine({
  id: 'sceneMute',
  context: ({ input }) => ({ muteScenes: input.muteScenes, mutedBy: 'nobody' }),
  on: {
    'obs.scene': { actions: 'follow' },
    'muteScenes.changed': { actions: 'follow' },
    'mute.manual': { actions: 'byPerson' },
    'chat.command': { guard: 'isMuteCommand', actions: 'byPerson' },
  },
});
