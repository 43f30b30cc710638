/**
 * Pickle's lines in Kick chat through Kick's official public API (`POST /public/v1/chat`), with a
 * user token that has `chat:write`; a refused token is refreshed once (KICK_CLIENT_ID/SECRET/REFRESH_TOKEN).
 * A line that answers a message names it (`reply_to_message_id`), so Kick shows it as a reply.
 */
import type { OAuthToken } from '../chat/oauthToken.ts';

export class KickPostError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'KickPostError';
  }
}

/** Posts one line; returns Kick's message id (its echo in chat is not an input). */
export async function postKickLine(apiUrl: string, token: OAuthToken, text: string, broadcasterUserId: number | undefined, replyTo?: string): Promise<string | undefined> {
  const attempt = async () => {
    const body = {
      ...(broadcasterUserId !== undefined ? { type: 'user', broadcaster_user_id: broadcasterUserId } : { type: 'bot' }),
      content: text,
      ...(replyTo ? { reply_to_message_id: replyTo } : {}),
    };
    return fetch(`${apiUrl}/public/v1/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token.get()}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  };
  let res = await attempt();
  if (res.status === 401 && token.canRefresh) {
    token.refused();
    res = await attempt();
  }
  const raw = await res.text();
  if (!res.ok) throw new KickPostError(`Kick refused the chat line (HTTP ${res.status}): ${raw.slice(0, 120).replace(/\s+/g, ' ')}`, res.status);
  try {
    const j = JSON.parse(raw) as { data?: { message_id?: unknown } };
    return typeof j.data?.message_id === 'string' ? j.data.message_id : undefined;
  } catch {
    return undefined;
  }
}
