/**
 * Twitch chat adapter: tmi.js in, Pickle input events out, rate-limited replies back.
 *
 * The connection's life (log in, join, reconnect, renew the token) is the link's (link.ts, driven
 * by the reconnect machine); what happens in the channel is forwarded by chatEvents.ts; replies
 * are paced by the chat pacing machine and sent by replies.ts. Every status change goes to the StatusBoard and out as `service.status`.
 */
import type { InputEvent, ServiceState } from '../../machines/events.ts';
import { standaloneChildren } from '../children.ts';
import { errorText } from '../errors.ts';
import { forwardChannelEvents } from './chatEvents.ts';
import { TwitchLink } from './link.ts';
import type { TwitchChat, TwitchChatOptions, TwitchChatStats } from './options.ts';
import { chatMessageFromTags } from './parse.ts';
import { ChatReplies } from './replies.ts';

export { READ_ONLY_FIX, TOKEN_FIX, TWITCH_IRC_URL, tmiConnectionFromUrl, type TwitchChat, type TwitchChatOptions, type TwitchChatStats } from './options.ts';

export function createTwitchChat(opts: TwitchChatOptions): TwitchChat {
  return new TwitchChatClient(opts);
}

class TwitchChatClient implements TwitchChat {
  private readonly now: () => number;
  private readonly link: TwitchLink;
  private readonly replies: ChatReplies;
  private lastSent: { state: ServiceState; detail: string } | undefined;
  private readonly counters = { messages: 0, events: 0, sayRefused: 0 };

  constructor(private readonly opts: TwitchChatOptions) {
    this.now = opts.now ?? Date.now;
    // In Pickle the machines are the orchestrator's children (its clock, the inspector).
    const children = opts.children ?? standaloneChildren();
    this.link = new TwitchLink({ ...opts, children }, {
      report: (state, detail, extra) => this.report(state, detail, extra),
      attach: (client, mine) =>
        forwardChannelEvents(client, {
          mine,
          now: this.now,
          message: (tags, text) => {
            this.counters.messages++;
            this.emitInput({ type: 'chat.message', message: chatMessageFromTags(tags, text, this.now()) });
          },
          streamEvent: (event) => {
            this.counters.events++;
            this.emitInput({ type: 'stream.event', event });
          },
          moderation: (event) => this.emitInput(event),
          notice: (msgid) => this.replies.onNotice(msgid),
          failed: (err) => opts.log.error({ err: errorText(err) }, 'twitch: failed to handle a chat event'),
        }),
      userState: (tags) => this.replies.onUserState(tags),
      joined: () => this.replies.joined(),
      dropped: () => this.replies.pause(),
      readOnly: () => this.replies.clear(),
    });
    this.replies = new ChatReplies({
      channel: this.link.channel,
      limits: opts.limits,
      children,
      now: this.now,
      log: opts.log,
      joined: () => this.link.joinedClient,
      login: () => this.link.login,
      report: (state, detail, extra) => this.report(state, detail, extra),
      upDetail: () => `connected to #${this.link.channel} as ${this.link.login ?? '?'}`,
    });
  }

  get mode(): 'authenticated' | 'anonymous' {
    return this.link.anonymous ? 'anonymous' : 'authenticated';
  }

  start(): Promise<void> {
    return this.link.start();
  }

  async stop(): Promise<void> {
    this.replies.clear();
    await this.link.stop();
  }

  /** Which replies go to chat is the brain's (`chat.say`); this only writes them, when it can. */
  say(text: string): void {
    if (this.link.anonymous || this.link.down) {
      this.counters.sayRefused++;
      this.opts.log.debug({ mode: this.mode }, 'twitch: chat reply not sent (cannot write in chat)');
      return;
    }
    this.replies.enqueue(text);
  }

  stats(): TwitchChatStats {
    return { connects: this.link.connects, ...this.counters, ...this.replies.stats };
  }

  private emitInput(event: InputEvent): void {
    try {
      this.opts.send(event);
    } catch (err) {
      this.opts.log.error({ err: errorText(err), type: event.type }, 'twitch: event consumer threw');
    }
  }

  private report(state: ServiceState, detail: string, extra: { fix?: string; lastError?: string } = {}): void {
    this.opts.status.set('twitch', state, detail, extra);
    if (this.lastSent?.state === state && this.lastSent.detail === detail) return;
    this.lastSent = { state, detail };
    this.emitInput({ type: 'service.status', service: 'twitch', state, detail });
  }
}
