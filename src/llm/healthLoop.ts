/**
 * An LLM backend's health checks, carried out for the health-check machine
 * (machines/healthCheck.ts), which decides when to check: now, every `checkIntervalMs` while
 * checks pass, with a doubling pause while they fail, and early after `poke()` (a reply failed for
 * a reason the check watches). This runs `check` when asked and reports how it went; a check
 * that throws is logged and reported as a failure.
 */
import type { AdapterChild } from '../../machines/children.ts';
import type { HealthCheckInput } from '../../machines/healthCheck.ts';
import { standaloneChildren, tell, type ChildHost } from '../children.ts';

export interface HealthLoopOptions extends HealthCheckInput {
  /** The machine's systemId (`healthCheck:<service>`). */
  systemId: string;
  onCrash: (err: unknown) => void;
}

export interface HealthLoop {
  /** Starts checking; in Pickle the machine runs as the orchestrator's child (`children`). */
  start(children?: ChildHost): void;
  stop(): Promise<void>;
  poke(): void;
}

export function createHealthLoop(check: (signal: AbortSignal) => Promise<boolean>, opts: HealthLoopOptions): HealthLoop {
  const { systemId, onCrash, ...input } = opts;
  let machine: AdapterChild<'healthCheck'> | undefined;
  let host: ChildHost | undefined;
  let running: Promise<void> | null = null;
  let ctrl = new AbortController();

  const runCheck = (m: AdapterChild<'healthCheck'>) => {
    const signal = ctrl.signal;
    running = check(signal)
      .catch((err: unknown) => {
        onCrash(err);
        return false;
      })
      .then((ok) => {
        running = null;
        if (!signal.aborted) tell(m, { type: ok ? 'health.passed' : 'health.failed' });
      });
  };

  return {
    start(children = standaloneChildren()) {
      if (machine) return;
      ctrl = new AbortController();
      host = children;
      const m = children.start({ src: 'healthCheck', systemId, input });
      machine = m;
      m.on('health.check', () => runCheck(m));
      m.send({ type: 'health.start' });
    },
    async stop() {
      const m = machine;
      machine = undefined;
      ctrl.abort();
      if (m) {
        tell(m, { type: 'health.stop' });
        host?.stop(systemId);
      }
      await running;
    },
    poke() {
      if (machine) tell(machine, { type: 'health.suspect' });
    },
  };
}
