/**
 * YouTube's liveChatMessage resources → Pickle's events (developers.google.com/youtube/v3/live/docs/liveChatMessages).
 * A viewer is their channel id (`youtube:<channelId>`, lowercased): display names change and
 * repeat, channel ids do not, and a `userBannedEvent` names the channel.
 */
import type { ChatRole, InputEvent } from '../../machines/events.ts';
import { clipLine, type BadInput } from '../chat/badInput.ts';

export interface LiveChatAuthor {
  channelId?: string;
  displayName?: string;
  isChatOwner?: boolean;
  isChatModerator?: boolean;
  isChatSponsor?: boolean;
}

export interface LiveChatMessage {
  kind?: string;
  id?: string;
  snippet?: {
    type?: string;
    publishedAt?: string;
    displayMessage?: string;
    textMessageDetails?: { messageText?: string };
    messageDeletedDetails?: { deletedMessageId?: string };
    userBannedDetails?: { bannedUserDetails?: { channelId?: string }; banType?: string; banDurationSeconds?: number | string };
    superChatDetails?: { amountMicros?: number | string; currency?: string; amountDisplayString?: string; userComment?: string };
  };
  authorDetails?: LiveChatAuthor;
}

export interface LiveChatPage {
  nextPageToken?: string;
  pollingIntervalMillis?: number;
  offlineAt?: string;
  items?: LiveChatMessage[];
}

const roleOf = (a: LiveChatAuthor): ChatRole => (a.isChatOwner ? 'broadcaster' : a.isChatModerator ? 'moderator' : 'viewer');
const viewerOf = (channelId: string) => channelId.toLowerCase();

/** One resource as Pickle's input, or undefined (a kind Pickle does not use, or a malformed one, noted). */
export function inputOf(item: LiveChatMessage, now: number, bad: BadInput): InputEvent | undefined {
  const s = item.snippet;
  const a = item.authorDetails ?? {};
  if (!item.id || !s?.type) return void bad('liveChatMessage without id or type', { id: item.id });
  const parsed = s.publishedAt ? Date.parse(s.publishedAt) : NaN;
  const ts = Number.isFinite(parsed) ? parsed : now;
  const author = a.channelId ? { user: viewerOf(a.channelId), displayName: a.displayName?.trim() || a.channelId } : undefined;
  switch (s.type) {
    case 'textMessageEvent': {
      const text = s.textMessageDetails?.messageText ?? s.displayMessage;
      if (!author || typeof text !== 'string') return void bad('textMessageEvent without author or text', { id: item.id });
      return { type: 'chat.message', message: { platform: 'youtube', id: item.id, ...author, text: clipLine(text, bad), role: roleOf(a), ts } };
    }
    case 'superChatEvent': {
      if (!author) return void bad('superChatEvent without author', { id: item.id });
      const d = s.superChatDetails ?? {};
      const comment = d.userComment?.trim();
      return {
        type: 'stream.event',
        event: { platform: 'youtube', kind: 'bits', id: item.id, ...author, ts, paid: d.amountDisplayString ?? `${Number(d.amountMicros ?? 0) / 1e6} ${d.currency ?? ''}`.trim(), ...(comment ? { text: clipLine(comment, bad) } : {}) },
      };
    }
    case 'messageDeletedEvent': {
      const id = s.messageDeletedDetails?.deletedMessageId;
      return id ? { type: 'chat.deleted', platform: 'youtube', messageId: id } : void bad('messageDeletedEvent without id', { id: item.id });
    }
    case 'userBannedEvent': {
      const d = s.userBannedDetails;
      const channelId = d?.bannedUserDetails?.channelId;
      if (!channelId) return void bad('userBannedEvent without channel', { id: item.id });
      const duration = d.banType === 'temporary' ? Number(d.banDurationSeconds) : undefined;
      return { type: 'chat.cleared', platform: 'youtube', user: viewerOf(channelId), ...(duration !== undefined && Number.isFinite(duration) ? { durationSec: duration } : {}) };
    }
    default:
      return undefined;
  }
}
