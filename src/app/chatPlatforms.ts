/**
 * Every chat the streamer is live in: each platform's adapter starts from its own folder, and the
 * bot's lines (`chat.say`) go back to the chat they answer (src/chat/sink.ts).
 */
import type { PickleEvent } from '../../machines/events.ts';
import { routeChatSay } from '../chat/sink.ts';
import type { ChildHost } from '../children.ts';
import type { Env } from '../config/env.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import type { SinkEvents } from '../sinks.ts';
import { startTwitchChat } from './twitchChat.ts';
import { startYoutubeChat } from '../youtube/start.ts';
import { startKickChat } from '../kick/start.ts';

export interface ChatPlatformsOptions {
  env: Env;
  dataDir: string;
  status: StatusBoard;
  log: Logger;
  send: (event: PickleEvent) => void;
  /** The orchestrator's events, as a sink: `chat.say` is carried out here. */
  events: Pick<SinkEvents, 'on'>;
  children: ChildHost;
  /** Faster reconnects for tests. */
  twitchBackoffMs?: number | undefined;
}

export interface ChatPlatforms {
  stop(): Promise<void>;
}

export function startChatPlatforms(opts: ChatPlatformsOptions): ChatPlatforms {
  const sink = routeChatSay(opts.events);
  const twitch = startTwitchChat(opts);
  if (twitch) sink.add('twitch', twitch);
  const youtube = startYoutubeChat(opts);
  if (youtube) sink.add('youtube', youtube);
  const kick = startKickChat(opts);
  if (kick) sink.add('kick', kick);
  return {
    async stop() {
      sink.stop();
      kick?.stop();
      await youtube?.stop();
      await twitch?.stop();
    },
  };
}
