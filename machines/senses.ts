import { assertEvent, emit, enqueueActions, setup } from 'xstate';
import type { BrainOutEvent, ChatOutEvent, InputEvent, ModCommand } from './events.ts';

/**
 * Senses: whether Pickle hears (ears: microphone → Deepgram) and sees (eyes: camera).
 *
 * Facts in: the streamer's choice from the panel or the settings API (`senses.set`), a mod's
 * or the broadcaster's `!privacy` (both off) / `!privacy off` (both on), and whether the brain
 * is muted (`brain.state`). Out: `senses.changed` whenever ears or eyes change, emitted (the adapters
 * close or reopen the microphone and the camera, and the choice is saved so that a restart
 * never resumes recording). `remembersSenses` says whether what ears and eyes bring may go
 * into long-term memory: never while a sense is off or Pickle is muted.
 */

export interface SensesInput {
  ears: boolean;
  eyes: boolean;
}

export interface SensesContext extends SensesInput {
  muted: boolean;
}

export type SensesEvent =
  | { type: 'senses.set'; ears?: boolean; eyes?: boolean }
  | Extract<ChatOutEvent, { type: 'chat.command' }>
  | Extract<BrainOutEvent, { type: 'brain.state' }>;

export type SensesEmitted = { type: 'senses.changed'; ears: boolean; eyes: boolean };

const PRIVACY: ModCommand = 'privacy';

/** What a `!privacy` command asks for: `!privacy` / `!privacy on` → both off; `!privacy off` → both on. */
export function privacyRequest(args: readonly string[]): { ears: boolean; eyes: boolean } | undefined {
  const arg = (args[0] ?? 'on').toLowerCase();
  if (arg === 'on') return { ears: false, eyes: false };
  if (arg === 'off') return { ears: true, eyes: true };
  return undefined;
}

/** Whether something heard or seen may be stored in long-term memory. */
export function remembersSenses(ctx: SensesContext, source: 'ears' | 'eyes'): boolean {
  return !ctx.muted && ctx[source];
}

export const sensesMachine = setup({
  types: {
    input: {} as SensesInput,
    context: {} as SensesContext,
    events: {} as SensesEvent,
    emitted: {} as SensesEmitted,
  },
  guards: {
    isPrivacy: ({ event }) => event.type === 'chat.command' && event.command === PRIVACY && privacyRequest(event.args) !== undefined,
  },
  actions: {
    /** Apply the wanted senses; announce only a real change. */
    apply: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['senses.set', 'chat.command']);
      const want = event.type === 'senses.set' ? { ears: event.ears ?? context.ears, eyes: event.eyes ?? context.eyes } : privacyRequest(event.args)!;
      if (want.ears === context.ears && want.eyes === context.eyes) return;
      enqueue.assign({ ears: want.ears, eyes: want.eyes });
      enqueue(emit({ type: 'senses.changed', ears: want.ears, eyes: want.eyes }));
      // …and sent to the orchestrator, which routes it to the brain (no remarks about a scene it cannot see).
      enqueue.sendParent({ type: 'senses.changed', ears: want.ears, eyes: want.eyes } satisfies Extract<InputEvent, { type: 'senses.changed' }>);
    }),
    noteMuted: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'brain.state');
      enqueue.assign({ muted: event.muted });
    }),
  },
}).createMachine({
  id: 'senses',
  context: ({ input }) => ({ ears: input.ears, eyes: input.eyes, muted: false }),
  on: {
    'senses.set': { actions: 'apply' },
    'chat.command': { guard: 'isPrivacy', actions: 'apply' },
    'brain.state': { actions: 'noteMuted' },
  },
});
