/**
 * Pure mapping from tmi.js userstate tags to Pickle's ChatMessage / StreamEvent.
 *
 * tmi.js has already unescaped tag values and rewritten some of them: "1"/"0" become true/false
 * (so a raid of 1 viewer arrives as `msg-param-viewerCount: true`), empty values become null,
 * `badges` becomes an object. Everything here accepts both that shape and raw strings, so the
 * functions work on tmi's objects and on hand-written tables alike.
 */
import type { ChatMessage, ChatRole, StreamEvent, StreamEventKind } from '../../machines/events.ts';

/** Tags as tmi.js hands them over (ChatUserstate and friends are assignable to this). */
export type TmiTags = Readonly<Record<string, unknown>>;

export function tagString(tags: TmiTags, key: string): string | undefined {
  const v = tags[key];
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number') return String(v);
  // tmi turned "1"/"0" into booleans; for ids and names the digit is what Twitch sent.
  if (v === true) return '1';
  if (v === false) return '0';
  return undefined;
}

export function tagNumber(tags: TmiTags, key: string): number | undefined {
  const v = tags[key];
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (v === true) return 1;
  if (v === false) return 0;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function tagTrue(tags: TmiTags, key: string): boolean {
  const v = tags[key];
  return v === true || v === '1';
}

/** Badge names from tmi's parsed object or the raw `badges` string (`moderator/1,subscriber/12`). */
export function badgeNames(tags: TmiTags): Set<string> {
  const out = new Set<string>();
  const b = tags['badges'];
  if (b && typeof b === 'object') for (const k of Object.keys(b)) out.add(k);
  else if (typeof b === 'string') for (const part of b.split(',')) if (part) out.add(part.split('/')[0] ?? part);
  const raw = tags['badges-raw'];
  if (typeof raw === 'string') for (const part of raw.split(',')) if (part) out.add(part.split('/')[0] ?? part);
  return out;
}

export function roleFromTags(tags: TmiTags): ChatRole {
  const badges = badgeNames(tags);
  const roomId = tagString(tags, 'room-id');
  if (badges.has('broadcaster') || (roomId !== undefined && roomId === tagString(tags, 'user-id'))) return 'broadcaster';
  if (badges.has('moderator') || tagTrue(tags, 'mod') || tags['user-type'] === 'mod') return 'moderator';
  return 'viewer';
}

/**
 * Whether the bot itself gets the larger send limits in a channel: moderator, VIP or broadcaster
 * (from its USERSTATE), or the bot account is the channel.
 */
export function isPrivileged(tags: TmiTags, login: string | undefined, channel: string): boolean {
  if (login && login.toLowerCase() === channel.replace(/^#/, '').toLowerCase()) return true;
  const badges = badgeNames(tags);
  return badges.has('broadcaster') || badges.has('moderator') || badges.has('vip') || tagTrue(tags, 'mod');
}

function loginOf(tags: TmiTags, ...keys: string[]): string {
  for (const k of keys) {
    const v = tagString(tags, k);
    if (v) return v.toLowerCase();
  }
  return '';
}

function tsOf(tags: TmiTags, now: number): number {
  const ts = tagNumber(tags, 'tmi-sent-ts');
  return ts !== undefined && ts > 1 ? ts : now;
}

/** A PRIVMSG (chat, action or cheer) as a ChatMessage. */
export function chatMessageFromTags(tags: TmiTags, text: string, now: number): ChatMessage {
  const user = loginOf(tags, 'username', 'login');
  const ts = tsOf(tags, now);
  const bits = tagNumber(tags, 'bits');
  return {
    platform: 'twitch',
    id: tagString(tags, 'id') ?? `${user}:${ts}`,
    user,
    displayName: tagString(tags, 'display-name') ?? user,
    text,
    role: roleFromTags(tags),
    ts,
    ...(bits !== undefined && bits > 0 ? { bits } : {}),
  };
}

/** A cheer as a `bits` StreamEvent; undefined when the line carries no bits. */
export function cheerEventFromTags(tags: TmiTags, text: string, now: number): StreamEvent | undefined {
  const amount = tagNumber(tags, 'bits');
  if (amount === undefined || amount <= 0) return undefined;
  const m = chatMessageFromTags(tags, text, now);
  return {
    platform: 'twitch',
    kind: 'bits',
    id: m.id,
    user: m.user,
    displayName: m.displayName,
    ts: m.ts,
    amount,
    ...(text.trim() ? { text } : {}),
  };
}

export type UserNoticeKind = Exclude<StreamEventKind, 'bits'>;

/** USERNOTICE msg-id → the event kind Pickle cares about (anonymous gifts count as gifts). */
export function userNoticeKind(msgId: string | undefined): UserNoticeKind | undefined {
  switch (msgId) {
    case 'sub':
    case 'resub':
    case 'subgift':
    case 'submysterygift':
    case 'raid':
      return msgId;
    case 'anonsubgift':
      return 'subgift';
    case 'anonsubmysterygift':
      return 'submysterygift';
    default:
      return undefined;
  }
}

/** A USERNOTICE (sub, resub, gift, mystery gift, raid) as a StreamEvent. */
export function streamEventFromUserNotice(
  kind: UserNoticeKind,
  tags: TmiTags,
  text: string | null | undefined,
  now: number,
): StreamEvent {
  const ts = tsOf(tags, now);
  let user = loginOf(tags, 'login', 'username');
  let displayName = tagString(tags, 'display-name') ?? user;
  let amount: number | undefined;
  let recipient: string | undefined;
  switch (kind) {
    case 'sub':
      break;
    case 'resub':
      amount = tagNumber(tags, 'msg-param-cumulative-months') ?? tagNumber(tags, 'msg-param-months');
      break;
    case 'subgift':
      amount = 1;
      recipient = tagString(tags, 'msg-param-recipient-display-name') ?? tagString(tags, 'msg-param-recipient-user-name');
      break;
    case 'submysterygift':
      amount = tagNumber(tags, 'msg-param-mass-gift-count');
      break;
    case 'raid':
      user = loginOf(tags, 'msg-param-login') || user;
      displayName = tagString(tags, 'msg-param-displayName') ?? displayName;
      amount = tagNumber(tags, 'msg-param-viewerCount');
      break;
  }
  const body = typeof text === 'string' && text.trim() ? text : undefined;
  return {
    platform: 'twitch',
    kind,
    id: tagString(tags, 'id') ?? `${kind}:${user}:${ts}`,
    user,
    displayName: displayName || user,
    ts,
    ...(body !== undefined ? { text: body } : {}),
    ...(amount !== undefined ? { amount } : {}),
    ...(recipient !== undefined ? { recipient } : {}),
  };
}
