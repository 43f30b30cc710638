/**
 * Runs the doctor's checks in parallel, each bounded by its own timeout, so the whole run ends
 * in well under 30 s even when nothing answers. A check that throws or times out is a ✗ line,
 * never a crash. Every line is cleaned of secrets before it is printed: URLs lose their userinfo
 * and query values, then every known secret is replaced.
 */
import { maskUrls } from '../security/maskUrl.ts';
import { fail, reason, type Check, type CheckResult } from './types.ts';

export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

export async function runChecks(checks: readonly Check[], defaultTimeoutMs = DEFAULT_CHECK_TIMEOUT_MS): Promise<CheckResult[]> {
  const settled = await Promise.all(
    checks.map(async (check) => {
      const ms = check.timeoutMs ?? defaultTimeoutMs;
      const ctrl = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<CheckResult>((resolve) => {
        timer = setTimeout(() => {
          ctrl.abort();
          resolve(fail(check.name, `no answer in ${Math.round(ms / 1000)} s`));
        }, ms);
      });
      try {
        const r = await Promise.race([check.run(ctrl.signal), timeout]);
        return Array.isArray(r) ? r : [r];
      } catch (err) {
        return [fail(check.name, reason(err))];
      } finally {
        clearTimeout(timer);
        ctrl.abort();
      }
    }),
  );
  return settled.flat();
}

const MARKS = { ok: '✓', warn: '!', fail: '✗' } as const;

/** `✓ Ollama        reachable, phi3.5:latest pulled` / `✗ Deepgram      key refused (401) → set DEEPGRAM_API_KEY …` */
export function formatResult(r: CheckResult, secrets: readonly string[]): string {
  const line = `${MARKS[r.mark]} ${r.name.padEnd(14)} ${r.found}${r.fix ? ` → ${r.fix}` : ''}`;
  return redact(maskUrls(line), secrets);
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** 0 when everything that is configured works (✓ and ! only), 1 otherwise. */
export function exitCodeOf(results: readonly CheckResult[]): number {
  return results.some((r) => r.mark === 'fail') ? 1 : 0;
}
