import type { BrainOutEvent, Decision, PersonaRuntime, ViewerKey } from '../events.ts';
import { DEFAULT_BAITING_RULE, expired, isSilenced, keysFor, lift, noBaiting, strike, type BaitingRule, type BaitingState } from '../moderation/baiting.ts';
import { moderationData, type ModerationData } from '../moderation/pipeline.ts';
import type { ModerationCategory, ModerationLayer, WordList } from '../moderation/types.ts';
import { systemPrompt } from './prompt.ts';
import type { Trigger } from './types.ts';

/**
 * The brain's moderation state (pure helpers, kept out of brain.ts): the pipeline's data for
 * the current persona, and the baiting rule's strikes and silences.
 */

export interface BrainModeration {
  lists: readonly WordList[];
  data: ModerationData;
  rule: BaitingRule;
  baiting: BaitingState;
}

export function initModeration(persona: PersonaRuntime, lists: readonly WordList[], rule: BaitingRule = DEFAULT_BAITING_RULE): BrainModeration {
  return { lists, data: moderationData(lists, systemPrompt(persona)), rule, baiting: noBaiting };
}

/** The instructions to protect follow the persona; the word lists follow its languages. */
export const withPersona = (m: BrainModeration, persona: PersonaRuntime): BrainModeration => ({ ...m, data: moderationData(m.lists, systemPrompt(persona)) });
export const withLists = (m: BrainModeration, lists: readonly WordList[], persona: PersonaRuntime): BrainModeration => ({ ...m, lists, data: moderationData(lists, systemPrompt(persona)) });

/** The persona blocklist as a word list (when src gives no language lists). */
export const blocklistAsList = (blocklist: readonly string[]): WordList => ({ source: 'persona', entries: blocklist.map((term) => ({ term, category: 'profanity' })) });

/** What the brain's gate decided about an input (brain.ts toTrigger). */
export interface Gated {
  trigger?: Trigger;
  decision: Decision;
  mention: boolean;
}

/** A trigger from a silenced viewer is noted, not answered. */
export function silenceGate(m: BrainModeration, t: Gated | undefined): Gated | undefined {
  const viewer = t?.trigger?.viewer;
  if (!t || !t.trigger || !viewer || !isSilenced(m.baiting, viewer, t.trigger.ts)) return t;
  return { mention: false, decision: { ...t.decision, respond: false, reason: 'silenced', summary: `${t.decision.summary} (viewer silenced for baiting)` } };
}

/** Addressed entries from silenced viewers leave the queue's way before they enter it. */
export function splitSilenced<E extends { item: Trigger }>(m: BrainModeration, entries: readonly E[]): { kept: E[]; silenced: E[] } {
  const kept: E[] = [];
  const silenced: E[] = [];
  for (const e of entries) (e.item.viewer && isSilenced(m.baiting, e.item.viewer, e.item.ts) ? silenced : kept).push(e);
  return { kept, silenced };
}

/**
 * A sentence was dropped. The first drop of a reply counts one strike against the viewer who
 * asked; the strike that crosses the line silences them.
 */
export function sentenceBlocked(
  m: BrainModeration,
  reply: { id: string; blocked: boolean; trigger: { viewer?: ViewerKey; ts: number } },
  verdict: { category: ModerationCategory; layer: ModerationLayer },
): { moderation: BrainModeration; events: BrainOutEvent[] } {
  const viewer = reply.trigger.viewer;
  const events: BrainOutEvent[] = [{ type: 'reply.blocked', replyId: reply.id, category: verdict.category, layer: verdict.layer, ...(viewer ? { viewer } : {}) }];
  if (!viewer || reply.blocked) return { moderation: m, events };
  // Silences that ran out are dropped first, so a returning viewer starts clean.
  let baiting = m.baiting;
  for (const gone of expired(baiting, reply.trigger.ts)) baiting = lift(baiting, gone);
  const struck = strike(baiting, viewer, reply.trigger.ts, m.rule);
  if (struck.silencedUntil !== undefined) events.push({ type: 'viewer.silenced', viewer, until: struck.silencedUntil });
  return { moderation: { ...m, baiting: struck.state }, events };
}

/** `!unblock name` or the panel: every key the name stands for is lifted. */
export function unblock(m: BrainModeration, who: string, by: string): { moderation: BrainModeration; events: BrainOutEvent[] } {
  const keys = keysFor(m.baiting, who);
  let baiting = m.baiting;
  for (const k of keys) baiting = lift(baiting, k);
  return { moderation: { ...m, baiting }, events: keys.map((viewer) => ({ type: 'viewer.unsilenced', viewer, by })) };
}
