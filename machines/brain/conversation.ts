import { viewerKey, type ChatMessage, type ChatOutEvent, type InputEvent, type PersonaRuntime, type StreamEvent } from '../events.ts';
import type { Trigger } from './types.ts';
import { RANK, rankOfChat, type Slotted } from './addressed.ts';
import { describeStreamEvent, summariseBatch, summariseSpeech } from './decisions.ts';
import { asksForRecap, digestOf, recapOf, type DigestLine, type DigestSummary } from './digest.ts';
import { gateSpeech, gateStreamEvent, mentionMatcher, namesOf } from './gating.ts';
import { chatEntry, type StmEntry } from './stm.ts';

/**
 * Live conversation (pure): which inputs speak to Pickle and go into the addressed queue,
 * and the triggers for a recap and for a remark on a quiet stream.
 */

/** After a reply's audio ends, the next addressed input waits this long (a breath), never the cooldown. */
export const BREATH_MS = 250;
/** The panel's digest is refreshed at most this often while chat is moving. */
export const DIGEST_PUBLISH_MS = 5_000;

export type AddressedEntry = Slotted<Trigger>;

export const RECAP_TASK = (p: PersonaRuntime) =>
  `You (${p.name}) were asked what chat has been saying. Using the chat lines in the data (and the digest of earlier chat, if there is one), tell the streamer in two or three short sentences what chat talked about and who asked what.`;

export const IDLE_TASK = (p: PersonaRuntime) =>
  `The stream has been quiet for a while (no chat, the streamer silent). As ${p.name}, start a light topic in one or two short sentences: something the camera shows, something chat talked about earlier, or something you remember. Do not complain about the silence.`;

const MENTION_TASK = (p: PersonaRuntime) => `A viewer spoke to you (${p.name}). Answer them.`;
const REDEMPTION_TASK = (p: PersonaRuntime) => `A viewer redeemed channel points to ask you (${p.name}) something. Answer them.`;
const STREAMER_TASK = () => 'The streamer is talking to you. Answer them directly.';
const EVENT_TASK = () => 'Acknowledge this stream event warmly, in one sentence.';

export interface ConversationView {
  persona: PersonaRuntime;
  /** Viewer key → when they were last answered (message clock). */
  answered: Readonly<Record<string, number>>;
  stm: readonly StmEntry[];
}


function chatTrigger(view: ConversationView, m: ChatMessage, batch: readonly ChatMessage[], recap: boolean): AddressedEntry {
  const key = viewerKey(m.platform, m.user);
  const rank = rankOfChat(m, view.answered[key]);
  const reason = recap ? 'recap' : m.redemption ? 'redemption' : 'mention';
  const task = recap ? RECAP_TASK(view.persona) : m.redemption ? REDEMPTION_TASK(view.persona) : MENTION_TASK(view.persona);
  return {
    key,
    id: m.id,
    rank,
    seq: 0,
    item: { input: 'chat', reason, entries: batch.map(chatEntry), task, triggerId: m.id, users: [m.user], platform: m.platform, messageIds: [m.id], ts: m.ts, rank, key, viewer: key, recap },
  };
}

/** Each viewer's latest message in the batch that names Pickle or redeems its reward. */
export function addressedInBatch(view: ConversationView, messages: readonly ChatMessage[]): AddressedEntry[] {
  const mentioned = mentionMatcher(namesOf(view.persona));
  const latest = new Map<string, ChatMessage>();
  for (const m of messages) if (m.redemption || mentioned(m.text)) latest.set(viewerKey(m.platform, m.user), m);
  return [...latest.values()].map((m) => chatTrigger(view, m, messages, !m.redemption && asksForRecap(m.text)));
}

/** The streamer naming Pickle or asking: the top of the queue. */
export function addressedSpeech(view: ConversationView, text: string, ts: number): AddressedEntry | undefined {
  const gate = gateSpeech(text, view.persona, 1);
  if (gate.reason !== 'mention' && gate.reason !== 'streamer') return undefined;
  const recap = asksForRecap(text);
  const entry: StmEntry = { id: `speech-${ts}`, kind: 'speech', user: 'streamer', displayName: 'streamer', text, ts };
  const item: Trigger = {
    input: 'speech',
    reason: recap ? 'recap' : gate.reason,
    entries: [entry],
    task: recap ? RECAP_TASK(view.persona) : STREAMER_TASK(),
    users: [],
    messageIds: [],
    ts,
    rank: RANK.streamer,
    key: 'streamer',
    recap,
  };
  return { key: 'streamer', id: entry.id, rank: RANK.streamer, seq: 0, item };
}

/** A stream event the persona acknowledges: the bottom of the queue, but never dropped silently. */
export function addressedStreamEvent(view: ConversationView, event: StreamEvent): AddressedEntry | undefined {
  if (!gateStreamEvent(event, view.persona).respond) return undefined;
  const text = describeStreamEvent(event);
  const key = `event:${viewerKey(event.platform, event.user)}:${event.kind}`;
  const item: Trigger = {
    input: 'event',
    reason: 'event',
    entries: [{ id: event.id, kind: 'event', user: event.user, platform: event.platform, displayName: event.displayName, text, ts: event.ts }],
    task: EVENT_TASK(),
    triggerId: event.id,
    users: [event.user],
    platform: event.platform,
    messageIds: [event.id],
    ts: event.ts,
    rank: RANK.event,
    key,
  };
  return { key, id: event.id, rank: RANK.event, seq: 0, item };
}

/** `!recap` from a mod or the broadcaster (the chat machine checked who): answered with the digest. */
export function addressedRecapCommand(view: ConversationView, m: ChatMessage): AddressedEntry {
  const e = chatTrigger(view, m, [], true);
  return { ...e, item: { ...e.item, entries: [] } };
}

export type AddressingEvent =
  | Extract<ChatOutEvent, { type: 'chat.batch' | 'chat.event' }>
  | Extract<InputEvent, { type: 'speech.final' }>
  | { type: string };

/** The addressed entries an input brings (none for unaddressed chat, camera, and anything else). */
export function addressedOf(view: ConversationView, event: AddressingEvent): AddressedEntry[] {
  if (event.type === 'chat.batch' && 'messages' in event) return addressedInBatch(view, event.messages);
  if (event.type === 'speech.final' && 'text' in event) {
    const e = addressedSpeech(view, event.text, event.ts);
    return e ? [e] : [];
  }
  if (event.type === 'chat.event' && 'event' in event) {
    const e = addressedStreamEvent(view, event.event);
    return e ? [e] : [];
  }
  return [];
}

export function summaryOf(t: Trigger): string {
  const main = t.entries.find((e) => e.id === t.triggerId) ?? t.entries[t.entries.length - 1];
  if (t.input === 'speech') return summariseSpeech(main?.text ?? '');
  if (t.reason === 'recap' && t.entries.length === 0) return 'recap asked by a moderator';
  if (t.input === 'chat' && main)
    return summariseBatch([{ platform: 'twitch', id: main.id, user: main.user, displayName: main.displayName, text: main.text, role: 'viewer', ts: main.ts }]);
  return main?.text ?? t.reason;
}

/**
 * A recap's entries for the prompt: what came before in brief (when the lines do not all fit),
 * then the chat lines themselves, oldest first, each quoted as a viewer's line.
 */
export function recapEntries(log: readonly DigestLine[], summary: DigestSummary | undefined, persona: PersonaRuntime, ts: number, since: number | undefined, countTokens?: (text: string) => number): StmEntry[] {
  const recap = recapOf(log, { now: ts, names: namesOf(persona), ...(summary ? { summary } : {}), ...(since !== undefined ? { since } : {}), ...(countTokens ? { countTokens } : {}) });
  const earlier: StmEntry[] = recap.earlier ? [{ id: `digest-${ts}`, kind: 'digest', user: 'chat', displayName: 'chat digest', text: recap.earlier, ts }] : [];
  return [...earlier, ...recap.lines.map((l): StmEntry => ({ id: l.id, kind: 'chat', user: l.user, displayName: l.displayName, text: l.text, ts: l.ts }))];
}

export function digestEntry(log: readonly DigestLine[], summary: DigestSummary | undefined, persona: PersonaRuntime, ts: number): StmEntry {
  const d = digestOf(log, { ...(summary ? { summary } : {}), names: namesOf(persona) });
  return { id: `digest-${ts}`, kind: 'digest', user: 'chat', displayName: 'chat digest', text: d.text, ts };
}

/** A remark on a quiet stream: what the camera showed lately and, if chat said anything, the digest. */
export function idleTrigger(view: ConversationView, log: readonly DigestLine[], summary: DigestSummary | undefined, ts: number): Trigger {
  const scenes = view.stm.filter((e) => e.kind === 'vision').slice(-3);
  const entries = [...scenes, ...(log.length > 0 ? [digestEntry(log, summary, view.persona, ts)] : [])];
  return { input: 'idle', reason: 'idle', entries, task: IDLE_TASK(view.persona), users: [], messageIds: [], ts, rank: -1 };
}
