/**
 * EventSub WebSocket frames: `{ metadata: { message_id, message_type, message_timestamp, … },
 * payload }`. The framing is plain JSON, so it is read here by hand into the few shapes the feed
 * uses; anything else is `unknown` and ignored. Strings from Twitch stay untrusted data.
 */

export type Frame =
  | { kind: 'welcome'; messageId: string; sessionId: string; keepaliveSec: number }
  | { kind: 'keepalive'; messageId: string }
  | { kind: 'reconnect'; messageId: string; url: string }
  | { kind: 'notification'; messageId: string; subscriptionType: string; event: Record<string, unknown> }
  | { kind: 'revocation'; messageId: string; subscriptionType: string; status: string }
  | { kind: 'unknown' };

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function parseFrame(text: string): Frame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'unknown' };
  }
  const metadata = obj(obj(raw)['metadata']);
  const payload = obj(obj(raw)['payload']);
  const messageId = str(metadata['message_id']);
  switch (metadata['message_type']) {
    case 'session_welcome': {
      const session = obj(payload['session']);
      const keepalive = session['keepalive_timeout_seconds'];
      const sessionId = str(session['id']);
      if (!sessionId) return { kind: 'unknown' };
      return { kind: 'welcome', messageId, sessionId, keepaliveSec: typeof keepalive === 'number' && keepalive > 0 ? keepalive : 10 };
    }
    case 'session_keepalive':
      return { kind: 'keepalive', messageId };
    case 'session_reconnect': {
      const url = str(obj(payload['session'])['reconnect_url']);
      return url ? { kind: 'reconnect', messageId, url } : { kind: 'unknown' };
    }
    case 'notification':
      return { kind: 'notification', messageId, subscriptionType: str(obj(payload['subscription'])['type']) || str(metadata['subscription_type']), event: obj(payload['event']) };
    case 'revocation': {
      const sub = obj(payload['subscription']);
      return { kind: 'revocation', messageId, subscriptionType: str(sub['type']) || str(metadata['subscription_type']), status: str(sub['status']) };
    }
    default:
      return { kind: 'unknown' };
  }
}

export interface RedemptionEvent {
  id: string;
  userId: string;
  userLogin: string;
  userName: string;
  userInput: string;
  rewardId: string;
  rewardTitle: string;
  redeemedAt: string;
}

/** `channel.channel_points_custom_reward_redemption.add` v1. */
export function readRedemption(e: Record<string, unknown>): RedemptionEvent | undefined {
  const reward = obj(e['reward']);
  const r: RedemptionEvent = {
    id: str(e['id']),
    userId: str(e['user_id']),
    userLogin: str(e['user_login']).toLowerCase(),
    userName: str(e['user_name']),
    userInput: str(e['user_input']),
    rewardId: str(reward['id']),
    rewardTitle: str(reward['title']),
    redeemedAt: str(e['redeemed_at']),
  };
  return r.id && r.userLogin && r.rewardId ? r : undefined;
}

export interface FollowEvent {
  userId: string;
  userLogin: string;
  userName: string;
  followedAt: string;
}

/** `channel.follow` v2. */
export function readFollow(e: Record<string, unknown>): FollowEvent | undefined {
  const f: FollowEvent = { userId: str(e['user_id']), userLogin: str(e['user_login']).toLowerCase(), userName: str(e['user_name']), followedAt: str(e['followed_at']) };
  return f.userId && f.userLogin ? f : undefined;
}
