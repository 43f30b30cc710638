import { createActor, setup, stopChild, type AnyActorRef, type AnyActorLogic, type EventFromLogic, type InputFrom } from 'xstate';
import type { PickleEvent } from '../../machines/events.ts';
import type { PlaybackEvent } from '../../machines/voiceEvents.ts';

/** What a machine under test may send its parent: any event of the system, or a player's report to the voice. */
export type SentToParent = PickleEvent | PlaybackEvent;

/**
 * Runs one child machine under a recording parent, the way the orchestrator runs it:
 * everything the child sends to its parent lands in `out`, and `send` delivers to the child.
 */
export function harness<TLogic extends AnyActorLogic>(logic: TLogic, input: InputFrom<TLogic>) {
  const out: SentToParent[] = [];
  let own: AnyActorRef | undefined;
  // The child is the recorder's own (its `_parent`), so only the recorder may stop it.
  const recorder = setup({ types: { events: {} as SentToParent | { type: 'harness.stopChild' } } }).createMachine({
    on: {
      'harness.stopChild': { actions: stopChild(() => own!) },
      '*': { actions: ({ event }) => void (event.type !== 'harness.stopChild' && out.push(event)) },
    },
  });
  const parent = createActor(recorder).start();
  const child = createActor(logic, { input, parent, id: 'child' }).start();
  own = child;
  return {
    out,
    send: (event: EventFromLogic<TLogic>) => child.send(event),
    child: () => child,
    snapshot: () => child.getSnapshot(),
    of: <T extends SentToParent['type']>(type: T) => out.filter((e): e is Extract<SentToParent, { type: T }> => e.type === type),
    clear: () => void out.splice(0),
    stop: () => {
      parent.send({ type: 'harness.stopChild' });
      parent.stop();
    },
  };
}
