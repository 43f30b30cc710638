import { splitViewer, viewerKey, type ChatPlatform, type MemorySource, type PickleEvent, type ViewerKey } from '../events.ts';
import { chatProvenance, concerns, forgetPlan, namedLogins, replyProvenance, selfNames } from './provenance.ts';
import { moderate, type ModerationData } from '../moderation/pipeline.ts';
import type { ModerationCategory } from '../moderation/types.ts';

/**
 * What goes into long-term memory (pure functions, no I/O).
 *
 * The seed's rule: store a line when it has at least 5 words, or when it matches one of the
 * entity patterns (activities, preferences, identity, time references, proper nouns).
 * Lines that match identity / preference / activity patterns are marked as `fact`: those are
 * what Pickle brings up when that viewer talks again.
 */

export const MIN_WORDS = 5;

export type EntityKind = 'activity' | 'preference' | 'identity' | 'time' | 'proper-noun';

const pattern = (re: RegExp) => (text: string) => re.test(text);

/** A capitalised word that does not start a sentence and is not "I" (e.g. "we went to Berlin", "love Elden Ring"). */
export function hasProperNoun(text: string): boolean {
  const words = text.trim().split(/\s+/);
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!.replace(/^["'([]+/, '');
    if (/[.!?:]["')\]]*$/.test(words[i - 1]!)) continue;
    if (/^\p{Lu}\p{Ll}+/u.test(w)) return true;
  }
  return false;
}

export const ENTITY_PATTERNS: ReadonlyArray<{ kind: EntityKind; test: (text: string) => boolean }> = [
  { kind: 'activity', test: pattern(/\b(play(?:s|ed|ing)?|watch(?:es|ed|ing)?|stream(?:s|ed|ing)?|work(?:s|ed|ing)?|study(?:ing)?|studied)\b/i) },
  { kind: 'preference', test: pattern(/\b(love[sd]?|hate[sd]?|like[sd]?|prefer(?:s|red)?|favou?rite)\b/i) },
  { kind: 'identity', test: pattern(/\b(name[sd]?|call(?:ed)?|i'?m an?|i am an?|years old|live in|from)\b/i) },
  {
    kind: 'time',
    test: pattern(
      /\b(today|tonight|tomorrow|yesterday|next (?:week|month|year|time)|last (?:week|month|year|night)|weekend|birthday|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b/i,
    ),
  },
  { kind: 'proper-noun', test: hasProperNoun },
];

const FACT_KINDS: ReadonlySet<EntityKind> = new Set(['identity', 'preference', 'activity']);

export const wordCount = (text: string) => text.trim().split(/\s+/).filter(Boolean).length;

export function entityKinds(text: string): EntityKind[] {
  return ENTITY_PATTERNS.filter((p) => p.test(text)).map((p) => p.kind);
}

/** Why a line is stored, or undefined when it is not (commands and empty lines never are). */
export function storageReason(text: string): 'length' | EntityKind | undefined {
  const t = storable(text).trim();
  if (t === '' || t.startsWith('!')) return undefined;
  if (wordCount(t) >= MIN_WORDS) return 'length';
  return entityKinds(t)[0];
}

export const shouldStore = (text: string): boolean => storageReason(text) !== undefined;

/** A line says something about who wrote it (identity, likes, what they do). */
export const isFact = (text: string): boolean => entityKinds(storable(text)).some((k) => FACT_KINDS.has(k));

/** One memory as stored (Chroma document + metadata), and as journaled while Chroma is away. */
export interface MemoryRecord {
  /** Store id: unique across sessions (chat message ids of rehearsal lines repeat after a restart). */
  id: string;
  text: string;
  /** Login; `streamer` for speech, the persona id for replies, `camera` for vision. */
  user: string;
  displayName: string;
  source: MemorySource;
  ts: number;
  persona: string;
  /** Twitch message id (chat): CLEARMSG removes the memory by it. */
  messageId?: string;
  fact: boolean;
  /** Who said it: `twitch:mallory`, `streamer`, `camera`, `persona:pickle` (records of older versions have none). */
  speaker?: string;
  /** Logins it is about: viewers it names; for a reply, also the viewers it answered. */
  about?: string[];
  /** A viewer's claim about other viewers: never a fact about anyone. */
  hearsay?: boolean;
}

/** Ordered writes: deletes are queued behind the adds they may concern, so nothing removed comes back. */
export type MemoryOp =
  | { op: 'upsert'; records: MemoryRecord[] }
  | {
      op: 'delete';
      ids?: string[];
      messageIds?: string[];
      /** Chat lines by these logins, on any platform. */
      users?: string[];
      /** Chat lines by these viewers (`platform:login`). */
      speakers?: ViewerKey[];
      /** Records about these logins (tagged, or naming them). */
      about?: string[];
    };

/** Longest text a rule looks at or stores: every rule's work is bounded whatever a line's length. */
export const MAX_TEXT = 500;
const storable = (s: string) => (s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s);

/** What the adapter knows beyond the event: viewers seen in chat, and what a reply answered. */
export interface ProvenanceContext {
  /** Logins of viewers seen in chat (so "bob is a scammer" is known to be about bob). */
  known: ReadonlySet<string>;
  /** For `reply.spoken`: the viewers of its trigger and whom the trigger was about. */
  replyTrigger?: (replyId: string) => ReplyTrigger | undefined;
  /** For `reply.spoken`: the viewers forgotten while it was being written, with its trigger as it was then. */
  forgottenDuring?: (replyId: string) => readonly ForgottenDuring[];
}

export interface ReplyTrigger {
  users: readonly string[];
  about: readonly string[];
}

export interface ForgottenDuring {
  login: string;
  trigger: ReplyTrigger | undefined;
}

const NO_CONTEXT: ProvenanceContext = { known: new Set() };

/** The moderation pipeline for stored lines: what it blocks (personal data above all) is never kept. */
export interface StorageModeration {
  data: ModerationData;
  blocked?(category: ModerationCategory): void;
}

/**
 * The records an orchestrator event adds to long-term memory: the storage rule, then what may be
 * admitted under load (`admit`, see admission.ts), then the moderation pipeline (a viewer posting
 * the streamer's address or phone is not kept). Admission comes before moderation: in a flood of
 * 2,000 lines a second only a few are admitted, and only those are worth moderating.
 */
export function recordsOf(
  event: PickleEvent,
  persona: { id: string; name: string; aliases?: readonly string[] },
  newId: () => string,
  ctx: ProvenanceContext = NO_CONTEXT,
  moderation?: StorageModeration,
  admit: (record: MemoryRecord) => boolean = () => true,
): MemoryRecord[] {
  const records = candidatesOf(event, persona, newId, ctx).filter(admit);
  if (!moderation) return records;
  return records.filter((r) => {
    const verdict = moderate(r.text, moderation.data);
    if (!verdict.ok) moderation.blocked?.(verdict.category);
    return verdict.ok;
  });
}

function candidatesOf(event: PickleEvent, persona: { id: string; name: string; aliases?: readonly string[] }, newId: () => string, ctx: ProvenanceContext): MemoryRecord[] {
  const self = selfNames(persona);
  const make = (r: Omit<MemoryRecord, 'id' | 'persona' | 'fact'>): MemoryRecord => ({
    ...r,
    text: storable(r.text.trim()),
    id: `${r.source}-${r.ts}-${newId()}`,
    persona: persona.id,
    // Hearsay is nobody's fact: not the speaker's (it is about someone else), not the one it names.
    fact: r.source === 'chat' && r.hearsay !== true && isFact(r.text),
  });
  const withAbout = (about: string[]) => (about.length ? { about } : {});
  switch (event.type) {
    case 'chat.batch':
      return event.messages
        .filter((m) => shouldStore(m.text))
        .map((m) => {
          const p = chatProvenance(viewerKey(m.platform, m.user), m.user, storable(m.text), ctx.known, self);
          return make({ text: m.text, user: m.user, displayName: m.displayName, source: 'chat', ts: m.ts, messageId: m.id, speaker: p.speaker, ...withAbout(p.about), ...(p.hearsay ? { hearsay: true } : {}) });
        });
    case 'speech.final':
      // The streamer naming a viewer is about them too (so their `!forgetme` removes it).
      return shouldStore(event.text)
        ? [make({ text: event.text, user: 'streamer', displayName: 'streamer', source: 'speech', ts: event.ts, speaker: 'streamer', ...withAbout(namedLogins(storable(event.text), ctx.known, self)) })]
        : [];
    case 'vision.batch':
      return event.scenes
        .filter((s) => shouldStore(s.text))
        .map((s) => make({ text: s.text, user: 'camera', displayName: 'camera', source: 'vision', ts: s.ts, speaker: 'camera' }));
    case 'reply.spoken': {
      if (!shouldStore(event.text)) return [];
      const trigger = ctx.replyTrigger?.(event.replyId);
      const p = replyProvenance(persona.id, storable(event.text), [...(event.about ?? []), ...(trigger?.users ?? [])], trigger?.about ?? [], ctx.known, self);
      const record = make({ text: event.text, user: persona.id, displayName: persona.name, source: 'reply', ts: event.ts, speaker: p.speaker, ...withAbout(p.about) });
      return (ctx.forgottenDuring?.(event.replyId) ?? []).some((f) => outlivedForgetting(record, f)) ? [] : [record];
    }
    default:
      return [];
  }
}

/**
 * What moderation removes from long-term memory: messages deleted by a mod (CLEARMSG) and all
 * lines of banned viewers (CLEARCHAT without duration), by their `platform:login`, so a same-named
 * viewer on another platform keeps theirs. Timeouts and a chat clear only leave STM.
 */
export function removalOf(event: PickleEvent): MemoryOp | undefined {
  if (event.type === 'chat.removed') {
    const banned = event.banned ?? [];
    if (event.messageIds.length === 0 && banned.length === 0) return undefined;
    return { op: 'delete', ...(event.messageIds.length ? { messageIds: event.messageIds } : {}), ...(banned.length ? { speakers: banned } : {}) };
  }
  return undefined;
}

/**
 * What a viewer's `!forgetme` removes, decided here and carried out by the memory adapter: what
 * they said (their lines as `platform:login`, so a same-named viewer elsewhere keeps theirs), what
 * others claimed about them and Pickle's replies that repeated it or answered them (records about
 * their login, tagged or naming it), and the provenance kept of their lines (`provenance`). The
 * panel's "forget viewer" (`viewer.forget`) names a viewer as `platform:login`, or a bare login
 * for that login on every platform.
 */
export interface Forgetting {
  login: string;
  op: Extract<MemoryOp, { op: 'delete' }>;
  /** The adapter lets go of what it remembers of their lines for provenance. */
  provenance: true;
}

export function forgettingOf(event: PickleEvent): Forgetting | undefined {
  if (event.type === 'chat.command' && event.command === 'forgetme') return forgettingViewer(event.message.platform, event.message.user);
  if (event.type !== 'viewer.forget') return undefined;
  const [platform, login] = splitViewer(event.login);
  if (platform) return forgettingViewer(platform, login);
  const l = login.toLowerCase();
  return { login: l, op: { op: 'delete', users: [l], about: [l] }, provenance: true };
}

function forgettingViewer(platform: ChatPlatform, user: string): Forgetting {
  const login = user.toLowerCase();
  const speaker: ViewerKey = viewerKey(platform, login);
  return { login, op: { op: 'delete', speakers: [speaker], about: [login] }, provenance: true };
}

/**
 * The viewer a chat record is by, as `platform:login`: its speaker. A record stored before
 * Pickle read more than one platform has no speaker (or a bare login): it was Twitch's.
 */
export function viewerOfRecord(r: Pick<MemoryRecord, 'user' | 'speaker'>): ViewerKey {
  const [platform, login] = splitViewer(r.speaker ?? '');
  return platform ? viewerKey(platform, login) : viewerKey('twitch', r.user.toLowerCase());
}

/**
 * A reply being written when a viewer was forgotten is not stored if it concerns them: it
 * answered them or a line about them (its trigger as it was when they asked), or it names them.
 */
export function outlivedForgetting(record: MemoryRecord, forgotten: ForgottenDuring): boolean {
  const l = forgotten.login;
  if (forgotten.trigger && (forgotten.trigger.users.includes(l) || forgotten.trigger.about.includes(l))) return true;
  return concerns(record, forgetPlan(l));
}
