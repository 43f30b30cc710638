import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { avatarMachine } from '../../machines/avatar.ts';
import { brainMachine } from '../../machines/brain.ts';
import { chatMachine } from '../../machines/chat.ts';
import { ADAPTER_MACHINES, type AdapterMachineName } from '../../machines/children.ts';
import { ROUTES, type ActorName, type RouteTarget } from '../../machines/orchestrator.ts';
import { speechMachine } from '../../machines/speech.ts';
import { visionBatcherMachine } from '../../machines/visionBatcher.ts';
import { voiceMachine } from '../../machines/voice.ts';

/**
 * The routing table and the machines must agree, for every machine the system starts (the
 * orchestrator's own actors and its adapters' machines): an event routed to a machine that has
 * no transition for it would vanish silently, and an event a machine waits for that nobody
 * routes to it (nor its own children, timers or adapter report) would never come.
 */

type MachineName = ActorName | AdapterMachineName;

const MACHINES: Record<MachineName, AnyStateMachine> = {
  chat: chatMachine,
  brain: brainMachine,
  voice: voiceMachine,
  avatar: avatarMachine,
  speech: speechMachine,
  visionBatcher: visionBatcherMachine,
  ...ADAPTER_MACHINES,
};

/** Events a machine gets from its own children or raises for itself, not through the orchestrator. */
const FROM_INSIDE: Partial<Record<MachineName, readonly string[]>> = {
  brain: ['llm.firstToken', 'llm.emotion', 'llm.sentence', 'llm.judged', 'llm.done', 'llm.error', 'memory.recalled', 'digest.summarised', 'digest.failed', 'addressed.expire', 'brain.breathed', 'brain.quiet', 'digest.publish'],
  voice: ['tts.audio', 'tts.done', 'tts.failed', 'playback.started', 'playback.scheduled', 'playback.drained'],
  redemptions: ['redemption.settled'],
  voiceEngines: ['retry.due'],
  replyDeadlines: ['deadline.passed'],
  analytics: ['analytics.tally'],
};

/**
 * Facts an adapter observes and reports to its own machine (`system.get(systemId).send`): a
 * socket, a page, a setting. None of them is an orchestrator event, so none can be routed.
 */
const FROM_ADAPTER: Partial<Record<MachineName, readonly string[]>> = {
  eventFeed: ['feed.start', 'socket.welcome', 'socket.closed', 'subscription.revoked', 'socket.activity', 'socket.reconnect', 'subscribe.done', 'subscribe.failed'],
  followThanks: ['follow.received'],
  obsConnection: ['obs.start', 'obs.connected', 'obs.failed', 'obs.scene', 'obs.closed', 'obs.retry'],
  sceneMute: ['obs.scene', 'muteScenes.changed'],
  senses: ['senses.set'],
  audience: ['audience.pages'],
  chatAccess: ['access.refused'],
  chatPacing: ['lines.cleared', 'line.requested', 'sender.privileged', 'channel.joined', 'channel.left'],
  chatRefusal: ['line.refused', 'channel.joined', 'line.delivered'],
  healthCheck: ['health.stop', 'health.start', 'health.passed', 'health.failed', 'health.suspect'],
  voiceEngines: ['sentence.requested', 'engine.failed', 'engine.spoke', 'sentence.abandoned'],
  visionFrames: ['scene.described', 'frame.arrived', 'frame.described', 'frame.failed'],
  replyDeadlines: ['request.started', 'request.answering', 'request.ended'],
  arrivals: ['arrivals.watch', 'arrivals.unwatch', 'arrivals.arrived'],
  youtubeChat: ['quota.spent', 'quota.dayStarted', 'chat.start', 'chat.found', 'chat.failed', 'chat.polled'],
  vts: ['vts.disconnected', 'vts.mouth', 'vts.connected', 'vts.tokenGranted', 'vts.tokenDenied', 'vts.authenticated', 'vts.authRefused', 'vts.hotkeys'],
  analytics: ['analytics.open', 'analytics.close', 'process.sampled', 'service.changed'],
  reconnect: ['connection.stop', 'connection.start', 'connection.opened', 'connection.restart', 'connection.lost', 'credentials.renewed'],
};

const accepted = (name: MachineName): string[] =>
  MACHINES[name].root.events.map(String).filter((t) => !t.startsWith('xstate.'));

const routes = Object.entries(ROUTES) as Array<[string, readonly RouteTarget[]]>;
const routedTo = (name: MachineName) => new Set(routes.filter(([, targets]) => (targets as readonly string[]).includes(name)).map(([type]) => type));

describe('routing table vs machines', () => {
  it.each(routes)('%s: every machine it is routed to has a transition for it', (type, targets) => {
    for (const target of targets) expect(accepted(target), `${type} → ${target}`).toContain(type);
  });

  it.each(Object.keys(MACHINES) as MachineName[])('%s: every event it waits for is routed to it, or comes from inside or from its adapter', (name) => {
    const known = new Set([...routedTo(name), ...(FROM_INSIDE[name] ?? []), ...(FROM_ADAPTER[name] ?? [])]);
    expect(accepted(name).filter((t) => !known.has(t))).toEqual([]);
  });

  it.each(Object.entries(FROM_ADAPTER) as Array<[MachineName, readonly string[]]>)('%s: the facts listed as its adapter\'s are ones it accepts, and never routed', (name, facts) => {
    for (const fact of facts) expect(accepted(name)).toContain(fact);
    for (const fact of facts) expect(Object.keys(ROUTES)).not.toContain(fact);
  });

  it('a mis-wired route is caught', () => {
    // The checks above are only worth something if they fail on a wrong table.
    expect(accepted('avatar')).not.toContain('chat.message');
    expect(accepted('chat')).not.toContain('voice.done');
    expect(accepted('audience')).not.toContain('chat.command');
    expect(accepted('analytics')).not.toContain('brain.state');
  });
});
