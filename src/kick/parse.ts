/**
 * Kick's chatroom events (Pusher channel `chatrooms.<id>.v2`) → Pickle's events. Kick sends each
 * event's `data` as a JSON string; pusher-js decodes it when it can, so a string left here is a
 * payload that did not parse (double-encoded or broken): it is tried once more, else dropped.
 * Kick's public chat API is not documented for this socket: the fields are what Kick sends today.
 */
import type { ChatRole, InputEvent } from '../../machines/events.ts';
import { clipLine, type BadInput } from '../chat/badInput.ts';

export const KICK_EVENTS = {
  message: 'App\\Events\\ChatMessageEvent',
  deleted: 'App\\Events\\MessageDeletedEvent',
  banned: 'App\\Events\\UserBannedEvent',
  cleared: 'App\\Events\\ChatroomClearEvent',
} as const;

interface KickSender {
  id?: number;
  username?: string;
  slug?: string;
  identity?: { badges?: Array<{ type?: string; text?: string; count?: number }> };
}

const record = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** The event's payload as an object: pusher-js decoded it, or it is a string to decode once more (double-encoded). */
export function payloadOf(data: unknown, bad: BadInput, event: string): Record<string, unknown> | undefined {
  let v = data;
  for (let i = 0; i < 2 && typeof v === 'string'; i++) {
    const text: string = v;
    try {
      v = JSON.parse(text);
    } catch {
      return void bad('event data that is not JSON', { event, sample: text.slice(0, 80) });
    }
  }
  return record(v) ?? void bad('event data that is not an object', { event });
}

export function roleOf(sender: KickSender): ChatRole {
  const badges = (sender.identity?.badges ?? []).map((b) => b.type);
  return badges.includes('broadcaster') ? 'broadcaster' : badges.includes('moderator') ? 'moderator' : 'viewer';
}

const loginOf = (s: KickSender) => (s.slug ?? s.username ?? '').toLowerCase();

/** One chatroom event as Pickle's input; undefined for an event Pickle does not use or a malformed one (noted). */
export function inputOf(event: string, data: unknown, now: number, bad: BadInput): InputEvent | undefined {
  if (!(Object.values(KICK_EVENTS) as string[]).includes(event)) return undefined;
  const d = payloadOf(data, bad, event);
  if (!d) return undefined;
  switch (event) {
    case KICK_EVENTS.message: {
      const sender = (record(d.sender) ?? {}) as KickSender;
      const user = loginOf(sender);
      if (typeof d.id !== 'string' || typeof d.content !== 'string' || !user) return void bad('ChatMessageEvent without id, content or sender', {});
      const parsed = typeof d.created_at === 'string' ? Date.parse(d.created_at) : NaN;
      return {
        type: 'chat.message',
        message: { platform: 'kick', id: d.id, user, displayName: sender.username ?? user, text: clipLine(d.content, bad), role: roleOf(sender), ts: Number.isFinite(parsed) ? parsed : now },
      };
    }
    case KICK_EVENTS.deleted: {
      const id = record(d.message)?.id;
      return typeof id === 'string' ? { type: 'chat.deleted', platform: 'kick', messageId: id } : void bad('MessageDeletedEvent without message id', {});
    }
    case KICK_EVENTS.banned: {
      const user = loginOf((record(d.user) ?? {}) as KickSender);
      if (!user) return void bad('UserBannedEvent without user', {});
      const duration = typeof d.duration === 'number' && d.permanent !== true ? d.duration * 60 : undefined;
      return { type: 'chat.cleared', platform: 'kick', user, ...(duration !== undefined ? { durationSec: duration } : {}) };
    }
    default:
      return { type: 'chat.cleared', platform: 'kick' };
  }
}
