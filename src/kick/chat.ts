/**
 * Kick chat: the chatroom's Pusher channel (`chatrooms.<id>.v2`) through pusher-js, which speaks
 * protocol 7 (the handshake, subscribing, answering pings). When to connect, wait and give up is
 * the `reconnect:kick-chat` machine's: each attempt is a fresh pusher-js client that subscribes
 * once connected (so a dropped socket is resubscribed), and a drop is reported to the machine
 * instead of letting pusher-js retry on its own. Replies go through Kick's official API, paced by
 * `chatPacing:kick`.
 */
import type { AdapterChild } from '../../machines/children.ts';
import type { InputEvent, ServiceState } from '../../machines/events.ts';
import type { ReconnectEmitted } from '../../machines/reconnect.ts';
import { badInputLog, type BadInput } from '../chat/badInput.ts';
import type { OAuthToken } from '../chat/oauthToken.ts';
import { OwnLines } from '../chat/ownLines.ts';
import type { ChatWriter } from '../chat/sink.ts';
import { tell, type ChildHost } from '../children.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { CHATROOM_FIX, KickLookupError, lookUpChannel, type KickChannel } from './channel.ts';
import { inputOf } from './parse.ts';
import { pusherOptionsOf } from './pusherUrl.ts';
import { pusherVerdict, errorText } from '../errors.ts';
import { Pusher, type PusherClient } from './pusherClient.ts';
import { postKickLine } from './replies.ts';
import { KICK_SEND_LIMITS } from './sendLimits.ts';

export interface KickChatOptions {
  channel?: string | undefined;
  chatroomId?: number | undefined;
  apiUrl: string;
  pusherUrl: string;
  publicApiUrl: string;
  token?: OAuthToken | undefined;
  children: ChildHost;
  status: StatusBoard;
  log: Logger;
  send: (event: InputEvent) => void;
  backoff?: { baseMs: number; maxMs: number };
  now?: () => number;
  random?: () => number;
}

type Emitted<T extends ReconnectEmitted['type']> = Extract<ReconnectEmitted, { type: T }>;

export class KickChat implements ChatWriter {
  private readonly link: AdapterChild<'reconnect'>;
  private readonly pacing: AdapterChild<'chatPacing'>;
  private readonly bad: BadInput;
  private readonly now: () => number;
  private readonly random: () => number;
  private room: KickChannel | undefined;
  private pusher: PusherClient | undefined;
  private connected = false;
  private lastCode: number | undefined;
  private lastState: ServiceState | undefined;
  private readonly own = new OwnLines();
  readonly counters = { messages: 0, connects: 0, subscribed: 0, sayRefused: 0, sent: 0 };

  constructor(private readonly opts: KickChatOptions) {
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.bad = badInputLog(opts.log, 'kick');
    const backoff = opts.backoff ?? { baseMs: 1_000, maxMs: 60_000 };
    this.link = opts.children.start({ src: 'reconnect', systemId: 'reconnect:kick-chat', input: { ...backoff, stableMs: 30_000, connectTimeoutMs: 15_000 } });
    this.pacing = opts.children.start({ src: 'chatPacing', systemId: 'chatPacing:kick', input: { limits: KICK_SEND_LIMITS } });
    this.link.on('connection.open', () => void this.open());
    this.link.on('connection.retrying', (e) => this.onRetrying(e));
    this.link.on('connection.failed', (e) => this.report('down', `Kick chat stopped: ${e.reason}`, e.fix));
    this.link.on('connection.givenUp', (e) => this.report('down', `Kick chat gave up after ${e.attempts} attempts: ${e.reason}`));
    this.pacing.on('line.send', (e) => void this.post(e.text, e.inReplyTo));
  }

  get badInput(): Readonly<Record<string, number>> {
    return this.bad.counts;
  }

  start(): void {
    this.report('starting', 'connecting to Kick chat');
    tell(this.link, { type: 'connection.start' });
  }

  stop(): void {
    tell(this.link, { type: 'connection.stop' });
    tell(this.pacing, { type: 'lines.cleared' });
    this.close();
    this.opts.children.stop('reconnect:kick-chat');
    this.opts.children.stop('chatPacing:kick');
  }

  /** `inReplyTo`: the Kick message the line answers; Kick shows the line as a reply to it. */
  say(text: string, inReplyTo?: string): void {
    if (!this.opts.token || !this.connected) {
      this.counters.sayRefused++;
      return;
    }
    tell(this.pacing, { type: 'line.requested', text, ts: this.now(), inReplyTo });
  }

  private async open(): Promise<void> {
    this.close();
    try {
      this.room ??= this.opts.chatroomId !== undefined ? { chatroomId: this.opts.chatroomId } : await lookUpChannel(this.opts.apiUrl, this.opts.channel ?? '');
    } catch (err) {
      const e = err instanceof KickLookupError ? err : new KickLookupError(String(err), CHATROOM_FIX, true);
      this.opts.log.warn({ err: e.message }, `kick: ${e.message}`);
      return void tell(this.link, { type: 'connection.lost', failure: e.retryable ? 'retryable' : 'fatal', reason: e.message, jitter: this.random(), fix: e.fix });
    }
    const { key, options } = pusherOptionsOf(this.opts.pusherUrl);
    const pusher = new Pusher(key, options);
    this.pusher = pusher;
    this.lastCode = undefined;
    const mine = () => this.pusher === pusher;
    pusher.connection.bind('error', (err: unknown) => mine() && this.onError(err));
    pusher.connection.bind('state_change', (s: { previous: string; current: string }) => mine() && this.onState(s.current));
    const channel = pusher.subscribe(`chatrooms.${this.room.chatroomId}.v2`);
    channel.bind('pusher:subscription_succeeded', () => {
      if (!mine()) return;
      this.counters.subscribed++;
      this.report('up', `reading Kick chat (chatroom ${this.room?.chatroomId ?? '?'})${this.opts.token ? '' : '; replies off (no KICK_TOKEN)'}`);
    });
    // The client's own dispatcher, not the channel's: only this chatroom is subscribed to.
    pusher.bind_global((event: string, data: unknown) => mine() && this.onEvent(event, data));
  }

  private onState(current: string): void {
    if (current === 'connected') {
      this.connected = true;
      this.counters.connects++;
      tell(this.link, { type: 'connection.opened' });
      tell(this.pacing, { type: 'channel.joined', ts: this.now() });
      return;
    }
    if (current === 'connecting' && !this.connected) return;
    // Dropped, unavailable or refused: this client is done; the machine says when the next one opens.
    this.close();
    const verdict = pusherVerdict(this.lastCode);
    if ('restart' in verdict) return void tell(this.link, { type: 'connection.restart' });
    tell(this.link, { type: 'connection.lost', failure: verdict.failure, reason: this.lastCode ? `Pusher error ${this.lastCode}` : `connection ${current}`, jitter: this.random() });
  }

  private onError(err: unknown): void {
    const e = (err && typeof err === 'object' ? err : {}) as { type?: string; error?: { data?: { code?: number; message?: string } }; data?: unknown };
    if (e.type === 'MessageParseError') return void this.bad('malformed Pusher frame', { sample: String(e.data).slice(0, 80) });
    const data = (e.type === 'PusherError' ? e.data : e.error?.data) as { code?: number; message?: string } | undefined;
    if (typeof data?.code === 'number') this.lastCode = data.code;
    this.bad(`Pusher error ${data?.code ?? e.type ?? 'unknown'}`, { message: data?.message });
  }

  private onEvent(event: string, data: unknown): void {
    if (event.startsWith('pusher:') || event.startsWith('pusher_internal:')) return;
    const input = inputOf(event, data, this.now(), this.bad);
    if (!input) return;
    if (input.type === 'chat.message') {
      if (this.own.isOwn(input.message.id, input.message.text)) return;
      this.counters.messages++;
    }
    this.forward(input);
  }

  private onRetrying(e: Emitted<'connection.retrying'>): void {
    this.report('down', `disconnected from Kick chat (${e.reason}); reconnecting in ${Math.ceil(e.retryInMs / 1000)} s`);
  }

  private close(): void {
    const p = this.pusher;
    this.pusher = undefined;
    if (this.connected) tell(this.pacing, { type: 'channel.left' });
    this.connected = false;
    // After the state change that brought us here: pusher-js starts its own retry right after
    // announcing it, and a disconnect from inside the announcement would come before it.
    if (p) queueMicrotask(() => p.disconnect());
  }

  private async post(text: string, inReplyTo: string | undefined): Promise<void> {
    const token = this.opts.token;
    if (!token) return;
    this.own.posting(text);
    try {
      const id = await postKickLine(this.opts.publicApiUrl, token, text, this.room?.userId, inReplyTo);
      this.counters.sent++;
      this.own.posted(text, id);
    } catch (err) {
      this.own.failed(text);
      this.opts.log.warn({ err: errorText(err) }, 'kick: could not post a chat reply');
    }
  }

  private forward(event: InputEvent): void {
    try {
      this.opts.send(event);
    } catch (err) {
      this.opts.log.error({ err: errorText(err), type: event.type }, 'kick: event consumer threw');
    }
  }

  private report(state: ServiceState, detail: string, fix?: string): void {
    this.opts.status.set('kick', state, detail, fix ? { fix } : {});
    if (state === this.lastState) return;
    this.lastState = state;
    this.forward({ type: 'service.status', service: 'kick', state, detail });
  }
}
