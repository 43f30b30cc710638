/**
 * The bot's lines out: each `chat.say` goes to the chat of the platform whose message it answers,
 * and nowhere else. The sink decides nothing (the brain chose the line and its platform; each
 * platform's pacing machine chooses when it goes out); a platform without a writer (rehearsal,
 * a plugin, a chat that is read only) drops it, counted.
 */
import type { ChatPlatform, PickleEvent } from '../../machines/events.ts';

/** A platform's way to post a line in its chat, answering one of its messages. */
export interface ChatWriter {
  say(text: string, inReplyTo: string): void;
}

interface Emitter {
  on(type: 'chat.say', listener: (event: Extract<PickleEvent, { type: 'chat.say' }>) => void): { unsubscribe(): void };
}

export interface ChatSink {
  /** The platform's writer (replaces an earlier one). */
  add(platform: ChatPlatform, writer: ChatWriter): void;
  /** Lines whose platform has no writer. */
  readonly unrouted: number;
  stop(): void;
}

export function routeChatSay(orchestrator: Emitter): ChatSink {
  const writers = new Map<ChatPlatform, ChatWriter>();
  let unrouted = 0;
  const sub = orchestrator.on('chat.say', (e) => {
    const writer = writers.get(e.platform);
    if (writer) writer.say(e.text, e.inReplyTo);
    else unrouted++;
  });
  return {
    add: (platform, writer) => void writers.set(platform, writer),
    get unrouted() {
      return unrouted;
    },
    stop: () => sub.unsubscribe(),
  };
}
