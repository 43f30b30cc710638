/**
 * Channel-point questions and follows (EventSub); the orchestrator routes the redemptions machine
 * the chat, replies and decisions it watches. Chat over IRC does not depend on it.
 */
import type { PickleEvent } from '../../machines/events.ts';
import type { Env } from '../config/env.ts';
import { rewardTitleOf } from '../config/persona.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { startEventFeed, type EventFeed } from '../twitch/eventsub/index.ts';
import type { ChildHost } from '../children.ts';
import type { LivePersona } from './persona.ts';

export interface TwitchEventsOptions {
  env: Env;
  dataDir: string;
  status: StatusBoard;
  log: Logger;
  send: (event: PickleEvent) => void;
  /** Where the feed's machines run (the orchestrator's children). */
  children: ChildHost;
  persona: LivePersona;
  /** Faster reconnects for tests. */
  twitchBackoffMs?: number | undefined;
}

export function startTwitchEvents(opts: TwitchEventsOptions): EventFeed | undefined {
  const { env, dataDir, status, log, send } = opts;
  return startEventFeed({
    env,
    dataDir,
    status,
    log: log.child({ service: 'twitch-events' }),
    send,
    rewardTitle: () => rewardTitleOf(opts.persona.current()),
    children: opts.children,
    ...(opts.twitchBackoffMs ? { backoff: { baseMs: opts.twitchBackoffMs, maxMs: opts.twitchBackoffMs * 4 } } : {}),
  });
}
