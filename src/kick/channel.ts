/**
 * Kick's channel lookup (the chatroom id and the broadcaster's user id) from KICK_API_URL. The
 * endpoint sits behind Cloudflare, which often answers a server with 403: then KICK_CHATROOM_ID
 * says the chatroom without asking.
 */
import { errorText } from '../errors.ts';
export interface KickChannel {
  chatroomId: number;
  /** The broadcaster's user id (replies through the official API name it); unknown with KICK_CHATROOM_ID alone. */
  userId?: number;
}

export class KickLookupError extends Error {
  constructor(
    message: string,
    readonly fix: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'KickLookupError';
  }
}

export const CHATROOM_FIX = 'set KICK_CHATROOM_ID in .env: open https://kick.com/api/v2/channels/<your channel> in a browser and copy chatroom.id';

export async function lookUpChannel(apiUrl: string, slug: string): Promise<KickChannel> {
  let res: Response;
  try {
    res = await fetch(`${apiUrl}/channels/${encodeURIComponent(slug)}`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new KickLookupError(`Kick's channel lookup is unreachable (${errorText(err)})`, CHATROOM_FIX, true);
  }
  if (res.status === 403) throw new KickLookupError(`Kick's channel lookup was blocked (HTTP 403, Cloudflare)`, CHATROOM_FIX, false);
  if (res.status === 404) throw new KickLookupError(`no Kick channel named "${slug}"`, 'check KICK_CHANNEL: the name as in kick.com/<name>', false);
  if (!res.ok) throw new KickLookupError(`Kick's channel lookup failed (HTTP ${res.status})`, CHATROOM_FIX, true);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new KickLookupError(`Kick's channel lookup answered with something that is not JSON (a Cloudflare page?)`, CHATROOM_FIX, false);
  }
  const b = (body && typeof body === 'object' ? body : {}) as { user_id?: unknown; chatroom?: { id?: unknown } };
  const chatroomId = b.chatroom?.id;
  if (typeof chatroomId !== 'number') throw new KickLookupError(`Kick's channel lookup has no chatroom id`, CHATROOM_FIX, false);
  return { chatroomId, ...(typeof b.user_id === 'number' ? { userId: b.user_id } : {}) };
}
