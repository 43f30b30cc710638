import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, SimulatedClock, type AnyActorRef, type InspectionEvent } from 'xstate';
import type { PickleEvent } from '../../machines/events.ts';
import { pageReconnectInput } from '../../machines/browserPage.ts';
import { providePickle } from '../../machines/orchestrator.ts';
import { timedPlayback } from '../../machines/voice.ts';
import { orchestratorChildren } from '../../src/children.ts';
import { fakeLlm } from './fakeLlm.ts';
import { persona } from './fixtures.ts';

/**
 * Adapters' machines started as the orchestrator's children (`child.start`), and the voice's
 * timed player as the voice's child: all in the one actor system, seen by its inspection and
 * timed by its clock. Fake timers stand still here: only the system's (simulated) clock moves them.
 */

function start() {
  const clock = new SimulatedClock();
  const inspected: InspectionEvent[] = [];
  const actor = createActor(providePickle({ generateReply: fakeLlm().logic }), {
    clock,
    inspect: (e) => inspected.push(e),
    input: { chat: { persona, ignoreBots: [] }, brain: { persona, blocklist: [], random: () => 0.99 }, voice: { msPerChar: 10, minSentenceMs: 500 } },
  });
  const seen: PickleEvent[] = [];
  actor.on('*', (e) => seen.push(e as PickleEvent));
  actor.start();
  const createdIds = () => inspected.flatMap((e) => (e.type === '@xstate.actor' ? [(e.actorRef as AnyActorRef).id] : []));
  return { actor, clock, seen, createdIds, children: orchestratorChildren(actor) };
}

describe("adapters' machines as the orchestrator's children", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('child.start spawns one under its systemId (a second start of the same id is the same actor); it runs on the system clock; child.stop ends it', () => {
    const p = start();
    const thanks = p.children.start({ src: 'followThanks', systemId: 'followThanks', input: { windowMs: 1000 } });
    expect(p.actor.system.get('followThanks')).toBe(thanks);
    expect(p.actor.getSnapshot().children['followThanks']).toBe(thanks);
    expect(p.createdIds()).toContain('followThanks');
    expect(p.children.start({ src: 'followThanks', systemId: 'followThanks', input: {} })).toBe(thanks);

    const thanked: unknown[] = [];
    // The thanks go to the orchestrator, which routes them to chat and emits them.
    p.actor.on('stream.event', (e) => thanked.push(e.event));
    thanks.send({ type: 'follow.received', follower: { platform: 'twitch', id: 'f1', user: 'ana', displayName: 'Ana', ts: 1 } });
    expect(thanks.getSnapshot().value).toBe('collecting');
    // The default clock does not time it…
    vi.advanceTimersByTime(5000);
    expect(thanked).toHaveLength(0);
    // …the system's does.
    p.clock.increment(999);
    expect(thanked).toHaveLength(0);
    p.clock.increment(1);
    expect(thanked).toEqual([expect.objectContaining({ kind: 'follow', displayName: 'Ana', amount: 1 })]);
    expect(thanks.getSnapshot().value).toBe('idle');

    p.children.stop('followThanks');
    expect(p.actor.system.get('followThanks')).toBeUndefined();
    expect(p.actor.getSnapshot().children['followThanks']).toBeUndefined();
    expect(thanks.getSnapshot().status).toBe('stopped');
    // Stopping what is not running changes nothing.
    p.children.stop('followThanks');
    expect(p.actor.getSnapshot().status).toBe('active');
  });

  it('every adapter machine can join, each under its own systemId; two pages are two children', () => {
    const p = start();
    p.children.start({ src: 'eventFeed', systemId: 'eventFeed', input: { url: 'wss://x', backoff: { baseMs: 10, maxMs: 40 }, random: () => 0.5 } });
    p.children.start({ src: 'redemptions', systemId: 'redemptions', input: {} });
    p.children.start({ src: 'obsConnection', systemId: 'obsConnection', input: { url: 'ws://127.0.0.1:4455' } });
    p.children.start({ src: 'sceneMute', systemId: 'sceneMute', input: { muteScenes: ['BRB'] } });
    p.children.start({ src: 'senses', systemId: 'senses', input: { ears: true, eyes: false } });
    p.children.start({ src: 'audience', systemId: 'audience', input: {} });
    p.children.start({ src: 'reconnect', systemId: 'browserPage:camera', input: pageReconnectInput({ openTimeoutMs: 70_000 }) });
    p.children.start({ src: 'reconnect', systemId: 'browserPage:microphone', input: pageReconnectInput({ openTimeoutMs: 70_000 }) });
    const kids = Object.keys(p.actor.getSnapshot().children);
    for (const id of ['eventFeed', 'redemptions', 'obsConnection', 'sceneMute', 'senses', 'audience', 'browserPage:camera', 'browserPage:microphone'])
      expect(kids, id).toContain(id);
    // A fact moves only the page it is about.
    p.actor.system.get('browserPage:camera')!.send({ type: 'connection.start' });
    expect(p.actor.system.get('browserPage:camera')!.getSnapshot().value).toBe('connecting');
    expect(p.actor.system.get('browserPage:microphone')!.getSnapshot().value).toBe('idle');
  });

  it('a systemId taken by another machine is refused, not handed back as the wrong machine', () => {
    const p = start();
    p.children.start({ src: 'audience', systemId: 'shared', input: {} });
    expect(() => p.children.start({ src: 'senses', systemId: 'shared', input: { ears: true, eyes: true } })).toThrow(/another machine than senses/);
    expect(() => p.children.start({ src: 'senses', systemId: 'brain', input: { ears: true, eyes: true } })).toThrow(/another machine/);
  });

  it("what a child sends up and what the routing table sends down go through the orchestrator: a mute scene reaches the brain, the avatar's emotion reaches VTube Studio", () => {
    const p = start();
    const scenes = p.children.start({ src: 'sceneMute', systemId: 'sceneMute', input: { muteScenes: ['BRB'] } });
    scenes.send({ type: 'obs.scene', name: 'brb' });
    expect(p.actor.getSnapshot().children.brain?.getSnapshot().context.mutedByScene).toBe('brb');

    const vts = p.children.start({ src: 'vts', systemId: 'vts', input: { hasToken: true } });
    const triggered: string[] = [];
    vts.on('vts.trigger', (e) => triggered.push(e.name));
    vts.send({ type: 'vts.connected' });
    vts.send({ type: 'vts.authenticated' });
    vts.send({ type: 'vts.hotkeys', model: 'm', hotkeys: [{ name: 'Happy', id: 'hk-happy', type: 'TriggerAnimation' }] });
    // The brain's reply goes to the avatar machine, whose face the orchestrator routes to `vts`.
    p.actor.send({ type: 'reply.start', replyId: 'r1', prompt: [] });
    p.actor.send({ type: 'reply.emotion', replyId: 'r1', emotion: 'happy' });
    expect(triggered).toEqual(['Happy']);
  });

  it("the voice's timed player is the voice's child, on the system clock", () => {
    const p = start();
    p.actor.send({ type: 'reply.start', replyId: 'r1', prompt: [] });
    p.actor.send({ type: 'reply.sentence', replyId: 'r1', index: 0, text: 'Hello there.', emotion: 'happy' });
    p.actor.send({ type: 'reply.done', replyId: 'r1', text: 'Hello there.', emotion: 'happy' });
    const voice = p.actor.system.get('voice') as AnyActorRef;
    const player = (voice.getSnapshot() as { children: Record<string, AnyActorRef | undefined> }).children['player-r1'];
    expect(player?.src).toBe('playback');
    expect((player?.getSnapshot() as { machine?: unknown }).machine).toBe(timedPlayback);
    expect(p.createdIds()).toContain('player-r1');
    expect(p.seen.filter((e) => e.type === 'voice.sentenceStarted' && e.first)).toHaveLength(1);

    vi.advanceTimersByTime(10_000);
    expect(p.seen.filter((e) => e.type === 'voice.done')).toHaveLength(0);
    // 'Hello there.' is 12 characters at 10 ms: the 500 ms minimum.
    p.clock.increment(499);
    expect(p.seen.filter((e) => e.type === 'voice.done')).toHaveLength(0);
    p.clock.increment(1);
    expect(p.seen.filter((e) => e.type === 'voice.done')).toEqual([expect.objectContaining({ replyId: 'r1', spokenText: 'Hello there.', interrupted: false })]);
  });
});
