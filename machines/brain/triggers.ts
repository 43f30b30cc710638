import { viewerKey, type BrainOutEvent, type ChatMessage, type Decision, type DecisionReason, type InputKind, type PersonaRuntime, type VisionScene } from '../events.ts';
import { describeStreamEvent, summariseBatch, summariseScenes, summariseSpeech } from './decisions.ts';
import { gateChat, gateSpeech, gateStreamEvent } from './gating.ts';
import { chatEntry, type StmEntry } from './stm.ts';
import { dropped, planInput, type Plan, type Why } from './plan.ts';
import { addressedOf, addressedRecapCommand } from './conversation.ts';
import { silenceGate, splitSilenced } from './moderation.ts';
import type { BrainContext, BrainEvent, Trigger } from './types.ts';

/** What an input means to the brain: its STM lines, and the trigger a gate lets through. */

export const chatEntries = (messages: readonly ChatMessage[]): StmEntry[] => messages.map(chatEntry);

/** Camera scenes as STM entries: context for any reply, and now and then a reason to chime in. */
export const visionEntries = (scenes: readonly VisionScene[]): StmEntry[] =>
  scenes.map((s, i) => ({ id: `vision-${s.ts}-${i}`, kind: 'vision', user: 'camera', displayName: 'camera', text: s.text, ts: s.ts }));

const VISION_TASK = 'Nobody asked you, but the camera shows something new. Chime in with one short remark about what is happening on stream, only if it adds something.';

const TASKS: Record<string, (persona: PersonaRuntime) => string> = {
  mention: (p) => `A viewer spoke to you (${p.name}). Answer them.`,
  question: () => 'A viewer asked a question. Answer it if you can, briefly.',
  spontaneous: () => 'Nobody asked you, but chime in with a short remark about the chat if it adds something.',
  streamer: () => 'The streamer is talking to you. Answer them directly.',
  event: () => 'Acknowledge this stream event warmly, in one sentence.',
};

export function decision(input: InputKind, respond: boolean, reason: DecisionReason, summary: string, ts: number, triggerId?: string): Decision {
  return { input, respond, reason, summary, ts, ...(triggerId ? { triggerId } : {}) };
}

export const decided = (d: Decision): BrainOutEvent => ({ type: 'brain.decision', decision: d });

/** Turns a brain event into a trigger if the gate lets it through (or it is a mention to keep). */
export function toTrigger(context: BrainContext, event: BrainEvent): { trigger?: Trigger; decision: Decision; mention: boolean } | undefined {
  const p = context.persona;
  switch (event.type) {
    case 'chat.batch': {
      const gate = gateChat(event.messages, p, context.random());
      const summary = summariseBatch(event.messages);
      const ts = event.messages[event.messages.length - 1]?.ts ?? 0;
      const entries = chatEntries(event.messages);
      const trigger: Trigger | undefined = gate.trigger
        ? {
            input: 'chat',
            reason: gate.reason,
            entries,
            task: (TASKS[gate.reason] ?? TASKS.spontaneous!)(p),
            triggerId: gate.trigger.id,
            users: [gate.trigger.user],
            messageIds: [gate.trigger.id],
            ts,
            viewer: viewerKey(gate.trigger.platform, gate.trigger.user),
            rank: 2,
          }
        : undefined;
      return {
        ...(gate.respond && trigger ? { trigger } : {}),
        decision: decision('chat', gate.respond, gate.reason, summary, ts, gate.trigger?.id),
        mention: gate.reason === 'mention',
      };
    }
    case 'speech.final': {
      const gate = gateSpeech(event.text, p, context.random());
      const entry: StmEntry = { id: `speech-${event.ts}`, kind: 'speech', user: 'streamer', displayName: 'streamer', text: event.text, ts: event.ts };
      const trigger: Trigger = {
        input: 'speech',
        reason: gate.reason,
        entries: [entry],
        task: (TASKS[gate.reason === 'mention' ? 'streamer' : gate.reason] ?? TASKS.streamer!)(p),
        users: [],
        messageIds: [],
        ts: event.ts,
        rank: 3,
      };
      return {
        ...(gate.respond ? { trigger } : {}),
        decision: decision('speech', gate.respond, gate.reason, summariseSpeech(event.text), event.ts),
        mention: gate.reason === 'mention' || gate.reason === 'streamer',
      };
    }
    case 'chat.event': {
      const gate = gateStreamEvent(event.event, p);
      const text = describeStreamEvent(event.event);
      const entry: StmEntry = { id: event.event.id, kind: 'event', user: event.event.user, platform: event.event.platform, displayName: event.event.displayName, text, ts: event.event.ts };
      const trigger: Trigger = {
        input: 'event',
        reason: 'event',
        entries: [entry],
        task: TASKS.event!(p),
        triggerId: event.event.id,
        users: [event.event.user],
        messageIds: [event.event.id],
        ts: event.event.ts,
        rank: 1,
      };
      return {
        ...(gate.respond ? { trigger } : {}),
        decision: decision('event', gate.respond, gate.reason, text, event.event.ts, event.event.id),
        mention: gate.respond,
      };
    }
    case 'vision.batch': {
      // The lowest priority input: a spontaneous roll when idle; never kept for later (rank 0, not a mention).
      const ts = event.scenes[event.scenes.length - 1]?.ts ?? 0;
      const respond = event.scenes.length > 0 && context.random() < p.spontaneousRate;
      const trigger: Trigger = { input: 'vision', reason: 'spontaneous', entries: visionEntries(event.scenes), task: VISION_TASK, users: [], messageIds: [], ts, rank: 0 };
      return {
        ...(respond ? { trigger } : {}),
        decision: decision('vision', respond, respond ? 'spontaneous' : 'not-addressed', summariseScenes(event.scenes), ts),
        mention: false,
      };
    }
    default:
      return undefined;
  }
}

export function entriesOf(event: BrainEvent): StmEntry[] {
  if (event.type === 'chat.batch') return chatEntries(event.messages);
  if (event.type === 'speech.final')
    return [{ id: `speech-${event.ts}`, kind: 'speech', user: 'streamer', displayName: 'streamer', text: event.text, ts: event.ts }];
  if (event.type === 'chat.event')
    return [{ id: event.event.id, kind: 'event', user: event.event.user, displayName: event.event.displayName, text: describeStreamEvent(event.event), ts: event.event.ts }];
  if (event.type === 'vision.batch') return visionEntries(event.scenes);
  return [];
}

/** An input as the queue sees it: who it addresses, and the gate's verdict for the rest. */
export function planFor(context: BrainContext, event: BrainEvent, why: Why): Plan | undefined {
  const gated = silenceGate(context.moderation, toTrigger(context, event));
  const view = { persona: context.persona, answered: context.answered, stm: context.stm };
  // Of the commands only `!recap` asks for a reply here; the others are done in the brain's `command` action.
  const addressed = event.type === 'chat.command' ? (event.command === 'recap' ? [addressedRecapCommand(view, event.message)] : []) : addressedOf(view, event);
  // A viewer silenced for baiting is noted, never queued: one decision per silenced entry says so.
  const { kept, silenced } = splitSilenced(context.moderation, addressed);
  const out = silenced.map((e) => dropped(e, 'silenced'));
  if (kept.length === 0 && silenced.length > 0) return { patch: {}, out, expire: [] };
  const plan = planInput(context, kept, gated, why);
  return plan && out.length > 0 ? { ...plan, out: [...out, ...plan.out] } : plan;
}
