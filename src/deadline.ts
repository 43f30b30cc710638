/**
 * One wait with a limit, for every adapter that must not hang on a service: the promise's own
 * outcome, or `onTimeout()` after `ms`, or `onAbort()` once `signal` aborts, whichever comes
 * first. The timer and the abort listener go when it settles; the timer never keeps Node alive.
 */
export interface DeadlineOptions {
  signal?: AbortSignal;
  /** The error when `signal` aborts (default: `Error('aborted')`). */
  onAbort?: () => Error;
}

export function withDeadline<T>(p: Promise<T>, ms: number, onTimeout: () => Error, opts: DeadlineOptions = {}): Promise<T> {
  const { signal } = opts;
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const settle = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', aborted);
    };
    function aborted() {
      settle();
      reject(opts.onAbort?.() ?? new Error('aborted'));
    }
    if (signal?.aborted) return aborted();
    signal?.addEventListener('abort', aborted, { once: true });
    timer = setTimeout(() => {
      settle();
      reject(onTimeout());
    }, ms);
    timer.unref();
    // Settled after the deadline: resolve and reject are then no-ops.
    p.finally(settle).then(resolve, reject);
  });
}
