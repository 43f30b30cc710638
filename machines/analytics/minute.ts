import type { ChatPlatform, DecisionReason, ViewerKey } from '../events.ts';
import type { EngagedLine, MinuteLine, ServiceChange } from './records.ts';

/**
 * What one minute of a stream counts (pure), and the stream's most engaged viewers. Chat comes in
 * tallies (the adapter gathers a second of lines into one fact), so a flood costs one step a second.
 */

export interface MinuteTally {
  chat: Partial<Record<ChatPlatform, number>>;
  /** Distinct chatters this minute. */
  chatters: Record<ViewerKey, true>;
  replies: number;
  answered: number;
  dropped: Partial<Record<DecisionReason, number>>;
  memories: number | null;
  rssMb: number | null;
  cpuSum: number;
  cpuSamples: number;
  services: ServiceChange[];
}

export const emptyMinute = (): MinuteTally => ({ chat: {}, chatters: {}, replies: 0, answered: 0, dropped: {}, memories: null, rssMb: null, cpuSum: 0, cpuSamples: 0, services: [] });

/** A viewer is counted in the engaged table only up to this many distinct viewers per stream. */
export const ENGAGED_TRACKED = 20_000;
/** Viewers shown in the table. */
export const ENGAGED_SHOWN = 10;

export interface ChatSeen {
  platform: ChatPlatform;
  /** The sender's login. */
  user: string;
}

export function tallyChat(m: MinuteTally, engaged: Record<ViewerKey, number>, lines: readonly ChatSeen[]): { minute: MinuteTally; engaged: Record<ViewerKey, number> } {
  const chat = { ...m.chat };
  const chatters = { ...m.chatters };
  const table = { ...engaged };
  let tracked = Object.keys(table).length;
  for (const l of lines) {
    chat[l.platform] = (chat[l.platform] ?? 0) + 1;
    const key: ViewerKey = `${l.platform}:${l.user}`;
    chatters[key] = true;
    const seen = table[key];
    if (seen !== undefined) table[key] = seen + 1;
    else if (tracked < ENGAGED_TRACKED) {
      table[key] = 1;
      tracked += 1;
    }
  }
  return { minute: { ...m, chat, chatters }, engaged: table };
}

export function minuteLine(m: MinuteTally, i: number, t: number): MinuteLine {
  const chatters: Partial<Record<ChatPlatform, number>> = {};
  for (const key of Object.keys(m.chatters)) {
    const platform = key.slice(0, key.indexOf(':')) as ChatPlatform;
    chatters[platform] = (chatters[platform] ?? 0) + 1;
  }
  return {
    k: 'minute',
    i,
    t,
    chat: m.chat,
    chatters,
    replies: m.replies,
    mentions: { answered: m.answered, dropped: m.dropped },
    memories: m.memories,
    rssMb: m.rssMb,
    cpuPct: m.cpuSamples > 0 ? Math.round((m.cpuSum / m.cpuSamples) * 10) / 10 : null,
    services: m.services,
  };
}

export function engagedLine(engaged: Record<ViewerKey, number>, t: number): EngagedLine {
  const top = (Object.entries(engaged) as Array<[ViewerKey, number]>)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, ENGAGED_SHOWN)
    .map(([viewer, messages]) => ({ viewer, messages }));
  return { k: 'engaged', t, top };
}

/** `!forgetme` / the panel's forget: the viewer (a login on any platform, or one `platform:login`) leaves the table. */
export function forgetViewer(engaged: Record<ViewerKey, number>, who: string): Record<ViewerKey, number> {
  const out: Record<ViewerKey, number> = {};
  for (const [key, n] of Object.entries(engaged) as Array<[ViewerKey, number]>) if (!matchesViewer(key, who)) out[key] = n;
  return out;
}

export const matchesViewer = (key: string, who: string): boolean => (who.includes(':') ? key === who : key.slice(key.indexOf(':') + 1) === who);
