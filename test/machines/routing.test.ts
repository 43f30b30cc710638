import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { avatarMachine } from '../../machines/avatar.ts';
import { brainMachine } from '../../machines/brain.ts';
import { chatMachine } from '../../machines/chat.ts';
import { ROUTES, type ActorName } from '../../machines/orchestrator.ts';
import { speechMachine } from '../../machines/speech.ts';
import { visionBatcherMachine } from '../../machines/visionBatcher.ts';
import { voiceMachine } from '../../machines/voice.ts';

/**
 * The routing table and the machines must agree: an event routed to an actor that has no
 * transition for it would vanish silently, and an event a machine waits for that nobody
 * routes to it would never come.
 */

const MACHINES: Record<ActorName, AnyStateMachine> = {
  chat: chatMachine,
  brain: brainMachine,
  voice: voiceMachine,
  avatar: avatarMachine,
  speech: speechMachine,
  visionBatcher: visionBatcherMachine,
};

/** Events a machine gets from its own children or raises for itself (timers), not through the orchestrator. */
const FROM_INSIDE: Partial<Record<ActorName, readonly string[]>> = {
  brain: ['llm.firstToken', 'llm.emotion', 'llm.sentence', 'llm.done', 'llm.error', 'memory.recalled', 'digest.summarised', 'digest.failed', 'addressed.expire', 'brain.breathed', 'brain.quiet', 'digest.publish'],
  voice: ['tts.audio', 'tts.done', 'tts.failed', 'playback.started', 'playback.drained'],
};

const accepted = (name: ActorName): string[] => MACHINES[name].root.events.map(String);

describe('routing table vs machines', () => {
  const routes = Object.entries(ROUTES) as Array<[string, readonly ActorName[]]>;

  it.each(routes)('%s: every actor it is routed to has a transition for it', (type, targets) => {
    for (const target of targets) expect(accepted(target), `${type} → ${target}`).toContain(type);
  });

  it.each(Object.keys(MACHINES) as ActorName[])('%s: every event it waits for is routed to it (or comes from inside)', (name) => {
    const inside = new Set(FROM_INSIDE[name] ?? []);
    const waitsFor = accepted(name).filter((t) => !t.startsWith('xstate.') && !inside.has(t));
    const routedHere = new Set(routes.filter(([, targets]) => targets.includes(name)).map(([type]) => type));
    expect(waitsFor.filter((t) => !routedHere.has(t))).toEqual([]);
  });

  it('a mis-wired route is caught', () => {
    // The check above is only worth something if it fails on a wrong table.
    expect(accepted('avatar')).not.toContain('chat.message');
    expect(accepted('chat')).not.toContain('voice.done');
  });
});
