import { assertEvent, enqueueActions, setup } from 'xstate';
import type { PickleEvent } from './events.ts';

/**
 * Which OBS scenes mute Pickle (persona `obs.mute_scenes` / OBS_MUTE_SCENES), e.g. "BRB". Fed by
 * `obs.scene` (OBS's program scene, on connect and on every switch) and `muteScenes.changed`; it
 * says, for the scene that is live, whether it is a mute scene (`scene.live`, sent to its parent: the orchestrator routes it to the brain). Whether Pickle is
 * muted, and by whom, is the brain's alone (its `followScene` rule): a scene never fights a person.
 * Scene names compare without case and surrounding spaces ("brb" = "BRB ").
 */

export type SceneMuteEvent =
  | { type: 'obs.scene'; name: string }
  | { type: 'muteScenes.changed'; scenes: string[] };

export type SceneMuteSent = Extract<PickleEvent, { type: 'scene.live' }>;

export interface SceneMuteInput {
  muteScenes: string[];
}

interface SceneMuteContext {
  muteScenes: string[];
  scene?: string;
}

const norm = (s: string) => s.trim().toLowerCase();

export function isMuteScene(scene: string | undefined, muteScenes: readonly string[]): boolean {
  return scene !== undefined && muteScenes.some((m) => norm(m) === norm(scene));
}

export const sceneMuteMachine = setup({
  types: {
    context: {} as SceneMuteContext,
    events: {} as SceneMuteEvent,
    input: {} as SceneMuteInput,
  },
  actions: {
    /** The scene after a switch, or under a new list of mute scenes: does it mute? */
    follow: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['obs.scene', 'muteScenes.changed']);
      const scene = event.type === 'obs.scene' ? event.name : context.scene;
      const muteScenes = event.type === 'muteScenes.changed' ? event.scenes : context.muteScenes;
      enqueue.assign({ scene, muteScenes });
      if (scene !== undefined) enqueue.sendParent({ type: 'scene.live', scene, mutes: isMuteScene(scene, muteScenes) } satisfies SceneMuteSent);
    }),
  },
}).createMachine({
  id: 'sceneMute',
  context: ({ input }) => ({ muteScenes: input.muteScenes }),
  on: {
    'obs.scene': { actions: 'follow' },
    'muteScenes.changed': { actions: 'follow' },
  },
});
