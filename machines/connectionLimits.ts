/**
 * How much a network address may cost Pickle before it is turned away, decided before any work:
 * each address has an allowance (a token bucket: `burst` at once, refilled at `perSec`) for each
 * kind of attempt, and one that has spent it is refused at the door until it refills. Two kinds:
 * - `connect`: socket.io namespace CONNECT packets. Every one is counted (nothing is known about
 *   its secret before it is decoded); the panel, the inspector, a few overlays and the hidden
 *   browser's pages together open well under ten, also after a restart.
 * - `refused`: HTTP requests that were refused (401, 403, 429): a client with the right token
 *   never spends it.
 * Time is given, never read; the adapter (src/server/limits.ts) counts what is refused and never
 * logs a line per refusal.
 */
export interface Allowance {
  /** Attempts at once. */
  burst: number;
  /** Attempts per second after the burst. */
  perSec: number;
}

export type LimitKind = 'connect' | 'refused';

export const CONNECTION_LIMITS: Record<LimitKind, Allowance> = {
  connect: { burst: 100, perSec: 10 },
  refused: { burst: 100, perSec: 10 },
};

/** Addresses remembered per kind; past that, full buckets (and then the oldest) are forgotten. */
const MAX_TRACKED = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/** The allowance left at `now` (refilled since `b.at`, never above the burst). */
export function refill(b: Bucket, now: number, a: Allowance): number {
  return Math.min(a.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * a.perSec);
}

export class AddressLimits {
  private readonly buckets: Record<LimitKind, Map<string, Bucket>> = { connect: new Map(), refused: new Map() };

  constructor(
    private readonly now: () => number,
    private readonly limits: Record<LimitKind, Allowance> = CONNECTION_LIMITS,
  ) {}

  /** One attempt of `kind` from `address`: true when its allowance covers it (and it is spent). */
  spend(kind: LimitKind, address: string): boolean {
    const now = this.now();
    const a = this.limits[kind];
    const map = this.buckets[kind];
    const b = map.get(address);
    const tokens = b ? refill(b, now, a) : a.burst;
    if (tokens < 1) {
      b!.tokens = tokens;
      b!.at = now;
      return false;
    }
    if (!b) this.remember(map, address, { tokens: tokens - 1, at: now }, a, now);
    else {
      b.tokens = tokens - 1;
      b.at = now;
    }
    return true;
  }

  /** True while `address` has spent its allowance of `kind` (nothing is spent by asking). */
  exhausted(kind: LimitKind, address: string): boolean {
    const b = this.buckets[kind].get(address);
    return b !== undefined && refill(b, this.now(), this.limits[kind]) < 1;
  }

  private remember(map: Map<string, Bucket>, address: string, b: Bucket, a: Allowance, now: number): void {
    if (map.size >= MAX_TRACKED) {
      for (const [k, v] of map) if (refill(v, now, a) >= a.burst) map.delete(k);
      // Still nearly full (a flood from many addresses): forget the oldest tenth, which only gives them a
      // fresh burst; the room made keeps the next sweep a thousand addresses away.
      for (const k of map.keys()) {
        if (map.size < MAX_TRACKED * 0.9) break;
        map.delete(k);
      }
    }
    map.set(address, b);
  }
}
