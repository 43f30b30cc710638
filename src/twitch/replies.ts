/**
 * Pickle's replies in chat, carried out for the chat pacing machine (machines/chatPacing): it
 * decides what is sent and when; this reports the facts it needs (a reply asked for, the channel
 * joined or left, the bot's badge) and sends the lines it emits while the channel is joined.
 * Twitch answers a delivered PRIVMSG with USERSTATE (which also says whether the bot is a mod,
 * and so how fast it may write) and a refused one with a NOTICE.
 */
import type { Client as TmiClient } from 'tmi.js';
import type { AdapterChild } from '../../machines/children.ts';
import type { ServiceState } from '../../machines/events.ts';
import type { PacingStats } from '../../machines/chatPacing/pacing.ts';
import { chatRefusalVerdict } from '../../machines/chatRefusal.ts';
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
  /** The NOTICE that made Twitch refuse the bot's replies, until one is delivered again. */
  private refusedBy: string | undefined;

  constructor(private readonly opts: ChatRepliesOptions) {
    this.pacing = opts.children.start({ src: 'chatPacing', systemId: 'chatPacing:twitch', input: { limits: { ...TWITCH_SEND_LIMITS, ...opts.limits } } });
    this.pacing.on('line.send', (e) => this.send(e.text));
    this.pacing.on('line.refused', (e) => this.opts.log.debug({ reason: e.reason }, 'twitch: chat reply not queued'));
    this.pacing.on('line.droppedOldest', () => this.opts.log.warn('twitch: chat reply queue full, dropped the oldest reply'));
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
    this.refusedBy = undefined;
    tell(this.pacing, { type: 'channel.joined', ts: this.opts.now() });
  }

  /** No client to send with: the queue stays for the next join. */
  pause(): void {
    tell(this.pacing, { type: 'channel.left' });
  }

  clear(): void {
    tell(this.pacing, { type: 'lines.cleared' });
  }

  onUserState(tags: TmiTags): void {
    this.onDelivered();
    tell(this.pacing, { type: 'sender.privileged', privileged: isPrivileged(tags, this.opts.login(), this.opts.channel), ts: this.opts.now() });
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

  private send(text: string): void {
    const client = this.opts.joined();
    if (!client) return void this.opts.log.warn('twitch: a chat reply was due but the channel is not joined; dropped');
    client.say(`#${this.opts.channel}`, text).catch((err: unknown) => {
      this.opts.log.warn({ err: errorText(err) }, 'twitch: could not send a chat reply');
    });
  }
}
