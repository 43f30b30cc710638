import { assertEvent, assign, emit, setup } from 'xstate';
import type { BrainOutEvent } from './events.ts';

/**
 * Audience: does anybody hear Pickle's voice?
 *
 * The voice plays in pages: the OBS overlay (its audio is captured by OBS) and, with
 * AUDIO_OUTPUT=local, the hidden browser's page playing on this PC. Each page says whether it
 * can play (`audio_state: running`). When a reply has been spoken while no page was playing it,
 * nobody heard it: `unheard` (the voice is reported degraded with the step that fixes it).
 * As soon as a page plays again: `heard`. Before the first reply nothing is claimed.
 *
 * Facts in: `audience.pages` (pages playing now, local one included, from its adapter), and
 * `reply.spoken` (routed by the orchestrator). Out: `audience.changed` on every move to heard or unheard.
 */

export interface AudienceContext {
  /** Pages that said they play audio. */
  pages: number;
}

export type AudienceEvent = { type: 'audience.pages'; playing: number } | Extract<BrainOutEvent, { type: 'reply.spoken' }>;

export type AudienceEmitted = { type: 'audience.changed'; heard: boolean; pages: number };

export const audienceMachine = setup({
  types: {
    context: {} as AudienceContext,
    events: {} as AudienceEvent,
    emitted: {} as AudienceEmitted,
  },
  guards: {
    nobodyPlays: ({ context }) => context.pages === 0,
    somebodyPlays: ({ context }) => context.pages > 0,
  },
  actions: {
    notePages: assign({
      pages: ({ event }) => {
        assertEvent(event, 'audience.pages');
        return Math.max(0, Math.floor(event.playing));
      },
    }),
    announceUnheard: emit(({ context }) => ({ type: 'audience.changed' as const, heard: false, pages: context.pages })),
    announceHeard: emit(({ context }) => ({ type: 'audience.changed' as const, heard: true, pages: context.pages })),
  },
}).createMachine({
  id: 'audience',
  context: { pages: 0 },
  initial: 'unknown',
  states: {
    /** No reply spoken yet: nothing to say. */
    unknown: {
      on: {
        'audience.pages': { actions: 'notePages' },
        'reply.spoken': [{ guard: 'nobodyPlays', target: 'unheard' }, { target: 'heard' }],
      },
    },
    heard: {
      entry: 'announceHeard',
      on: {
        'audience.pages': { actions: 'notePages' },
        'reply.spoken': { guard: 'nobodyPlays', target: 'unheard' },
      },
    },
    unheard: {
      entry: 'announceUnheard',
      on: {
        'audience.pages': { actions: 'notePages' },
      },
      always: { guard: 'somebodyPlays', target: 'heard' },
    },
  },
});
