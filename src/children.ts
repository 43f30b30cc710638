/**
 * Where an adapter's machine runs. In Pickle it is a child of the orchestrator (`child.start`), so
 * it shares the actor system: its clock, the inspector, `system.get(systemId)`. Tools that run an
 * adapter without Pickle (listing the browser's devices) and adapter tests that need no brain run
 * it on its own.
 */
import { assertEvent, createActor, type Actor, enqueueActions, setup, type EventObject, type Snapshot } from 'xstate';
import { ADAPTER_MACHINES, type AdapterChild, type ChildEvent, type ChildSpec } from '../machines/children.ts';
import type { PickleEvent } from '../machines/events.ts';
import type { PickleActor } from '../machines/orchestrator.ts';

export interface ChildHost {
  /** Starts the machine (or returns the one already running under this systemId). */
  start<S extends ChildSpec>(spec: S): AdapterChild<S['src']>;
  stop(systemId: string): void;
}

/** The machine as a child of the running orchestrator. */
export function orchestratorChildren(orchestrator: Pick<PickleActor, 'send' | 'system'> | Pick<Actor<ReturnType<typeof standaloneHost>>, 'send' | 'system'>): ChildHost {
  return {
    start<S extends ChildSpec>(spec: S): AdapterChild<S['src']> {
      orchestrator.send({ type: 'child.start', child: spec });
      // The orchestrator spawned `ADAPTER_MACHINES[spec.src]` under this systemId (or had it already).
      const ref = orchestrator.system.get(spec.systemId) as AdapterChild<S['src']> | undefined;
      if (!ref) throw new Error(`${spec.systemId}: the orchestrator did not start it (is it running?)`);
      return ref;
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
        const { child } = event;
        if (system.get(child.systemId)) return;
        const at = { id: child.systemId, systemId: child.systemId };
        switch (child.src) {
          case 'eventFeed': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'redemptions': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'followThanks': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'obsConnection': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'sceneMute': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'senses': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'audience': return enqueue.spawnChild(child.src, at);
          case 'reconnect': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'chatAccess': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'chatPacing': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'healthCheck': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'voiceEngines': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'visionFrames': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'chatRefusal': return enqueue.spawnChild(child.src, at);
          case 'replyDeadlines': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'arrivals': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'analytics': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'vts': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          case 'youtubeChat': return enqueue.spawnChild(child.src, { ...at, input: child.input });
          default: {
            const unhandled: never = child;
            return unhandled;
          }
        }
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
