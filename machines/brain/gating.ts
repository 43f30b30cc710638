import type { ChatMessage, DecisionReason, PersonaRuntime, StreamEvent } from '../events.ts';

/**
 * The seed's response gating, as pure functions of the input and one random roll:
 * name mention → always; `?` → yes; otherwise spontaneous at the persona's rate.
 * Cooldown and "busy" are states of the brain machine, not decided here.
 */

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whole-word, case-insensitive match of any of the names, `@name` included. */
const matcherCache = new Map<string, (text: string) => boolean>();

export function mentionMatcher(names: readonly string[]): (text: string) => boolean {
  const key = names.join('\u0000');
  let matcher = matcherCache.get(key);
  if (!matcher) {
    matcher = buildMatcher(names);
    if (matcherCache.size > 32) matcherCache.clear();
    matcherCache.set(key, matcher);
  }
  return matcher;
}

function buildMatcher(names: readonly string[]): (text: string) => boolean {
  const alts = names
    .map((n) => n.trim())
    .filter(Boolean)
    .sort((a, b) => b.length - a.length)
    .map((n) => escapeRegExp(n).replace(/\s+/g, '\\s+'));
  if (alts.length === 0) return () => false;
  // Letters/digits/underscore on either side mean another word ("pickleball" is not "pickle").
  const re = new RegExp(`(?<![\\p{L}\\p{N}_])@?(?:${alts.join('|')})(?![\\p{L}\\p{N}_])`, 'iu');
  return (text) => re.test(text);
}

export function namesOf(persona: Pick<PersonaRuntime, 'name' | 'aliases'>): string[] {
  return [persona.name, ...persona.aliases];
}

export const isQuestion = (text: string): boolean => text.includes('?');

export interface ChatGate {
  respond: boolean;
  reason: DecisionReason;
  /** The message the reply answers (latest mention, else latest question, else latest message). */
  trigger?: ChatMessage;
}

export function gateChat(
  messages: readonly ChatMessage[],
  persona: Pick<PersonaRuntime, 'name' | 'aliases' | 'spontaneousRate'>,
  roll: number,
): ChatGate {
  const mentioned = mentionMatcher(namesOf(persona));
  // A channel-point question is paid for: it is addressed to Pickle whatever its words.
  const lastMention = findLast(messages, (m) => m.redemption !== undefined || mentioned(m.text));
  if (lastMention) return { respond: true, reason: 'mention', trigger: lastMention };
  const lastQuestion = findLast(messages, (m) => isQuestion(m.text));
  if (lastQuestion) return { respond: true, reason: 'question', trigger: lastQuestion };
  const last = messages[messages.length - 1];
  if (last && roll < persona.spontaneousRate) return { respond: true, reason: 'spontaneous', trigger: last };
  return { respond: false, reason: 'not-addressed', ...(last ? { trigger: last } : {}) };
}

/** The streamer talks to Pickle by name or asks a question; otherwise the spontaneous rate applies. */
export function gateSpeech(
  text: string,
  persona: Pick<PersonaRuntime, 'name' | 'aliases' | 'spontaneousRate'>,
  roll: number,
): { respond: boolean; reason: DecisionReason } {
  if (mentionMatcher(namesOf(persona))(text)) return { respond: true, reason: 'mention' };
  if (isQuestion(text)) return { respond: true, reason: 'streamer' };
  if (roll < persona.spontaneousRate) return { respond: true, reason: 'spontaneous' };
  return { respond: false, reason: 'not-addressed' };
}

export function gateStreamEvent(event: StreamEvent, persona: Pick<PersonaRuntime, 'acknowledge'>): { respond: boolean; reason: DecisionReason } {
  return persona.acknowledge[event.kind] ? { respond: true, reason: 'event' } : { respond: false, reason: 'event-off' };
}

function findLast<T>(items: readonly T[], pred: (t: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i]!)) return items[i];
  return undefined;
}
