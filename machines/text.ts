/** Small text helpers shared by the machines and the adapters (pure). */

/** The message of anything thrown (an Error's message, else the value as text). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Cuts a text to at most `n` characters, marking the cut with an ellipsis. */
export const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
