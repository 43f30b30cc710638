/**
 * Where an adapter's machine runs. In Pickle it is a child of the orchestrator (`child.start`), so
 * it shares the actor system: its clock, the inspector, `system.get(systemId)`. Tools that run an
 * adapter without Pickle (listing the browser's devices) and adapter tests that need no brain run
 * it on its own.
 */
import { assertEvent, createActor, type Actor, type AnyActorRef, enqueueActions, setup, type EventObject, type Snapshot } from 'xstate';
import { ADAPTER_MACHINES, startAdapterChild, type AdapterChild, type AdapterMachineName, type ChildEvent, type ChildSpec } from '../machines/children.ts';
import type { PickleEvent } from '../machines/events.ts';
import type { PickleActor } from '../machines/orchestrator.ts';

export interface ChildHost {
  /** Starts the machine (or returns the one already running under this systemId). */
  start<S extends ChildSpec>(spec: S): AdapterChild<S['src']>;
  stop(systemId: string): void;
}

/**
 * Whether the actor was spawned from `ADAPTER_MACHINES[src]`: XState keeps the name a child was
 * spawned by in `ref.src`, and `startAdapterChild` spawns each machine under its own name. A
 * host's children by id are typed only as "one of its machines"; this check says which.
 */
function isChildOf<K extends AdapterMachineName>(ref: AnyActorRef, src: K): ref is AdapterChild<K> {
  return ref.src === src;
}
const childOf = <K extends AdapterMachineName>(ref: AnyActorRef, src: K): AdapterChild<K> | undefined => (isChildOf(ref, src) ? ref : undefined);

/** The machine as a child of the running orchestrator. */
export function orchestratorChildren(orchestrator: Pick<PickleActor, 'send' | 'getSnapshot'> | Pick<Actor<ReturnType<typeof standaloneHost>>, 'send' | 'getSnapshot'>): ChildHost {
  return {
    start<S extends ChildSpec>(spec: S): AdapterChild<S['src']> {
      orchestrator.send({ type: 'child.start', child: spec });
      // Spawned with its systemId as its id: the host's children name it.
      const ref = orchestrator.getSnapshot().children[spec.systemId];
      if (!ref) throw new Error(`${spec.systemId}: the orchestrator did not start it (is it running?)`);
      const child = childOf<S['src']>(ref, spec.src);
      if (!child) throw new Error(`${spec.systemId}: already taken by another machine than ${spec.src}`);
      return child;
    },
    stop(systemId) {
      orchestrator.send({ type: 'child.stop', systemId });
    },
  };
}

/**
 * Sends a fact to an adapter's machine while it runs. An adapter's listeners can outlive its
 * machine (the orchestrator's events, a socket that closes late), and a stopped actor is not to
 * be sent to.
 */
export function tell<E extends EventObject>(ref: { getSnapshot(): Snapshot<unknown>; send(event: E): void }, event: E): void {
  if (ref.getSnapshot().status === 'active') ref.send(event);
}

/**
 * A parent for adapters' machines outside Pickle: it starts and stops them like the orchestrator
 * does, and hands what they send up (in Pickle, routed by the orchestrator) to `up`.
 */
const standaloneHost = (up: (event: PickleEvent) => void) =>
  setup({
    types: { events: {} as ChildEvent | PickleEvent },
    actors: ADAPTER_MACHINES,
    actions: {
      startChild: enqueueActions(({ event, enqueue, system }) => {
        assertEvent(event, 'child.start');
        startAdapterChild(enqueue, system, event.child);
      }),
      stopChild: enqueueActions(({ event, enqueue, system }) => {
        assertEvent(event, 'child.stop');
        if (system.get(event.systemId)) enqueue.stopChild(event.systemId);
      }),
      up: ({ event }) => {
        // XState's own events (a child's error) stay here, as in the orchestrator.
        if (event.type !== 'child.start' && event.type !== 'child.stop' && !event.type.startsWith('xstate.')) up(event);
      },
    },
  }).createMachine({
    id: 'standalone',
    on: { 'child.start': { actions: 'startChild' }, 'child.stop': { actions: 'stopChild' }, '*': { actions: 'up' } },
  });

/**
 * The machines in an actor system of their own (no orchestrator). What they send to their parent
 * (in Pickle, the orchestrator routes it) goes to `up`, and nowhere when it is not given.
 */
export function standaloneChildren(up: (event: PickleEvent) => void = () => {}): ChildHost {
  return orchestratorChildren(createActor(standaloneHost(up)).start());
}
