/**
 * Pickle's replies in chat, carried out for two machines: chat pacing (machines/chatPacing)
 * decides what is sent and when; chat refusal (machines/chatRefusal.ts) decides when Twitch's
 * refusals make the replies `degraded` and when they reach chat again. This reports the facts they
 * need (a reply asked for, the channel joined or left, the bot's badge, a NOTICE, a delivery) and
 * sends the lines and status lines they emit. Twitch answers a delivered PRIVMSG with USERSTATE
 * (which also says whether the bot is a mod, and so how fast it may write) and a refused one with
 * a NOTICE.
 */
import type { Client as TmiClient } from 'tmi.js';
import type { AdapterChild } from '../../machines/children.ts';
import type { ServiceState } from '../../machines/events.ts';
import type { PacingStats } from '../../machines/chatPacing/pacing.ts';
import { tell, type ChildHost } from '../children.ts';
import type { Logger } from '../log.ts';
import { errorText } from '../errors.ts';
import { isPrivileged, type TmiTags } from './parse.ts';
import { TWITCH_SEND_LIMITS } from './sendLimits.ts';
import type { ChatSendLimits } from '../../machines/chatPacing/pacing.ts';

export interface ChatRepliesOptions {
  channel: string;
  limits: Partial<ChatSendLimits> | undefined;
  children: ChildHost;
  now: () => number;
  log: Logger;
  /** The client to send with, while the channel is joined. */
  joined(): TmiClient | undefined;
  login(): string | undefined;
  report(state: ServiceState, detail: string, extra?: { fix?: string; lastError?: string }): void;
  upDetail(): string;
}

export class ChatReplies {
  private readonly pacing: AdapterChild<'chatPacing'>;
  private readonly refusal: AdapterChild<'chatRefusal'>;

  constructor(private readonly opts: ChatRepliesOptions) {
    this.pacing = opts.children.start({ src: 'chatPacing', systemId: 'chatPacing:twitch', input: { limits: { ...TWITCH_SEND_LIMITS, ...opts.limits } } });
    this.pacing.on('line.send', (e) => this.send(e.text));
    this.pacing.on('line.refused', (e) => this.opts.log.debug({ reason: e.reason }, 'twitch: chat reply not queued'));
    this.pacing.on('line.droppedOldest', () => this.opts.log.warn('twitch: chat reply queue full, dropped the oldest reply'));
    this.refusal = opts.children.start({ src: 'chatRefusal', systemId: 'chatRefusal:twitch', input: {} });
    this.refusal.on('notice.other', (e) => this.opts.log.debug({ msgid: e.msgId }, 'twitch: notice'));
    this.refusal.on('reply.dropped', (e) => this.opts.log.warn({ msgid: e.msgId }, `twitch: ${e.detail}`));
    this.refusal.on('replies.refused', (e) => {
      this.opts.log.warn({ msgid: e.msgId }, `twitch: ${e.detail}`);
      this.opts.report('degraded', e.detail, { fix: e.fix, lastError: e.msgId });
    });
    this.refusal.on('replies.delivered', (e) => {
      this.opts.log.info({ msgid: e.msgId }, 'twitch: chat replies are delivered again');
      this.opts.report('up', this.opts.upDetail());
    });
  }

  get stats(): PacingStats & { pending: number } {
    const { pacing } = this.pacing.getSnapshot().context;
    return { ...pacing.stats, pending: pacing.queue.length };
  }

  enqueue(text: string): void {
    tell(this.pacing, { type: 'line.requested', text, ts: this.opts.now() });
  }

  /** Joined (again): nothing is known to be refused any more; what waits may go. */
  joined(): void {
    tell(this.refusal, { type: 'channel.joined' });
    tell(this.pacing, { type: 'channel.joined', ts: this.opts.now() });
  }

  /** No client to send with: the queue stays for the next join. */
  pause(): void {
    tell(this.pacing, { type: 'channel.left' });
  }

  clear(): void {
    tell(this.pacing, { type: 'lines.cleared' });
  }

  /** Twitch answers a delivered PRIVMSG with USERSTATE. */
  onUserState(tags: TmiTags): void {
    if (this.opts.joined()) tell(this.refusal, { type: 'line.delivered' });
    tell(this.pacing, { type: 'sender.privileged', privileged: isPrivileged(tags, this.opts.login(), this.opts.channel), ts: this.opts.now() });
  }

  onNotice(msgid: string): void {
    tell(this.refusal, { type: 'line.refused', msgId: msgid, channel: this.opts.channel, bot: this.opts.login() ?? '' });
  }

  private send(text: string): void {
    const client = this.opts.joined();
    if (!client) return void this.opts.log.warn('twitch: a chat reply was due but the channel is not joined; dropped');
    client.say(`#${this.opts.channel}`, text).catch((err: unknown) => {
      this.opts.log.warn({ err: errorText(err) }, 'twitch: could not send a chat reply');
    });
  }
}
