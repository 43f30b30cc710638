/**
 * A YouTube Data API v3 stand-in for live chat, on 127.0.0.1: search.list, videos.list,
 * liveChatMessages.list / insert and Google's OAuth token endpoint, with YouTube's resources and
 * error bodies. As unkind as the real one: it charges quota per call (search 100, videos 1, list 5,
 * insert 20) and answers `quotaExceeded` past the day's quota, refuses a wrong key with Google's
 * `API key not valid` body, returns the chat's history on the first page, asks for a
 * `pollingIntervalMillis` (and records every poll's time so a test can check it was respected),
 * and answers `liveChatEnded` once the broadcast ends.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface YoutubeAuthor {
  channelId: string;
  displayName: string;
  isChatOwner?: boolean;
  isChatModerator?: boolean;
}

interface Stored {
  at: number;
  resource: Record<string, unknown>;
}

const googleError = (code: number, message: string, reason: string, domain: string, extra: Record<string, unknown> = {}) => ({
  error: { code, message, errors: [{ message, domain, reason }], ...extra },
});

export interface YoutubeStandinOptions {
  apiKey?: string;
  quota?: number;
  pollingIntervalMillis?: number;
  channelId?: string;
  videoId?: string;
  /** A broadcast is live from the start. */
  live?: boolean;
}

export async function startYoutubeStandin(opts: YoutubeStandinOptions = {}) {
  const apiKey = opts.apiKey ?? 'AIza-test-key';
  const videoId = opts.videoId ?? 'vid123';
  const channelId = opts.channelId ?? 'UCstreamer';
  let quota = opts.quota ?? 10_000;
  let used = 0;
  let live = opts.live ?? true;
  let chatSeq = 1;
  let liveChatId = `chat-${chatSeq}`;
  let ended = false;
  const pollingIntervalMillis = opts.pollingIntervalMillis ?? 2_000;
  const log: Stored[] = [];
  const polls: Array<{ at: number; pageToken: string | undefined }> = [];
  const inserted: Array<{ text: string; token: string }> = [];
  const accessTokens = new Set<string>();
  let msgSeq = 0;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  };
  const charge = (res: ServerResponse, units: number): boolean => {
    if (used + units > quota) {
      json(res, 403, googleError(403, 'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.', 'quotaExceeded', 'youtube.quota'));
      return false;
    }
    used += units;
    return true;
  };
  const keyOk = (url: URL, res: ServerResponse): boolean => {
    if (url.searchParams.get('key') === apiKey) return true;
    json(res, 400, {
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        errors: [{ message: 'API key not valid. Please pass a valid API key.', domain: 'global', reason: 'badRequest' }],
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'youtube.googleapis.com' } }],
      },
    });
    return false;
  };
  const body = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let s = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (s += c));
      req.on('end', () => resolve(s));
    });

  const push = (snippet: Record<string, unknown>, author: YoutubeAuthor) => {
    const id = `LCC.${liveChatId}.${++msgSeq}`;
    log.push({
      at: msgSeq,
      resource: {
        kind: 'youtube#liveChatMessage',
        etag: `etag-${msgSeq}`,
        id,
        snippet: { liveChatId, authorChannelId: author.channelId, publishedAt: new Date().toISOString(), hasDisplayContent: true, ...snippet },
        authorDetails: {
          channelId: author.channelId,
          channelUrl: `http://www.youtube.com/channel/${author.channelId}`,
          displayName: author.displayName,
          profileImageUrl: 'https://yt3.ggpht.com/x',
          isVerified: false,
          isChatOwner: author.isChatOwner ?? false,
          isChatSponsor: false,
          isChatModerator: author.isChatModerator ?? false,
        },
      },
    });
    return id;
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname.replace(/^\/youtube\/v3/, '');
      if (req.method === 'POST' && path === '/token') {
        const form = new URLSearchParams(await body(req));
        if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== 'yt-refresh') return json(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
        const token = `ya29.${Math.random().toString(36).slice(2)}`;
        accessTokens.add(token);
        return json(res, 200, { access_token: token, expires_in: 3599, scope: 'https://www.googleapis.com/auth/youtube.force-ssl', token_type: 'Bearer' });
      }
      if (req.method === 'GET' && path === '/search') {
        if (!keyOk(url, res) || !charge(res, 100)) return;
        const items = live && url.searchParams.get('channelId') === channelId && url.searchParams.get('eventType') === 'live' ? [{ kind: 'youtube#searchResult', etag: 'e', id: { kind: 'youtube#video', videoId } }] : [];
        return json(res, 200, { kind: 'youtube#searchListResponse', etag: 'e', regionCode: 'US', pageInfo: { totalResults: items.length, resultsPerPage: 1 }, items });
      }
      if (req.method === 'GET' && path === '/videos') {
        if (!keyOk(url, res) || !charge(res, 1)) return;
        const found = url.searchParams.get('id') === videoId;
        const details = live ? { actualStartTime: new Date().toISOString(), concurrentViewers: '12', activeLiveChatId: liveChatId } : { actualStartTime: new Date().toISOString(), actualEndTime: new Date().toISOString() };
        return json(res, 200, { kind: 'youtube#videoListResponse', etag: 'e', items: found ? [{ kind: 'youtube#video', etag: 'e', id: videoId, liveStreamingDetails: details }] : [], pageInfo: { totalResults: found ? 1 : 0, resultsPerPage: 1 } });
      }
      if (req.method === 'GET' && path === '/liveChat/messages') {
        if (!keyOk(url, res) || !charge(res, 5)) return;
        const asked = url.searchParams.get('liveChatId');
        if (asked !== liveChatId) return json(res, 404, googleError(404, 'The live chat that you are trying to retrieve cannot be found.', 'liveChatNotFound', 'youtube.liveChat'));
        if (ended) return json(res, 403, googleError(403, 'The live chat is no longer live.', 'liveChatEnded', 'youtube.liveChat'));
        const pageToken = url.searchParams.get('pageToken') ?? undefined;
        polls.push({ at: Date.now(), pageToken });
        const from = pageToken ? Number(pageToken.replace(/^p/, '')) : 0;
        const items = log.filter((m) => m.at > from).map((m) => m.resource);
        return json(res, 200, { kind: 'youtube#liveChatMessageListResponse', etag: 'e', pollingIntervalMillis, pageInfo: { totalResults: items.length, resultsPerPage: items.length }, nextPageToken: `p${msgSeq}`, items });
      }
      if (req.method === 'POST' && path === '/liveChat/messages') {
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        if (!accessTokens.has(token)) return json(res, 401, googleError(401, 'Request had invalid authentication credentials.', 'authError', 'global', { status: 'UNAUTHENTICATED' }));
        if (!charge(res, 20)) return;
        const b = JSON.parse(await body(req)) as { snippet?: { liveChatId?: string; textMessageDetails?: { messageText?: string } } };
        const text = b.snippet?.textMessageDetails?.messageText ?? '';
        if (text.length > 200) return json(res, 400, googleError(400, 'The message is too long.', 'messageTextTooLong', 'youtube.liveChat'));
        inserted.push({ text, token });
        const id = push({ type: 'textMessageEvent', displayMessage: text, textMessageDetails: { messageText: text } }, { channelId, displayName: 'Streamer', isChatOwner: true });
        return json(res, 200, { kind: 'youtube#liveChatMessage', etag: 'e', id, snippet: { type: 'textMessageEvent', liveChatId, displayMessage: text } });
      }
      json(res, 404, googleError(404, 'Not Found', 'notFound', 'global'));
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/youtube/v3`,
    tokenUrl: `http://127.0.0.1:${port}/token`,
    apiKey,
    videoId,
    channelId,
    polls,
    inserted,
    get used() {
      return used;
    },
    say: (author: YoutubeAuthor, text: string) => push({ type: 'textMessageEvent', displayMessage: text, textMessageDetails: { messageText: text } }, author),
    superChat: (author: YoutubeAuthor, amount: string, comment: string) =>
      push({ type: 'superChatEvent', displayMessage: `${amount} from ${author.displayName}: "${comment}"`, superChatDetails: { amountMicros: '5000000', currency: 'USD', amountDisplayString: amount, userComment: comment, tier: 2 } }, author),
    deleteMessage: (id: string, mod: YoutubeAuthor) => push({ type: 'messageDeletedEvent', displayMessage: 'A message was deleted', messageDeletedDetails: { deletedMessageId: id } }, mod),
    ban: (victim: YoutubeAuthor, mod: YoutubeAuthor, durationSec?: number) =>
      push(
        {
          type: 'userBannedEvent',
          displayMessage: `${victim.displayName} was banned`,
          userBannedDetails: { bannedUserDetails: { channelId: victim.channelId, channelUrl: '', displayName: victim.displayName, profileImageUrl: '' }, banType: durationSec ? 'temporary' : 'permanent', ...(durationSec ? { banDurationSeconds: String(durationSec) } : {}) },
        },
        mod,
      ),
    endBroadcast: () => {
      ended = true;
      live = false;
    },
    startBroadcast: () => {
      ended = false;
      live = true;
      liveChatId = `chat-${++chatSeq}`;
    },
    setQuota: (n: number) => void (quota = n),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
