/**
 * YouTube Data API v3 calls for live chat (an API key reads; an OAuth token posts). Errors come as
 * Google's JSON (`{error: {code, message, errors: [{reason, domain}]}}`); what their reason means
 * is in the one table in src/errors.ts (`classifyYoutubeFailure`).
 */
import type { YoutubeFailure } from '../../machines/youtubeChat.ts';
import { classifyYoutubeFailure, errorText } from '../errors.ts';
import type { LiveChatPage } from './parse.ts';

const CALL_TIMEOUT_MS = 10_000;

export class YoutubeApiError extends Error {
  constructor(
    readonly failure: YoutubeFailure,
    message: string,
    readonly status: number,
    readonly reason: string,
  ) {
    super(message);
    this.name = 'YoutubeApiError';
  }
}

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; errors?: Array<{ reason?: string; domain?: string; message?: string }>; details?: Array<{ reason?: string }> };
}

/** What an HTTP failure means, from its status and Google's error body (any body, even not JSON). */
export function youtubeFailureOf(status: number, body: string): YoutubeApiError {
  let parsed: GoogleErrorBody = {};
  try {
    const v: unknown = JSON.parse(body);
    if (v && typeof v === 'object') parsed = v as GoogleErrorBody;
  } catch {
    // An HTML error page (a proxy, a 502): the status alone says it.
  }
  const e = parsed.error ?? {};
  const reasons = [...(e.errors ?? []).map((x) => x.reason ?? ''), ...(e.details ?? []).map((x) => x.reason ?? '')].filter(Boolean);
  const reason = reasons[0] ?? `HTTP ${status}`;
  const message = (e.message ?? body.slice(0, 200)).replace(/\s+/g, ' ').trim() || `HTTP ${status}`;
  return new YoutubeApiError(classifyYoutubeFailure(status, reasons, message), `${message} (${reason})`, status, reason);
}

export interface YoutubeApiOptions {
  apiUrl: string;
  apiKey: string;
}

export class YoutubeApi {
  constructor(private readonly opts: YoutubeApiOptions) {}

  /** The live video of a channel (search.list, 100 units), or undefined when none is live. */
  async liveVideoOf(channelId: string): Promise<string | undefined> {
    const r = await this.get<{ items?: Array<{ id?: { videoId?: string } }> }>('search', { part: 'id', channelId, eventType: 'live', type: 'video', maxResults: '1' });
    return r.items?.find((i) => i.id?.videoId)?.id?.videoId;
  }

  /** A video's live chat (videos.list, 1 unit), or undefined when it is not live. */
  async liveChatOf(videoId: string): Promise<string | undefined> {
    const r = await this.get<{ items?: Array<{ liveStreamingDetails?: { activeLiveChatId?: string } }> }>('videos', { part: 'liveStreamingDetails', id: videoId });
    return r.items?.[0]?.liveStreamingDetails?.activeLiveChatId;
  }

  /** One page of chat (liveChatMessages.list, 5 units). */
  messages(liveChatId: string, pageToken: string | undefined): Promise<LiveChatPage> {
    return this.get<LiveChatPage>('liveChat/messages', { liveChatId, part: 'id,snippet,authorDetails', maxResults: '2000', ...(pageToken ? { pageToken } : {}) });
  }

  /** Posts a line as the signed-in account (liveChatMessages.insert, 20 units). */
  async insert(liveChatId: string, text: string, accessToken: string): Promise<string | undefined> {
    const r = await this.call('liveChat/messages', { part: 'snippet' }, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ snippet: { liveChatId, type: 'textMessageEvent', textMessageDetails: { messageText: text } } }),
    });
    return r && typeof r === 'object' && 'id' in r && typeof r.id === 'string' ? r.id : undefined;
  }

  private async get<T>(path: string, query: Record<string, string>): Promise<T> {
    return (await this.call(path, { ...query, key: this.opts.apiKey }, { method: 'GET' })) as T;
  }

  private async call(path: string, query: Record<string, string>, init: RequestInit): Promise<unknown> {
    const url = `${this.opts.apiUrl}/${path}?${new URLSearchParams(query).toString()}`;
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    } catch (err) {
      throw new YoutubeApiError('retryable', `YouTube unreachable: ${errorText(err)}`, 0, 'network');
    }
    const body = await res.text();
    if (!res.ok) throw youtubeFailureOf(res.status, body);
    try {
      return body ? (JSON.parse(body) as unknown) : {};
    } catch {
      throw new YoutubeApiError('retryable', 'YouTube answered with something that is not JSON', res.status, 'malformed');
    }
  }
}
