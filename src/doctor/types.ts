/** One line of `npm run doctor`: ✓ works, ! works with a limitation or is not configured, ✗ broken. */
export type Mark = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  mark: Mark;
  /** What was checked, e.g. `Ollama`, `Deepgram`, `Twitch token`. */
  name: string;
  /** What was found (version, model, latency, devices…). */
  found: string;
  /** The step that fixes it (for ! and ✗). */
  fix?: string;
}

export interface Check {
  name: string;
  /** Longer for checks that start a browser. */
  timeoutMs?: number;
  run(signal: AbortSignal): Promise<CheckResult | CheckResult[]>;
}

export const ok = (name: string, found: string): CheckResult => ({ mark: 'ok', name, found });
export const warn = (name: string, found: string, fix?: string): CheckResult => ({ mark: 'warn', name, found, ...(fix ? { fix } : {}) });
export const fail = (name: string, found: string, fix?: string): CheckResult => ({ mark: 'fail', name, found, ...(fix ? { fix } : {}) });

/** The message of anything thrown, without a stack. */
export function reason(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { cause?: { code?: unknown } }).cause?.code;
    return typeof code === 'string' ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}
