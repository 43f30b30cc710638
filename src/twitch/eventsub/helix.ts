/**
 * The few Helix calls the event feed needs, with fetch. Every call sends `Authorization: Bearer`
 * and `Client-Id` (Twitch answers 401 when they do not belong together). Errors carry the HTTP
 * status and Twitch's own message, never a token.
 */

export const TWITCH_API_URL = 'https://api.twitch.tv/helix';

export class HelixError extends Error {
  /** 0 = Twitch could not be reached. */
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'HelixError';
    this.status = status;
  }
}

export interface HelixOptions {
  apiUrl: string;
  clientId: string;
  /** The current access token (it may be refreshed between calls). */
  token: () => string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface HelixUser {
  id: string;
  login: string;
  display_name: string;
}

export interface SubscriptionRequest {
  type: string;
  version: string;
  condition: Record<string, string>;
}

export interface CreatedReward {
  id: string;
  title: string;
  cost: number;
}

export type Helix = ReturnType<typeof createHelix>;

export function createHelix(o: HelixOptions) {
  const doFetch = o.fetch ?? fetch;

  async function call(what: string, method: string, path: string, query: Record<string, string | string[]>, body?: unknown): Promise<unknown> {
    const url = new URL(`${o.apiUrl.replace(/\/+$/, '')}${path}`);
    for (const [k, v] of Object.entries(query)) for (const one of [v].flat()) url.searchParams.append(k, one);
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers: {
          authorization: `Bearer ${o.token()}`,
          'client-id': o.clientId,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new HelixError(0, `${what}: could not reach ${url.host} (${cause})`);
    }
    const text = await res.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.status >= 300) {
      const m = (parsed as { message?: unknown } | undefined)?.message;
      throw new HelixError(res.status, `${what}: HTTP ${res.status} ${typeof m === 'string' ? m.slice(0, 200) : 'no message'}`);
    }
    return parsed;
  }

  const dataOf = (body: unknown): unknown[] => {
    const d = (body as { data?: unknown } | undefined)?.data;
    return Array.isArray(d) ? d : [];
  };

  return {
    /** The token's own user (no arguments), or the users with these logins. */
    async users(logins: string[] = []): Promise<HelixUser[]> {
      const body = await call('user lookup', 'GET', '/users', logins.length ? { login: logins } : {});
      return dataOf(body).filter((u): u is HelixUser => typeof (u as HelixUser).id === 'string' && typeof (u as HelixUser).login === 'string');
    },
    async subscribe(sessionId: string, req: SubscriptionRequest): Promise<void> {
      await call(`subscribing to ${req.type}`, 'POST', '/eventsub/subscriptions', {}, { ...req, transport: { method: 'websocket', session_id: sessionId } });
    },
    async settleRedemption(p: { broadcasterId: string; rewardId: string; redemptionId: string; status: 'FULFILLED' | 'CANCELED' }): Promise<void> {
      await call('redemption update', 'PATCH', '/channel_points/custom_rewards/redemptions', { id: p.redemptionId, broadcaster_id: p.broadcasterId, reward_id: p.rewardId }, { status: p.status });
    },
    async createReward(p: { broadcasterId: string; title: string; cost: number; prompt: string }): Promise<CreatedReward> {
      const body = await call('reward creation', 'POST', '/channel_points/custom_rewards', { broadcaster_id: p.broadcasterId }, {
        title: p.title,
        cost: p.cost,
        prompt: p.prompt,
        is_user_input_required: true,
      });
      const r = dataOf(body)[0] as Partial<CreatedReward> | undefined;
      if (typeof r?.id !== 'string') throw new HelixError(200, 'reward creation: answer without a reward id');
      return { id: r.id, title: typeof r.title === 'string' ? r.title : p.title, cost: typeof r.cost === 'number' ? r.cost : p.cost };
    },
  };
}
