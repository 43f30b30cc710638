/**
 * A Kick stand-in on 127.0.0.1: Pusher's WebSocket (protocol 7) for the chatroom, the channel lookup
 * (`/api/v2/channels/<slug>`), the official public API's `POST /public/v1/chat` and the OAuth token
 * endpoint (`/oauth/token`).
 *
 * Pusher as the real server speaks it (pusher.com/docs/channels/library_auth_reference/pusher-websockets-protocol):
 * `pusher:connection_established` with its data a JSON string; `pusher:subscribe` answered by
 * `pusher_internal:subscription_succeeded`; `pusher:ping` by `pusher:pong`; a wrong app key is
 * `pusher:error` 4001 and close 4001; an unsupported protocol 4007; events on a channel carry
 * `data` as a JSON string, as Kick's do. As unkind as Kick: the lookup can answer Cloudflare's
 * 403 page, a socket can be dropped without a close frame, a raw frame can be anything.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomUUID } from 'node:crypto';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

export interface KickSenderSpec {
  username: string;
  badges?: Array<'broadcaster' | 'moderator' | 'subscriber' | 'vip' | 'og'>;
}

export interface KickStandinOptions {
  appKey?: string;
  slug?: string;
  chatroomId?: number;
  userId?: number;
  /** The channel lookup answers Cloudflare's 403 challenge page. */
  cloudflare?: boolean;
}

export async function startKickStandin(opts: KickStandinOptions = {}) {
  const appKey = opts.appKey ?? '32cbd69e4b950bf97679';
  const slug = opts.slug ?? 'streamer';
  const chatroomId = opts.chatroomId ?? 4242;
  const userId = opts.userId ?? 777;
  const channelName = `chatrooms.${chatroomId}.v2`;
  let cloudflare = opts.cloudflare ?? false;
  const sockets = new Set<WebSocket>();
  const subscribed = new Map<WebSocket, Set<string>>();
  const stats = { connections: 0, subscriptions: 0, pings: 0, pongs: 0, lookups: 0 };
  const posted: Array<{ content: string; body: Record<string, unknown> }> = [];
  const tokens = new Set<string>(['kick-token']);
  // Kick rotates refresh tokens: each refresh answers a new one, and the one it used stops working.
  const refreshTokens = new Set<string>(['kick-refresh']);
  const refreshed: string[] = [];
  const codes = new Map<string, { challenge: string; redirectUri: string }>();

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let s = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (s += c));
      req.on('end', () => resolve(s));
    });
  const frame = (event: string, data: unknown, channel?: string) => JSON.stringify({ event, data: JSON.stringify(data), ...(channel ? { channel } : {}) });
  const toRoom = (raw: string) => {
    for (const ws of sockets) if (subscribed.get(ws)?.has(channelName)) ws.send(raw);
  };
  /** Messages sent in the room: a reply names one of them. */
  const said = new Map<string, string>();
  const message = (sender: KickSenderSpec, content: string, id = randomUUID(), replyTo?: string) => {
    said.set(id, content);
    toRoom(
      frame(
        'App\\Events\\ChatMessageEvent',
        {
          id,
          chatroom_id: chatroomId,
          content,
          type: replyTo ? 'reply' : 'message',
          created_at: new Date().toISOString(),
          sender: { id: sender.username.length * 1000, username: sender.username, slug: sender.username.toLowerCase(), identity: { color: '#75FD46', badges: (sender.badges ?? []).map((type) => ({ type, text: type })) } },
          metadata: { message_ref: String(Date.now()), ...(replyTo ? { original_message: { id: replyTo, content: said.get(replyTo) ?? '' } } : {}) },
        },
        channelName,
      ),
    );
    return id;
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const m = /^\/api\/v2\/channels\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && m) {
        stats.lookups++;
        if (cloudflare) {
          res.writeHead(403, { 'content-type': 'text/html; charset=UTF-8', 'cf-mitigated': 'challenge' });
          return res.end('<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Enable JavaScript and cookies to continue</body></html>');
        }
        if (decodeURIComponent(m[1]!) !== slug) return json(res, 404, { message: 'Not found' });
        return json(res, 200, { id: 99, user_id: userId, slug, is_banned: false, chatroom: { id: chatroomId, chatable_type: 'App\\Models\\Channel', channel_id: 99, slow_mode: false }, user: { id: userId, username: slug } });
      }
      if (req.method === 'GET' && url.pathname === '/oauth/authorize') {
        // The streamer allowed the app: back to the redirect URI with a code bound to the PKCE challenge.
        const q = url.searchParams;
        if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('redirect_uri')) return json(res, 400, { error: 'invalid_request' });
        const code = randomUUID();
        codes.set(code, { challenge: q.get('code_challenge')!, redirectUri: q.get('redirect_uri')! });
        res.writeHead(302, { location: `${q.get('redirect_uri')!}?code=${code}&state=${encodeURIComponent(q.get('state') ?? '')}` });
        return res.end();
      }
      if (req.method === 'POST' && url.pathname === '/oauth/token') {
        const form = new URLSearchParams(await readBody(req));
        if (form.get('grant_type') === 'authorization_code') {
          const issued = codes.get(form.get('code') ?? '');
          const verifier = form.get('code_verifier') ?? '';
          if (!issued || issued.redirectUri !== form.get('redirect_uri') || createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) return json(res, 400, { error: 'invalid_grant' });
          codes.delete(form.get('code') ?? '');
          const token = `kick-${randomUUID()}`;
          tokens.add(token);
          const refresh = `kick-refresh-${randomUUID()}`;
          refreshTokens.add(refresh);
          return json(res, 200, { access_token: token, token_type: 'Bearer', refresh_token: refresh, expires_in: 7200, scope: 'user:read chat:write' });
        }
        const used = form.get('refresh_token') ?? '';
        if (form.get('grant_type') !== 'refresh_token' || !refreshTokens.delete(used)) return json(res, 400, { error: 'invalid_grant', error_description: 'The refresh token is invalid.' });
        refreshed.push(used);
        const token = `kick-${randomUUID()}`;
        tokens.add(token);
        const refresh = `kick-refresh-${randomUUID()}`;
        refreshTokens.add(refresh);
        return json(res, 200, { access_token: token, token_type: 'Bearer', refresh_token: refresh, expires_in: 7200, scope: 'chat:write' });
      }
      if (req.method === 'POST' && url.pathname === '/public/v1/chat') {
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        if (!tokens.has(token)) return json(res, 401, { data: {}, message: 'Unauthorized' });
        const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
        const content = typeof body.content === 'string' ? body.content : '';
        if (!content || content.length > 500) return json(res, 400, { data: {}, message: 'content must be 1-500 characters' });
        // A reply names a message of this chat by its id (a UUID).
        const replyTo = body.reply_to_message_id;
        if (replyTo !== undefined && (typeof replyTo !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(replyTo) || !said.has(replyTo))) {
          return json(res, 400, { data: {}, message: 'reply_to_message_id must be the id of a message in this chat' });
        }
        posted.push({ content, body });
        const id = message({ username: slug, badges: ['broadcaster'] }, content, randomUUID(), replyTo);
        return json(res, 200, { data: { is_sent: true, message_id: id }, message: 'OK' });
      }
      json(res, 404, { message: 'Not found' });
    })();
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const key = /^\/app\/([^/]+)$/.exec(url.pathname)?.[1];
      if (key !== appKey) {
        ws.send(JSON.stringify({ event: 'pusher:error', data: { code: 4001, message: `App key ${key ?? ''} not in this cluster. Did you forget to specify the cluster?` } }));
        return ws.close(4001, 'App key not in this cluster');
      }
      if (url.searchParams.get('protocol') !== '7') {
        ws.send(JSON.stringify({ event: 'pusher:error', data: { code: 4007, message: 'Unsupported protocol version' } }));
        return ws.close(4007, 'Unsupported protocol version');
      }
      stats.connections++;
      sockets.add(ws);
      subscribed.set(ws, new Set());
      ws.on('close', () => {
        sockets.delete(ws);
        subscribed.delete(ws);
      });
      ws.on('message', (raw: RawData) => {
        const text = (Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw)).toString('utf8');
        let msg: { event?: string; data?: { channel?: string } };
        try {
          msg = JSON.parse(text) as typeof msg;
        } catch {
          return ws.send(JSON.stringify({ event: 'pusher:error', data: { code: null, message: 'Invalid JSON' } }));
        }
        if (msg.event === 'pusher:ping') {
          stats.pings++;
          return ws.send(JSON.stringify({ event: 'pusher:pong', data: {} }));
        }
        if (msg.event === 'pusher:pong') return void stats.pongs++;
        if (msg.event === 'pusher:subscribe' && typeof msg.data?.channel === 'string') {
          stats.subscriptions++;
          subscribed.get(ws)?.add(msg.data.channel);
          return ws.send(JSON.stringify({ event: 'pusher_internal:subscription_succeeded', data: '{}', channel: msg.data.channel }));
        }
        if (msg.event === 'pusher:unsubscribe' && typeof msg.data?.channel === 'string') return void subscribed.get(ws)?.delete(msg.data.channel);
      });
      ws.send(frame('pusher:connection_established', { socket_id: `${Math.floor(Math.random() * 1e6)}.${Math.floor(Math.random() * 1e7)}`, activity_timeout: 120 }));
    });
  });

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  return {
    apiUrl: `http://127.0.0.1:${port}/api/v2`,
    pusherUrl: `ws://127.0.0.1:${port}/app/${appKey}?protocol=7&client=js&version=8.4.0&flash=false`,
    publicApiUrl: `http://127.0.0.1:${port}`,
    tokenUrl: `http://127.0.0.1:${port}/oauth/token`,
    authUrl: `http://127.0.0.1:${port}`,
    slug,
    chatroomId,
    stats,
    posted,
    /** The refresh tokens used, in order (each works once). */
    refreshed,
    /** Every access token issued so far expires (Kick's live for hours; a restart the next day finds them gone). */
    expireAccessTokens: () => tokens.clear(),
    /** Sockets subscribed to the chatroom right now. */
    listeners: () => [...subscribed.values()].filter((s) => s.has(channelName)).length,
    message,
    deleteMessage: (id: string) => toRoom(frame('App\\Events\\MessageDeletedEvent', { id: randomUUID(), message: { id }, aiModerated: false }, channelName)),
    ban: (username: string, permanent = true) =>
      toRoom(frame('App\\Events\\UserBannedEvent', { id: randomUUID(), user: { id: 1, username, slug: username.toLowerCase() }, banned_by: { id: 2, username: 'mod', slug: 'mod' }, permanent, ...(permanent ? {} : { duration: 10, expires_at: new Date(Date.now() + 600_000).toISOString() }) }, channelName)),
    /** Any text as one frame (malformed frames, double-encoded data). */
    raw: (text: string) => toRoom(text),
    serverPing: () => {
      for (const ws of sockets) ws.send(JSON.stringify({ event: 'pusher:ping', data: {} }));
    },
    /** Every socket dies without a close frame (a network drop). */
    drop: () => {
      for (const ws of sockets) ws.terminate();
    },
    /** Every socket is closed with a Pusher close code. */
    closeWith: (code: number, reason: string) => {
      for (const ws of sockets) ws.close(code, reason);
    },
    setCloudflare: (on: boolean) => void (cloudflare = on),
    close: async () => {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
