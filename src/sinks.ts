/**
 * The orchestrator's events, for sinks: listeners that only carry out I/O (a line in chat, a
 * memory the rules chose, a count on the panel, a log line). None feeds a machine: ROUTES does
 * that. Every listener taken here is removed by `stop()`, when Pickle stops.
 */
import type { Subscription } from 'xstate';
import type { PickleActor } from '../machines/orchestrator.ts';

export interface SinkEvents extends Pick<PickleActor, 'on'> {
  stop(): void;
}

export function sinkEvents(orchestrator: Pick<PickleActor, 'on'>): SinkEvents {
  const subs: Subscription[] = [];
  const on: PickleActor['on'] = (type, handler) => {
    const sub = orchestrator.on(type, handler);
    subs.push(sub);
    return sub;
  };
  return {
    on,
    stop() {
      for (const sub of subs.splice(0)) sub.unsubscribe();
    },
  };
}
