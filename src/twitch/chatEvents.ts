/**
 * What happens in the channel, from tmi.js's events to Pickle's input events: chat lines, bits,
 * subs and raids, deleted lines and bans, and the NOTICEs by which Twitch refuses the bot's replies.
 *
 * Own messages echoed by tmi.js (`self`) are dropped here: Twitch never sends them back, tmi
 * fakes them locally, and forwarding them would let Pickle answer itself.
 */
import type { ChatUserstate, Client as TmiClient } from 'tmi.js';
import type { InputEvent, StreamEvent } from '../../machines/events.ts';
import { cheerEventFromTags, streamEventFromUserNotice, type TmiTags, type UserNoticeKind } from './parse.ts';

export interface ChannelEventSink {
  /** Is `channel` (`#name`) Pickle's channel, on the connection in use? */
  mine: (channel: string) => boolean;
  now(): number;
  message(tags: ChatUserstate, text: string): void;
  streamEvent(event: StreamEvent): void;
  moderation(event: Extract<InputEvent, { type: 'chat.deleted' | 'chat.cleared' }>): void;
  notice(msgid: string): void;
  /** A handler threw: the event is dropped, the connection stays. */
  failed(err: unknown): void;
}

export function forwardChannelEvents(client: TmiClient, sink: ChannelEventSink): void {
  const guard =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) => {
      try {
        fn(...args);
      } catch (err) {
        sink.failed(err);
      }
    };
  const { mine } = sink;

  client.on(
    'message',
    guard((channel: string, tags: ChatUserstate, text: string, self: boolean) => {
      if (!self && mine(channel)) sink.message(tags, text);
    }),
  );
  // tmi emits 'cheer' instead of 'message' for lines carrying bits.
  client.on(
    'cheer',
    guard((channel: string, tags: ChatUserstate, text: string) => {
      if (!mine(channel)) return;
      sink.message(tags, text);
      const ev = cheerEventFromTags(tags, text, sink.now());
      if (ev) sink.streamEvent(ev);
    }),
  );

  const notice = (kind: UserNoticeKind) => (channel: string, tags: TmiTags, text?: string | null) => {
    if (mine(channel)) sink.streamEvent(streamEventFromUserNotice(kind, tags, text, sink.now()));
  };
  client.on('subscription', guard((ch, _u, _m, text, tags) => notice('sub')(ch, tags, text)));
  client.on('resub', guard((ch, _u, _months, text, tags) => notice('resub')(ch, tags, text)));
  client.on('subgift', guard((ch, _u, _streak, _recipient, _m, tags) => notice('subgift')(ch, tags)));
  client.on('anonsubgift', guard((ch, _streak, _recipient, _m, tags) => notice('subgift')(ch, tags)));
  client.on('submysterygift', guard((ch, _u, _n, _m, tags) => notice('submysterygift')(ch, tags)));
  client.on('anonsubmysterygift', guard((ch, _n, _m, tags) => notice('submysterygift')(ch, tags)));
  // The tags come as a 4th argument (declared in tmi-augment.d.ts).
  client.on('raided', guard((ch, _u, _n, tags) => notice('raid')(ch, tags ?? {})));

  client.on(
    'messagedeleted',
    guard((channel, user, _text, tags) => {
      const id = typeof tags['target-msg-id'] === 'string' ? tags['target-msg-id'] : undefined;
      if (mine(channel) && id) sink.moderation({ type: 'chat.deleted', platform: 'twitch', messageId: id, ...(user ? { user } : {}) });
    }),
  );
  client.on(
    'timeout',
    guard((channel, user, _reason, duration) => {
      if (mine(channel)) sink.moderation({ type: 'chat.cleared', platform: 'twitch', user: user.toLowerCase(), durationSec: Number(duration) });
    }),
  );
  client.on(
    'ban',
    guard((channel, user) => {
      if (mine(channel)) sink.moderation({ type: 'chat.cleared', platform: 'twitch', user: user.toLowerCase() });
    }),
  );
  client.on(
    'clearchat',
    guard((channel) => {
      if (mine(channel)) sink.moderation({ type: 'chat.cleared', platform: 'twitch' });
    }),
  );
  client.on(
    'notice',
    guard((channel, msgid) => {
      if (mine(channel)) sink.notice(String(msgid));
    }),
  );
}
