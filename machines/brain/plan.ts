import type { BrainOutEvent, Decision, DecisionReason } from '../events.ts';
import type { Trigger } from './types.ts';
import { offer, UNADDRESSED_RANK } from './addressed.ts';
import { summaryOf, type AddressedEntry } from './conversation.ts';

/**
 * What one input does to the brain's queue (pure): which entries join it, which leave and why,
 * and the decisions that say so. The brain applies the plan: context, events out, expiry timers.
 */

export interface QueueState {
  queue: AddressedEntry[];
  queued: number;
}

export interface Plan {
  patch: Partial<QueueState> & { pending?: Trigger };
  out: BrainOutEvent[];
  /** Entries whose time in the queue starts now. */
  expire: string[];
}

export type Why = 'idle' | 'busy' | 'cooldown';

const decided = (d: Decision): BrainOutEvent => ({ type: 'brain.decision', decision: d });

function decision(t: Trigger, respond: boolean, reason: DecisionReason, summary = summaryOf(t)): Decision {
  return { input: t.input, respond, reason, summary, ts: t.ts, ...(t.triggerId ? { triggerId: t.triggerId } : {}) };
}

/** An entry leaves without an answer: `respond: false`, the reason, and its message id (redemptions are refunded by it). */
export const dropped = (e: AddressedEntry, reason: DecisionReason): BrainOutEvent => decided(decision(e.item, false, reason));

/** Puts addressed entries in the queue: each is accepted (and said so) or dropped with its reason. */
export function queueUp(state: QueueState, entries: readonly AddressedEntry[], why: Why, keepPlace = false): Plan {
  let queue = state.queue;
  let queued = state.queued;
  const out: BrainOutEvent[] = [];
  const expire: string[] = [];
  for (const e of entries) {
    queued += 1;
    // A reply that gave way goes back to the front of its rank: it was first in line already.
    const entry = { ...e, seq: keepPlace ? Math.min(0, ...queue.map((q) => q.seq)) - 1 : queued };
    const r = offer(queue, entry);
    queue = r.queue;
    for (const d of r.dropped) out.push(dropped(d.entry, d.reason));
    if (!r.accepted) continue;
    expire.push(entry.id);
    const t = entry.item;
    out.push(decided(why === 'idle' ? decision(t, true, t.reason) : decision(t, true, 'pending-mention', `${summaryOf(t)} (${why === 'busy' ? 'queued behind the current reply' : 'answered at once, after a breath'})`)));
  }
  return { patch: { queue, queued }, out, expire };
}

/** The gate's verdict on an input as a whole (brain.ts), for inputs that address nobody. */
export interface Gated {
  trigger?: Trigger;
  decision: Decision;
}

/** An input: addressed ones join the queue; otherwise answered now when idle, or noted with why not. */
export function planInput(state: QueueState & { muted: boolean }, addressed: readonly AddressedEntry[], gated: Gated | undefined, why: Why): Plan | undefined {
  if (state.muted) {
    const out = addressed.length > 0 ? addressed.map((a) => dropped(a, 'muted')) : gated ? [decided({ ...gated.decision, respond: false, reason: 'muted' })] : [];
    return { patch: {}, out, expire: [] };
  }
  if (addressed.length > 0) return queueUp(state, addressed, why);
  if (!gated) return undefined;
  if (why === 'idle') return { patch: gated.trigger ? { pending: { ...gated.trigger, rank: UNADDRESSED_RANK } } : {}, out: [decided(gated.decision)], expire: [] };
  // A silenced viewer's line says so, whatever the brain is doing.
  const reason = gated.decision.reason === 'silenced' ? 'silenced' : why;
  return { patch: {}, out: [decided({ ...gated.decision, respond: false, reason })], expire: [] };
}
