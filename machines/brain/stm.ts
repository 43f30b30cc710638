import type { ChatMessage, InputKind } from '../events.ts';
import { concerns, forgetPlan } from '../memory/provenance.ts';

/** Short-term memory: the seed's rolling window of the last 15 entries (viewer lines and replies). */
export const STM_SIZE = 15;

export interface StmEntry {
  /** Message id for chat (so moderation can remove it), reply id for replies. */
  id: string;
  /** `digest`: the chat digest quoted into a prompt (never kept in STM). */
  kind: InputKind | 'reply' | 'digest';
  /** Login of who said it; `streamer` for speech, the persona id for replies. */
  user: string;
  displayName: string;
  text: string;
  ts: number;
  /** For a reply: the viewers it answered (so `!forgetme` removes it). */
  about?: string[];
}

/** A chat line as STM keeps it: collapsed duplicates say how many there were. */
export const chatEntry = (m: ChatMessage): StmEntry => ({
  id: m.id,
  kind: 'chat',
  user: m.user,
  displayName: m.displayName,
  text: m.repeats && m.repeats > 1 ? `${m.text} (×${m.repeats})` : m.text,
  ts: m.ts,
});

export function remember(stm: readonly StmEntry[], entries: readonly StmEntry[], size = STM_SIZE): StmEntry[] {
  const next = [...stm, ...entries];
  return next.length > size ? next.slice(next.length - size) : next;
}

export interface Removal {
  messageIds: readonly string[];
  users: readonly string[];
  all: boolean;
}

/** What the mods removed leaves STM too: Pickle never brings it up again. */
export function forget(stm: readonly StmEntry[], removal: Removal): StmEntry[] {
  return stm.filter((e) => !isRemoved(e, removal));
}

export function isRemoved(e: Pick<StmEntry, 'id' | 'user' | 'kind'>, removal: Removal): boolean {
  if (e.kind === 'reply') return false;
  if (removal.all && e.kind === 'chat') return true;
  if (removal.messageIds.includes(e.id)) return true;
  return e.kind === 'chat' && removal.users.includes(e.user);
}

/** `!forgetme`: the viewer's lines, lines that name them, and replies to them or about them. */
export function forgetViewer(stm: readonly StmEntry[], login: string): StmEntry[] {
  const plan = forgetPlan(login);
  return stm.filter((e) => !concerns(e, plan));
}
