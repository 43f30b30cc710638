import { splitViewer, viewerKey, type ChatMessage, type ChatPlatform, type InputKind, type ViewerKey } from '../events.ts';
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
  /** Where a chat line or stream event came from: with `user`, the viewer (`platform:login`). */
  platform?: ChatPlatform;
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
  platform: m.platform,
  displayName: m.displayName,
  text: m.repeats && m.repeats > 1 ? `${m.text} (×${m.repeats})` : m.text,
  ts: m.ts,
});

export function remember(stm: readonly StmEntry[], entries: readonly StmEntry[], size = STM_SIZE): StmEntry[] {
  const next = [...stm, ...entries];
  return next.length > size ? next.slice(next.length - size) : next;
}

/** What the mods removed, on one platform: a same-named viewer on another keeps everything. */
export interface Removal {
  platform: ChatPlatform;
  messageIds: readonly string[];
  users: readonly ViewerKey[];
  all: boolean;
}

/** What the mods removed leaves STM too: Pickle never brings it up again. */
export function forget(stm: readonly StmEntry[], removal: Removal): StmEntry[] {
  return stm.filter((e) => !isRemoved(e, removal));
}

export function isRemoved(e: Pick<StmEntry, 'id' | 'user' | 'kind' | 'platform'>, removal: Removal): boolean {
  if (e.kind === 'reply' || e.platform !== removal.platform) return false;
  if (removal.messageIds.includes(e.id)) return true;
  return e.kind === 'chat' && (removal.all || removal.users.includes(viewerKey(removal.platform, e.user)));
}

/** Whether a removal takes away what a reply answers (its messages, its viewers, or all of its platform's chat). */
export function removesTrigger(t: { platform?: ChatPlatform; input: InputKind; messageIds: readonly string[]; users: readonly string[] }, removal: Removal): boolean {
  if (t.platform !== removal.platform) return false;
  return (
    (removal.all && t.input === 'chat') ||
    t.messageIds.some((id) => removal.messageIds.includes(id)) ||
    t.users.some((u) => removal.users.includes(viewerKey(removal.platform, u)))
  );
}

/**
 * `!forgetme` (a `platform:login`) or the panel's forget (a bare login: every platform): the
 * viewer's own lines on that platform, and, on any platform, lines that name them and replies to
 * them or about them (a name in a text cannot say which platform's viewer it means).
 */
export function forgetViewer(stm: readonly StmEntry[], who: string): StmEntry[] {
  const [platform, login] = splitViewer(who);
  const plan = forgetPlan(login);
  const elsewhere = (e: StmEntry) => platform !== undefined && e.kind === 'chat' && e.platform !== undefined && e.platform !== platform;
  const aboutOnly = { ...plan, authors: [] };
  return stm.filter((e) => !concerns(e, elsewhere(e) ? aboutOnly : plan));
}
