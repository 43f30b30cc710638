import type { ChatPlatform, DecisionReason, ViewerKey } from '../events.ts';
import type { EngagedLine, MinuteLine, ServiceChange } from './records.ts';

/**
 * What one minute of a stream counts (pure), and the stream's most engaged viewers. Chat comes in
 * tallies (the adapter gathers a second of lines into one fact), so a flood costs one step a second.
 */

export interface MinuteTally {
  chat: Partial<Record<ChatPlatform, number>>;
  /** Distinct chatters this minute (a Set: copied once a second in a flood, it is several times cheaper than an object). */
  chatters: ReadonlySet<ViewerKey>;
  replies: number;
  answered: number;
  dropped: Partial<Record<DecisionReason, number>>;
  memories: number | null;
  rssMb: number | null;
  cpuSum: number;
  cpuSamples: number;
  services: ServiceChange[];
}

export const emptyMinute = (): MinuteTally => ({ chat: {}, chatters: new Set(), replies: 0, answered: 0, dropped: {}, memories: null, rssMb: null, cpuSum: 0, cpuSamples: 0, services: [] });

/** A viewer is counted in the engaged table only up to this many distinct viewers per stream. */
export const ENGAGED_TRACKED = 20_000;
/** Viewers shown in the table. */
export const ENGAGED_SHOWN = 10;

export interface ChatSeen {
  platform: ChatPlatform;
  /** The sender's login. */
  user: string;
}

/** Messages per viewer this stream. */
export type EngagedTable = ReadonlyMap<ViewerKey, number>;

export function tallyChat(m: MinuteTally, engaged: EngagedTable, lines: readonly ChatSeen[]): { minute: MinuteTally; engaged: EngagedTable } {
  const chat = { ...m.chat };
  const chatters = new Set(m.chatters);
  const table = new Map(engaged);
  for (const l of lines) {
    chat[l.platform] = (chat[l.platform] ?? 0) + 1;
    const key: ViewerKey = `${l.platform}:${l.user}`;
    chatters.add(key);
    const seen = table.get(key);
    if (seen !== undefined) table.set(key, seen + 1);
    else if (table.size < ENGAGED_TRACKED) table.set(key, 1);
  }
  return { minute: { ...m, chat, chatters }, engaged: table };
}

export function minuteLine(m: MinuteTally, i: number, t: number): MinuteLine {
  const chatters: Partial<Record<ChatPlatform, number>> = {};
  for (const key of m.chatters) {
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

export function engagedLine(engaged: EngagedTable, t: number): EngagedLine {
  const top = [...engaged]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, ENGAGED_SHOWN)
    .map(([viewer, messages]) => ({ viewer, messages }));
  return { k: 'engaged', t, top };
}

/** `!forgetme` / the panel's forget: the viewer (a login on any platform, or one `platform:login`) leaves the table. */
export function forgetViewer(engaged: EngagedTable, who: string): EngagedTable {
  return new Map([...engaged].filter(([key]) => !matchesViewer(key, who)));
}

export const matchesViewer = (key: string, who: string): boolean => (who.includes(':') ? key === who : key.slice(key.indexOf(':') + 1) === who);
