import { viewerKey, type ChatPlatform, type RecalledMemory, type ViewerKey } from '../events.ts';
import type { StmEntry } from './stm.ts';

/**
 * The recall step of a reply (pure): what the memory actor is asked, and how its answer is
 * cleaned before it reaches the prompt. The lookup itself (embedding, Chroma) lives in src/memory.
 */

/** How long a reply waits for long-term memory before it goes on without it. */
export const RECALL_BUDGET_MS = 150;
/** The seed's retrieval: top 3 by similarity. */
export const RECALL_TOP_K = 3;
/** Viewers of the current input whose own facts are fetched (the trigger's author first). */
export const RECALL_MAX_USERS = 5;

export interface RecallInput {
  /** The text being answered: the similarity query. */
  query: string;
  /** Viewers in the current input (`platform:login`): their top facts are fetched by metadata filter. */
  viewers: ViewerKey[];
  /** The persona replying: its own past replies are recalled, not another persona's. */
  persona: string;
  /** What STM already holds (message ids and texts): not worth repeating from LTM. */
  exclude: { ids: string[]; texts: string[] };
  now: number;
}

interface TriggerLike {
  entries: readonly StmEntry[];
  triggerId?: string;
  /** Logins on `platform` (or on the platform of the trigger's own entry). */
  users: readonly string[];
  platform?: ChatPlatform;
  viewer?: ViewerKey;
}

export function recallInputOf(trigger: TriggerLike, stm: readonly StmEntry[], persona: string, now: number): RecallInput {
  const main = trigger.entries.find((e) => e.id === trigger.triggerId);
  // The message that triggered the reply is the query; without one (speech, vision), the last few entries.
  const query = main ? main.text : trigger.entries.slice(-3).map((e) => e.text).join('\n');
  const platform = trigger.platform ?? main?.platform;
  const viewers: ViewerKey[] = [];
  const add = (v: ViewerKey) => {
    if (!viewers.includes(v) && viewers.length < RECALL_MAX_USERS) viewers.push(v);
  };
  if (trigger.viewer) add(trigger.viewer);
  if (platform) for (const u of trigger.users) add(viewerKey(platform, u));
  for (const e of trigger.entries) if (e.kind === 'chat' && e.platform) add(viewerKey(e.platform, e.user));
  const all = [...stm, ...trigger.entries];
  return {
    query,
    viewers,
    persona,
    exclude: { ids: [...new Set(all.map((e) => e.id))], texts: [...new Set(all.map((e) => normalise(e.text)))] },
    now,
  };
}

export const normalise = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

/** Drops memories that STM already shows (same message, or the same words) and duplicates among them. */
export function dedupeMemories(memories: readonly RecalledMemory[], stm: readonly Pick<StmEntry, 'id' | 'text'>[]): RecalledMemory[] {
  const ids = new Set(stm.map((e) => e.id));
  const texts = new Set(stm.map((e) => normalise(e.text)));
  const out: RecalledMemory[] = [];
  for (const m of memories) {
    const t = normalise(m.text);
    if (ids.has(m.id) || (m.messageId && ids.has(m.messageId)) || texts.has(t)) continue;
    ids.add(m.id);
    texts.add(t);
    out.push(m);
  }
  // Oldest first, like the rest of the prompt.
  return out.sort((a, b) => a.ts - b.ts);
}
