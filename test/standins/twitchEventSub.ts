/**
 * Stand-in for Twitch EventSub over WebSocket plus the Helix endpoints an EventSub client needs,
 * on one 127.0.0.1 port: `ws://…/ws` and `http://…/helix/…`. Tokens are checked against the
 * id.twitch.tv stand-in (`validate`), so a refreshed token works here as soon as it is issued.
 *
 * Unkind like Twitch: `session_welcome`, then `session_keepalive` after every quiet keepalive
 * period; close 4003 when nothing subscribes within `unusedCloseMs` (10 s); close 4001 when the
 * client sends anything; `session_reconnect` hands the session over to a new URL and keeps the old
 * connection open until the new one is welcomed (notifications in between go to the old one);
 * 400 for an unknown session, 401 for a bad token or another client id, 403 for a missing scope or
 * a redemption of a reward another client id created.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';

export interface TokenInfo {
  clientId: string;
  userId: string;
  login: string;
  scopes: string[];
}

export interface TwitchEventSubStandinOptions {
  /** Who a bearer token belongs to (undefined = invalid), e.g. backed by the id.twitch.tv stand-in. */
  validate: (token: string) => TokenInfo | undefined;
  /** Seconds between keepalives when nothing else is sent (Twitch: 10 by default). */
  keepaliveSec?: number;
  /** Close 4003 when a welcomed connection has no subscription after this long (Twitch: 10 s). */
  unusedCloseMs?: number;
  /** After `session_reconnect`, close the old connection 4004 when the client has not moved within this long (Twitch: 30 s). */
  reconnectGraceMs?: number;
  users?: Array<{ id: string; login: string; display_name: string }>;
}

export interface SubscriptionRecord {
  id: string;
  type: string;
  version: string;
  condition: Record<string, string>;
  sessionId: string;
  status: string;
}

export interface RewardRecord {
  id: string;
  title: string;
  cost: number;
  broadcasterId: string;
  clientId: string;
}

export interface RedemptionRecord {
  id: string;
  rewardId: string;
  broadcasterId: string;
  status: 'UNFULFILLED' | 'FULFILLED' | 'CANCELED';
}

export interface HelixRequestRecord {
  method: string;
  path: string;
  status: number;
}

export interface TwitchEventSubStandin {
  readonly wsUrl: string;
  readonly apiUrl: string;
  readonly subscriptions: readonly SubscriptionRecord[];
  readonly rewards: RewardRecord[];
  readonly redemptions: Map<string, RedemptionRecord>;
  readonly requests: readonly HelixRequestRecord[];
  /** Close codes of server-side closes, in order. */
  readonly closes: readonly number[];
  /** Connections open right now. */
  connectionCount(): number;
  /** Sends a notification to the session holding a subscription of `type`; false when none. */
  notify(type: string, event: Record<string, unknown>): boolean;
  /** Sends `session_reconnect` on every open session's live connection. */
  reconnectAll(): void;
  /** Revokes every subscription of `type` (`authorization_revoked`, …) and tells its session. */
  revoke(type: string, status?: string): void;
  /** Stops sending keepalives (a silent connection, as when the network dies). */
  silence(on: boolean): void;
  /** A redemption that Helix can update later. */
  addRedemption(r: RedemptionRecord): void;
  close(): Promise<void>;
}

interface Session {
  id: string;
  live: WebSocket;
  /** The connection being replaced during a reconnect handover. */
  old?: WebSocket;
  unusedTimer?: NodeJS.Timeout;
  keepaliveTimer?: NodeJS.Timeout;
  graceTimer?: NodeJS.Timeout;
  /** `keepalive_timeout_seconds` from the URL (10–600, nearest valid value), else the stand-in's. */
  keepaliveSec: number;
}

const nowIso = () => new Date().toISOString();

function json(res: ServerResponse, status: number, body: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return status;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const err = (res: ServerResponse, status: number, message: string) =>
  json(res, status, { error: ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict' } as Record<number, string>)[status] ?? 'Error', status, message });

export async function startTwitchEventSubStandin(opts: TwitchEventSubStandinOptions): Promise<TwitchEventSubStandin> {
  const keepaliveSec = opts.keepaliveSec ?? 10;
  const unusedCloseMs = opts.unusedCloseMs ?? 10_000;
  const reconnectGraceMs = opts.reconnectGraceMs ?? 30_000;
  const users = opts.users ?? [];
  const sessions = new Map<string, Session>();
  const subscriptions: SubscriptionRecord[] = [];
  const rewards: RewardRecord[] = [];
  const redemptions = new Map<string, RedemptionRecord>();
  const requests: HelixRequestRecord[] = [];
  const closes: number[] = [];
  let silent = false;
  let port = 0;

  const send = (s: Session, ws: WebSocket, type: string, payload: unknown, extra: Record<string, string> = {}) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(JSON.stringify({ metadata: { message_id: randomUUID(), message_type: type, message_timestamp: nowIso(), ...extra }, payload }));
    if (ws === s.live) armKeepalive(s);
  };
  const armKeepalive = (s: Session) => {
    clearTimeout(s.keepaliveTimer);
    s.keepaliveTimer = setTimeout(() => {
      if (!silent) send(s, s.live, 'session_keepalive', {});
      else armKeepalive(s);
    }, s.keepaliveSec * 1000);
  };
  const serverClose = (ws: WebSocket, code: number, reason: string) => {
    closes.push(code);
    ws.close(code, reason);
  };
  const endSession = (s: Session) => {
    clearTimeout(s.keepaliveTimer);
    clearTimeout(s.unusedTimer);
    clearTimeout(s.graceTimer);
    sessions.delete(s.id);
    // Twitch disables a session's subscriptions when it ends.
    for (const sub of subscriptions) if (sub.sessionId === s.id && sub.status === 'enabled') sub.status = 'websocket_disconnected';
  };
  const sessionJson = (s: Session, status: string, reconnectUrl: string | null) => ({
    session: {
      id: s.id,
      status,
      connected_at: nowIso(),
      keepalive_timeout_seconds: status === 'reconnecting' ? null : s.keepaliveSec,
      reconnect_url: reconnectUrl,
      recovery_url: null,
    },
  });
  const subscriptionJson = (sub: SubscriptionRecord) => ({
    id: sub.id,
    status: sub.status,
    type: sub.type,
    version: sub.version,
    cost: 0,
    condition: sub.condition,
    transport: { method: 'websocket', session_id: sub.sessionId },
    created_at: nowIso(),
  });

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const rec: HelixRequestRecord = { method: req.method ?? '', path: url.pathname, status: 0 };
    requests.push(rec);
    helix(req, res, url).then(
      (status) => void (rec.status = status),
      () => void (rec.status = json(res, 500, { status: 500, message: 'Internal Server Error' })),
    );
  });

  async function helix(req: IncomingMessage, res: ServerResponse, url: URL): Promise<number> {
    const path = url.pathname.replace(/^\/helix/, '');
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const who = bearer ? opts.validate(bearer) : undefined;
    if (!who) return err(res, 401, 'Invalid OAuth token');
    if (req.headers['client-id'] !== who.clientId) return err(res, 401, 'Client ID and OAuth token do not match');
    const body = req.method === 'POST' || req.method === 'PATCH' ? await readBody(req) : '';
    const parsed = (() => {
      try {
        return body ? (JSON.parse(body) as Record<string, unknown>) : {};
      } catch {
        return undefined;
      }
    })();
    if (!parsed) return err(res, 400, 'Malformed JSON body');

    if (path === '/users' && req.method === 'GET') {
      const logins = url.searchParams.getAll('login');
      const ids = url.searchParams.getAll('id');
      const found = logins.length || ids.length ? users.filter((u) => logins.includes(u.login) || ids.includes(u.id)) : users.filter((u) => u.id === who.userId);
      return json(res, 200, { data: found });
    }
    if (path === '/eventsub/subscriptions' && req.method === 'GET') {
      const mine = subscriptions.filter((s) => s.status === 'enabled' || url.searchParams.get('status') === s.status);
      return json(res, 200, { data: mine.map(subscriptionJson), total: mine.length, total_cost: 0, max_total_cost: 10, pagination: {} });
    }
    if (path === '/eventsub/subscriptions' && req.method === 'POST') return subscribe(res, parsed, who);
    if (path === '/channel_points/custom_rewards' && req.method === 'POST') {
      if (!who.scopes.includes('channel:manage:redemptions')) return err(res, 403, 'Missing scope: channel:manage:redemptions');
      const broadcasterId = url.searchParams.get('broadcaster_id') ?? '';
      if (broadcasterId !== who.userId) return err(res, 403, 'The ID in broadcaster_id must match the user ID found in the request\'s OAuth token.');
      const title = typeof parsed['title'] === 'string' ? parsed['title'] : '';
      const cost = typeof parsed['cost'] === 'number' ? parsed['cost'] : 0;
      if (!title || cost < 1) return err(res, 400, 'Missing required parameter');
      if (rewards.some((r) => r.broadcasterId === broadcasterId && r.title.toLowerCase() === title.toLowerCase())) {
        return err(res, 400, 'CREATE_CUSTOM_REWARD_DUPLICATE_REWARD');
      }
      const reward: RewardRecord = { id: randomUUID(), title, cost, broadcasterId, clientId: who.clientId };
      rewards.push(reward);
      return json(res, 200, { data: [{ id: reward.id, title, cost, broadcaster_id: broadcasterId, is_enabled: true, is_user_input_required: parsed['is_user_input_required'] === true, prompt: parsed['prompt'] ?? '' }] });
    }
    if (path === '/channel_points/custom_rewards/redemptions' && req.method === 'PATCH') {
      if (!who.scopes.includes('channel:manage:redemptions')) return err(res, 401, 'Missing scope: channel:manage:redemptions');
      const ids = url.searchParams.getAll('id');
      const rewardId = url.searchParams.get('reward_id') ?? '';
      const broadcasterId = url.searchParams.get('broadcaster_id') ?? '';
      const status = parsed['status'];
      if (!ids.length || !rewardId || !broadcasterId || (status !== 'FULFILLED' && status !== 'CANCELED')) return err(res, 400, 'Missing required parameter');
      const reward = rewards.find((r) => r.id === rewardId);
      if (!reward) return err(res, 404, 'Not Found');
      if (reward.clientId !== who.clientId) return err(res, 403, 'The ID in header Client-Id must match the client ID used to create the custom reward.');
      const open = ids.map((id) => redemptions.get(id)).filter((r): r is RedemptionRecord => r?.status === 'UNFULFILLED' && r.rewardId === rewardId);
      if (!open.length) return err(res, 404, 'No redemptions with the given IDs that have UNFULFILLED status');
      for (const r of open) r.status = status;
      return json(res, 200, { data: open.map((r) => ({ id: r.id, reward: { id: rewardId }, status: r.status, broadcaster_id: broadcasterId })) });
    }
    return err(res, 404, 'Not Found');
  }

  function subscribe(res: ServerResponse, body: Record<string, unknown>, who: TokenInfo): number {
    const type = typeof body['type'] === 'string' ? body['type'] : '';
    const version = typeof body['version'] === 'string' ? body['version'] : '';
    const condition = (body['condition'] ?? {}) as Record<string, string>;
    const transport = (body['transport'] ?? {}) as { method?: string; session_id?: string };
    if (!type || !version || transport.method !== 'websocket') return err(res, 400, 'Missing required parameter');
    const session = sessions.get(transport.session_id ?? '');
    if (!session) return err(res, 400, 'websocket transport session does not exist or has already disconnected');
    const needs: Record<string, { version: string; scopes: string[] }> = {
      'channel.channel_points_custom_reward_redemption.add': { version: '1', scopes: ['channel:read:redemptions', 'channel:manage:redemptions'] },
      'channel.follow': { version: '2', scopes: ['moderator:read:followers'] },
      // Public: no scope, any token may subscribe for any broadcaster.
      'stream.online': { version: '1', scopes: [] },
      'stream.offline': { version: '1', scopes: [] },
    };
    const need = needs[type];
    if (!need || need.version !== version) return err(res, 400, 'unsupported subscription type or version');
    if (need.scopes.length > 0 && condition['broadcaster_user_id'] !== who.userId && condition['moderator_user_id'] !== who.userId) return err(res, 403, 'subscription missing proper authorization');
    if (need.scopes.length > 0 && !need.scopes.some((s) => who.scopes.includes(s))) return err(res, 403, 'subscription missing proper authorization');
    if (!condition['broadcaster_user_id']) return err(res, 400, 'Missing required parameter');
    if (subscriptions.some((s) => s.status === 'enabled' && s.type === type && s.sessionId === session.id)) return err(res, 409, 'subscription already exists');
    const sub: SubscriptionRecord = { id: randomUUID(), type, version, condition, sessionId: session.id, status: 'enabled' };
    subscriptions.push(sub);
    clearTimeout(session.unusedTimer);
    return json(res, 202, { data: [subscriptionJson(sub)], total: 1, total_cost: 0, max_total_cost: 10 });
  }

  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    ws.on('message', () => serverClose(ws, 4001, 'client sent inbound traffic'));
    const handover = url.searchParams.get('reconnect');
    const prior = handover ? sessions.get(handover) : undefined;
    if (handover && !prior) return serverClose(ws, 4007, 'invalid reconnect');
    const asked = Number(url.searchParams.get('keepalive_timeout_seconds') ?? NaN);
    const s: Session = prior ?? { id: randomUUID(), live: ws, keepaliveSec: Number.isFinite(asked) ? Math.min(600, Math.max(10, Math.round(asked))) : keepaliveSec };
    if (prior) {
      clearTimeout(prior.graceTimer);
      // The new connection takes over only once welcomed; then the old one is closed.
      send(s, ws, 'session_welcome', sessionJson(s, 'connected', null));
      const old = prior.old;
      prior.live = ws;
      delete prior.old;
      armKeepalive(prior);
      if (old && old.readyState === old.OPEN) old.close(1000);
    } else {
      sessions.set(s.id, s);
      send(s, ws, 'session_welcome', sessionJson(s, 'connected', null));
      s.unusedTimer = setTimeout(() => {
        if (!subscriptions.some((sub) => sub.sessionId === s.id && sub.status === 'enabled')) serverClose(ws, 4003, 'connection unused');
      }, unusedCloseMs);
    }
    ws.on('close', () => {
      if (s.live === ws) endSession(s);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('stand-in: no port');
  port = address.port;

  return {
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    apiUrl: `http://127.0.0.1:${port}/helix`,
    subscriptions,
    rewards,
    redemptions,
    requests,
    closes,
    connectionCount: () => wss.clients.size,
    notify(type, event) {
      const sub = subscriptions.find((x) => x.type === type && x.status === 'enabled');
      const s = sub ? sessions.get(sub.sessionId) : undefined;
      if (!sub || !s) return false;
      // During a handover the old connection keeps delivering until the new one is welcomed.
      send(s, s.old ?? s.live, 'notification', { subscription: subscriptionJson(sub), event }, { subscription_type: type, subscription_version: sub.version });
      return true;
    },
    reconnectAll() {
      for (const s of sessions.values()) {
        s.old = s.live;
        send(s, s.live, 'session_reconnect', sessionJson(s, 'reconnecting', `ws://127.0.0.1:${port}/ws?reconnect=${s.id}`));
        const old = s.live;
        s.graceTimer = setTimeout(() => {
          if (s.old === old) serverClose(old, 4004, 'reconnect grace time expired');
        }, reconnectGraceMs);
      }
    },
    revoke(type, status = 'authorization_revoked') {
      for (const sub of subscriptions) {
        if (sub.type !== type || sub.status !== 'enabled') continue;
        sub.status = status;
        const s = sessions.get(sub.sessionId);
        if (s) send(s, s.live, 'revocation', { subscription: subscriptionJson(sub) }, { subscription_type: type, subscription_version: sub.version });
      }
    },
    silence(on) {
      silent = on;
    },
    addRedemption: (r) => void redemptions.set(r.id, r),
    async close() {
      for (const s of sessions.values()) endSession(s);
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
