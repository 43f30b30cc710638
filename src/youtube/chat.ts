/**
 * YouTube live chat: carries out what the youtubeChat machine decides (look the live chat up,
 * poll a page) and reports what each call cost and returned; viewers' lines, deletions, bans and
 * Super Chats go to Pickle as events. Replies in chat, when an OAuth token is given, are paced by
 * `chatPacing:youtube` and cost quota units too. The first page after joining is the backlog: it
 * is not answered.
 */
import type { AdapterChild } from '../../machines/children.ts';
import type { InputEvent, ServiceState } from '../../machines/events.ts';
import { YOUTUBE_COST } from '../../machines/youtubeChat.ts';
import { badInputLog, type BadInput } from '../chat/badInput.ts';
import type { OAuthToken } from '../chat/oauthToken.ts';
import { OwnLines } from '../chat/ownLines.ts';
import type { ChatWriter } from '../chat/sink.ts';
import { tell, type ChildHost } from '../children.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { YoutubeApi, YoutubeApiError } from './api.ts';
import { QuotaCountFile, readQuotaCount } from './quotaCount.ts';
import { inputOf, type LiveChatMessage } from './parse.ts';
import { YOUTUBE_SEND_LIMITS } from './sendLimits.ts';
import { errorText } from '../errors.ts';

export interface YoutubeChatOptions {
  apiUrl: string;
  apiKey: string;
  videoId?: string | undefined;
  channelId?: string | undefined;
  dailyQuota: number;
  /** Posting in chat (OAuth): without it, Pickle only reads. */
  token?: OAuthToken | undefined;
  children: ChildHost;
  status: StatusBoard;
  log: Logger;
  send: (event: InputEvent) => void;
  now?: () => number;
  /** Where the day's units are kept across restarts (`youtube-quota.json` in the data folder); without it they are this run's. */
  quotaFile?: string | undefined;
}

/** YouTube's quota day ends at midnight Pacific time. */
const PAGE_SLICE = 25;
const quotaDay = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles' }).format(ms);

export class YoutubeChat implements ChatWriter {
  private readonly api: YoutubeApi;
  private readonly now: () => number;
  private readonly machine: AdapterChild<'youtubeChat'>;
  private readonly pacing: AdapterChild<'chatPacing'>;
  private readonly bad: BadInput;
  private liveChatId: string | undefined;
  private pageToken: string | undefined;
  private day: string;
  private dayTimer: NodeJS.Timeout | undefined;
  private lastState: ServiceState | undefined;
  private readonly quotaCount: QuotaCountFile | undefined;
  /** Lines Pickle posted: they come back in the next page and are not inputs. */
  private readonly own = new OwnLines();
  readonly counters = { messages: 0, polls: 0, sayRefused: 0, sent: 0 };

  constructor(private readonly opts: YoutubeChatOptions) {
    this.api = new YoutubeApi({ apiUrl: opts.apiUrl, apiKey: opts.apiKey });
    this.now = opts.now ?? Date.now;
    this.day = quotaDay(this.now());
    this.bad = badInputLog(opts.log, 'youtube');
    const file = opts.quotaFile;
    this.quotaCount = file ? new QuotaCountFile(file, (err) => opts.log.warn({ err: err.message }, 'youtube: could not store the units used today')) : undefined;
    this.machine = opts.children.start({
      src: 'youtubeChat',
      systemId: 'youtubeChat',
      input: {
        dailyQuota: opts.dailyQuota,
        lookupCost: opts.videoId ? YOUTUBE_COST.videos : YOUTUBE_COST.search + YOUTUBE_COST.videos,
        replies: opts.token !== undefined,
        day: this.day,
        stored: file ? readQuotaCount(file) : undefined,
      },
    });
    this.machine.on('quota.counted', (e) => this.quotaCount?.save({ day: e.day, used: e.used }));
    this.pacing = opts.children.start({ src: 'chatPacing', systemId: 'chatPacing:youtube', input: { limits: YOUTUBE_SEND_LIMITS } });
    this.machine.on('chat.lookup', () => void this.lookup());
    this.machine.on('chat.poll', (e) => void this.poll(e.liveChatId));
    this.machine.on('chat.status', (e) => this.report(e.state, e.detail, e.fix));
    this.pacing.on('line.send', (e) => void this.post(e.text));
  }

  get badInput(): Readonly<Record<string, number>> {
    return this.bad.counts;
  }

  start(): void {
    tell(this.machine, { type: 'chat.start' });
    // The quota day turns over even while nothing is polled (the quota spent, waiting for it).
    this.dayTimer = setInterval(() => this.checkDay(), 60_000);
    this.dayTimer.unref();
  }

  /** Resolves once the last count of units is stored. */
  async stop(): Promise<void> {
    clearInterval(this.dayTimer);
    tell(this.pacing, { type: 'lines.cleared' });
    this.opts.children.stop('youtubeChat');
    this.opts.children.stop('chatPacing:youtube');
    await this.quotaCount?.settled();
  }

  say(text: string): void {
    if (!this.opts.token || !this.liveChatId) {
      this.counters.sayRefused++;
      return;
    }
    tell(this.pacing, { type: 'line.requested', text, ts: this.now() });
  }

  private checkDay(): void {
    const day = quotaDay(this.now());
    if (day === this.day) return;
    this.day = day;
    tell(this.machine, { type: 'quota.dayStarted', day });
  }

  private async lookup(): Promise<void> {
    this.checkDay();
    let units = 0;
    try {
      let videoId = this.opts.videoId;
      if (!videoId && this.opts.channelId) {
        units += YOUTUBE_COST.search;
        videoId = await this.api.liveVideoOf(this.opts.channelId);
      }
      let liveChatId: string | undefined;
      if (videoId) {
        units += YOUTUBE_COST.videos;
        liveChatId = await this.api.liveChatOf(videoId);
      }
      if (liveChatId !== this.liveChatId) this.pageToken = undefined;
      this.liveChatId = liveChatId;
      if (liveChatId) tell(this.pacing, { type: 'channel.joined', ts: this.now() });
      tell(this.machine, { type: 'chat.found', liveChatId, units });
    } catch (err) {
      this.failed(err, units);
    }
  }

  private async poll(liveChatId: string): Promise<void> {
    this.checkDay();
    try {
      const backlog = this.pageToken === undefined;
      const page = await this.api.messages(liveChatId, this.pageToken);
      this.counters.polls++;
      if (typeof page.nextPageToken === 'string') this.pageToken = page.nextPageToken;
      else this.bad('page without nextPageToken', {});
      // The first page is what was said before Pickle joined: not answered.
      if (!backlog) await this.forwardPage(Array.isArray(page.items) ? page.items : []);
      const asked = typeof page.pollingIntervalMillis === 'number' && page.pollingIntervalMillis >= 0 ? page.pollingIntervalMillis : 5_000;
      tell(this.machine, { type: 'chat.polled', units: YOUTUBE_COST.poll, pollingIntervalMs: asked });
    } catch (err) {
      this.failed(err, YOUTUBE_COST.poll);
    }
  }

  /** A page can hold hundreds of lines: handed on a slice at a time, so the event loop stays free between slices. */
  private async forwardPage(items: readonly LiveChatMessage[]): Promise<void> {
    for (let i = 0; i < items.length; i += PAGE_SLICE) {
      if (i > 0) await new Promise<void>((r) => setImmediate(r));
      for (const item of items.slice(i, i + PAGE_SLICE)) this.forward(inputOf(item, this.now(), this.bad));
    }
  }

  private forward(event: InputEvent | undefined): void {
    if (!event) return;
    if (event.type === 'chat.message' && this.own.isOwn(event.message.id, event.message.text)) return;
    if (event.type === 'chat.message') this.counters.messages++;
    try {
      this.opts.send(event);
    } catch (err) {
      this.opts.log.error({ err: errorText(err), type: event.type }, 'youtube: event consumer threw');
    }
  }

  private failed(err: unknown, units: number): void {
    const e = err instanceof YoutubeApiError ? err : new YoutubeApiError('retryable', errorText(err), 0, 'unknown');
    if (e.failure === 'liveChatEnded' || e.failure === 'notFound') {
      this.liveChatId = undefined;
      tell(this.pacing, { type: 'channel.left' });
    }
    this.bad(`API error ${e.reason}`, { status: e.status, err: e.message });
    tell(this.machine, { type: 'chat.failed', failure: e.failure, detail: e.message, units: e.failure === 'auth' ? 0 : units });
  }

  private async post(text: string): Promise<void> {
    const token = this.opts.token;
    const chat = this.liveChatId;
    if (!token || !chat) return;
    tell(this.machine, { type: 'quota.spent', units: YOUTUBE_COST.insert });
    this.own.posting(text);
    try {
      const id = await this.api.insert(chat, text, await token.get());
      this.counters.sent++;
      this.own.posted(text, id);
    } catch (err) {
      this.own.failed(text);
      if (err instanceof YoutubeApiError && err.status === 401) token.refused();
      this.opts.log.warn({ err: errorText(err) }, 'youtube: could not post a chat reply');
    }
  }

  private report(state: ServiceState, detail: string, fix: string | undefined): void {
    this.opts.status.set('youtube', state, detail, fix ? { fix } : {});
    if (state === this.lastState) return;
    this.lastState = state;
    this.forward({ type: 'service.status', service: 'youtube', state, detail });
  }
}
