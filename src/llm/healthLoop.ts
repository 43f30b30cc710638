/**
 * A background health loop for an LLM backend: runs `check` now, then every `checkIntervalMs`
 * while it passes, and with a doubling back-off (from `retryIntervalMs` up to
 * `maxRetryIntervalMs`) while it fails. `poke()` asks for an early re-check after a reply failed
 * for a reason the loop watches. A check that throws is logged and counted as a failure: the
 * loop never dies.
 */
export interface HealthLoopOptions {
  retryIntervalMs: number;
  maxRetryIntervalMs: number;
  checkIntervalMs: number;
  onCrash(err: unknown): void;
}

export interface HealthLoop {
  start(): void;
  stop(): Promise<void>;
  poke(): void;
}

export function createHealthLoop(check: (signal: AbortSignal) => Promise<boolean>, opts: HealthLoopOptions): HealthLoop {
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let failures = 0;
  let ctrl = new AbortController();

  const schedule = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(tick, ms);
    timer.unref?.();
  };
  const tick = () => {
    if (stopped || running) return;
    running = check(ctrl.signal)
      .catch((err: unknown) => {
        opts.onCrash(err);
        return false;
      })
      .then((ok) => {
        failures = ok ? 0 : failures + 1;
        running = null;
        if (stopped) return;
        schedule(ok ? opts.checkIntervalMs : Math.min(opts.retryIntervalMs * 2 ** Math.max(0, failures - 1), opts.maxRetryIntervalMs));
      });
  };
  return {
    start() {
      if (!stopped) return;
      stopped = false;
      failures = 0;
      ctrl = new AbortController();
      schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      ctrl.abort();
      await running;
    },
    poke() {
      if (stopped || running) return;
      failures = 0;
      schedule(opts.retryIntervalMs);
    },
  };
}
