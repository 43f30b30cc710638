/**
 * Pickle's replies in chat: queued, paced inside Twitch's limits (rateLimiter.ts), sent only
 * while the channel is joined. Twitch answers a delivered PRIVMSG with USERSTATE (which also says
 * whether the bot is a mod, and so how fast it may write) and a refused one with a NOTICE.
 */
import type { Client as TmiClient } from 'tmi.js';
import type { ServiceState } from '../../machines/events.ts';
import { chatRefusalVerdict } from '../../machines/chatRefusal.ts';
import type { Logger } from '../log.ts';
import { errorText } from './botTokens.ts';
import { isPrivileged, type TmiTags } from './parse.ts';
import { ChatRateLimiter, type ChatRateLimits, type RateLimiterStats } from './rateLimiter.ts';

export interface ChatRepliesOptions {
  channel: string;
  limits: Partial<ChatRateLimits> | undefined;
  now: () => number;
  log: Logger;
  /** The client to send with, while the channel is joined. */
  joined(): TmiClient | undefined;
  login(): string | undefined;
  report(state: ServiceState, detail: string, extra?: { fix?: string; lastError?: string }): void;
  upDetail(): string;
}

export class ChatReplies {
  private readonly limiter: ChatRateLimiter;
  /** The NOTICE that made Twitch refuse the bot's replies, until one is delivered again. */
  private refusedBy: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ChatRepliesOptions) {
    this.limiter = new ChatRateLimiter(opts.limits, opts.now);
  }

  get stats(): RateLimiterStats & { pending: number } {
    return { ...this.limiter.stats, pending: this.limiter.pending };
  }

  enqueue(text: string): void {
    const r = this.limiter.enqueue(text);
    if (!r.ok) return void this.opts.log.debug({ reason: r.reason }, 'twitch: chat reply not queued');
    if (r.droppedOldest) this.opts.log.warn('twitch: chat reply queue full, dropped the oldest reply');
    this.pump();
  }

  /** Joined (again): nothing is known to be refused any more; send what waits. */
  joined(): void {
    this.refusedBy = undefined;
    this.pump();
  }

  /** No client to send with: the pacing timer stops (the queue stays for the next join). */
  pause(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  clear(): void {
    this.pause();
    this.limiter.clear();
  }

  onUserState(tags: TmiTags): void {
    this.onDelivered();
    const was = this.limiter.privileged;
    this.limiter.setPrivileged(isPrivileged(tags, this.opts.login(), this.opts.channel));
    if (was !== this.limiter.privileged) this.pump();
  }

  onNotice(msgid: string): void {
    const verdict = chatRefusalVerdict(msgid, this.opts.channel, this.opts.login() ?? '');
    if (verdict.kind === 'other') return void this.opts.log.debug({ msgid }, 'twitch: notice');
    this.opts.log.warn({ msgid }, `twitch: ${verdict.detail}`);
    if (verdict.kind !== 'degraded') return;
    this.refusedBy = msgid;
    this.opts.report('degraded', verdict.detail, { fix: verdict.fix, lastError: msgid });
  }

  /** Twitch answers a delivered PRIVMSG with USERSTATE: replies reach chat again. */
  private onDelivered(): void {
    if (!this.refusedBy || !this.opts.joined()) return;
    this.opts.log.info({ msgid: this.refusedBy }, 'twitch: chat replies are delivered again');
    this.refusedBy = undefined;
    this.opts.report('up', this.opts.upDetail());
  }

  private pump(): void {
    const client = this.opts.joined();
    if (this.timer || !client) return;
    for (;;) {
      const next = this.limiter.poll();
      if (!next) return;
      if ('waitMs' in next) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, next.waitMs);
        return;
      }
      client.say(`#${this.opts.channel}`, next.text).catch((err: unknown) => {
        this.opts.log.warn({ err: errorText(err) }, 'twitch: could not send a chat reply');
      });
    }
  }
}
