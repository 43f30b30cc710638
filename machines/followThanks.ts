import { assertEvent, assign, enqueueActions, setup } from 'xstate';
import type { ChatPlatform, StreamEvent } from './events.ts';

/**
 * Follows come in bursts (a raid, a shout-out); thanking each one would drown the stream. Follows
 * are collected for a window from the first one and then thanked once, as one `follow` stream
 * event whose display name reads "Ana, Bo and 3 others" and whose amount is how many followed,
 * sent to the orchestrator (which routes it to chat like any stream event).
 */

export interface Follower {
  platform: ChatPlatform;
  id: string;
  user: string;
  displayName: string;
  ts: number;
}

export type FollowThanksEvent = { type: 'follow.received'; follower: Follower };
export type FollowThanksSent = { type: 'stream.event'; event: StreamEvent };

export const FOLLOW_WINDOW_MS = 10_000;
/** Names said out loud; the rest are counted. */
const NAMED = 2;

/** "Ana", "Ana and Bo", "Ana, Bo and 3 others". */
export function followersPhrase(names: readonly string[]): string {
  const shown = names.slice(0, NAMED);
  const rest = names.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} ${rest === 1 ? 'other' : 'others'}`;
  if (shown.length <= 1) return shown[0] ?? '';
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

export const followThanksMachine = setup({
  types: {
    context: {} as { windowMs: number; pending: Follower[] },
    events: {} as FollowThanksEvent,
    input: {} as { windowMs?: number },
  },
  delays: { followWindow: ({ context }) => context.windowMs },
  actions: {
    collect: assign(({ context, event }) => {
      assertEvent(event, 'follow.received');
      // A viewer who unfollows and follows again is thanked once.
      if (context.pending.some((f) => f.user === event.follower.user)) return {};
      return { pending: [...context.pending, event.follower] };
    }),
    thank: enqueueActions(({ context, enqueue }) => {
      const first = context.pending[0];
      if (!first) return;
      const last = context.pending[context.pending.length - 1] ?? first;
      enqueue.sendParent({
        type: 'stream.event',
        event: {
          platform: first.platform,
          kind: 'follow',
          id: `follows-${first.id}`,
          user: first.user,
          displayName: followersPhrase(context.pending.map((f) => f.displayName)),
          ts: last.ts,
          amount: context.pending.length,
        },
      } satisfies FollowThanksSent);
      enqueue.assign({ pending: [] });
    }),
  },
}).createMachine({
  id: 'followThanks',
  context: ({ input }) => ({ windowMs: input.windowMs ?? FOLLOW_WINDOW_MS, pending: [] }),
  initial: 'idle',
  states: {
    idle: {
      on: { 'follow.received': { target: 'collecting', actions: 'collect' } },
    },
    collecting: {
      on: { 'follow.received': { actions: 'collect' } },
      after: { followWindow: { target: 'idle', actions: 'thank' } },
    },
  },
});
