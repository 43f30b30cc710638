/**
 * Where an adapter's machine runs. In Pickle it is a child of the orchestrator (`child.start`), so
 * it shares the actor system: its clock, the inspector, `system.get(systemId)`. Tools that run an
 * adapter without Pickle (listing the browser's devices) and adapter tests that need no brain run
 * it on its own.
 */
import { createActor, type AnyActorRef, type EventObject, type Snapshot } from 'xstate';
import { ADAPTER_MACHINES, type AdapterChild, type ChildSpec } from '../machines/children.ts';
import type { PickleActor } from '../machines/orchestrator.ts';

export interface ChildHost {
  /** Starts the machine (or returns the one already running under this systemId). */
  start<S extends ChildSpec>(spec: S): AdapterChild<S['src']>;
  stop(systemId: string): void;
}

/** The machine as a child of the running orchestrator. */
export function orchestratorChildren(orchestrator: Pick<PickleActor, 'send' | 'system'>): ChildHost {
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

/** The machine in an actor system of its own (no orchestrator). */
export function standaloneChildren(): ChildHost {
  const running = new Map<string, AnyActorRef>();
  return {
    start<S extends ChildSpec>(spec: S): AdapterChild<S['src']> {
      const known = running.get(spec.systemId);
      const ref = known ?? createActor(ADAPTER_MACHINES[spec.src], { systemId: spec.systemId, input: spec.input });
      if (!known) {
        running.set(spec.systemId, ref);
        ref.start();
      }
      return ref as AdapterChild<S['src']>;
    },
    stop(systemId) {
      running.get(systemId)?.stop();
      running.delete(systemId);
    },
  };
}
