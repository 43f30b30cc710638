import type { ActorRefFrom, AnyActorRef, InputFrom } from 'xstate';
import { arrivalsMachine } from './arrivals.ts';
import { analyticsMachine } from './analytics/machine.ts';
import { audienceMachine } from './audience.ts';
import { chatAccessMachine } from './chatAccess.ts';
import { chatPacingMachine } from './chatPacing/machine.ts';
import { chatRefusalMachine } from './chatRefusal.ts';
import { eventFeedMachine } from './eventsub.ts';
import { followThanksMachine } from './followThanks.ts';
import { healthCheckMachine } from './healthCheck.ts';
import { obsConnectionMachine } from './obsConnection.ts';
import { redemptionsMachine } from './redemptions.ts';
import { sceneMuteMachine } from './sceneMute.ts';
import { reconnectMachine } from './reconnect.ts';
import { replyDeadlinesMachine } from './replyDeadlines.ts';
import { sensesMachine } from './senses.ts';
import { visionFramesMachine } from './visionFrames.ts';
import { voiceEnginesMachine } from './voiceEngines.ts';
import { vtsMachine } from './vts.ts';
import { youtubeChatMachine } from './youtubeChat.ts';

/**
 * Machines that one adapter each drives (a connection, a page, a switch): the orchestrator starts
 * them as its children when their adapter starts (`child.start`), so they live in Pickle's one actor
 * system — on its clock, in the inspector, found by `system.get(systemId)`. The adapter sends them
 * the facts it observes and listens to what they emit; `child.stop` ends one.
 */
export const ADAPTER_MACHINES = {
  eventFeed: eventFeedMachine,
  redemptions: redemptionsMachine,
  followThanks: followThanksMachine,
  obsConnection: obsConnectionMachine,
  sceneMute: sceneMuteMachine,
  senses: sensesMachine,
  audience: audienceMachine,
  /** One per chat connection: `chatAccess:<platform>` (the bot, or an anonymous reader). */
  chatAccess: chatAccessMachine,
  /** One per chat Pickle writes in: `chatPacing:<platform>` (when the bot's lines go out). */
  chatPacing: chatPacingMachine,
  /** One per chat Pickle writes in: `chatRefusal:<platform>` (do the bot's replies reach chat). */
  chatRefusal: chatRefusalMachine,
  /** One per connection: `reconnect:<connection>` (Twitch chat and its channel, Deepgram live). */
  reconnect: reconnectMachine,
  /** One per backend whose health is watched: `healthCheck:<service>` (the LLM). */
  healthCheck: healthCheckMachine,
  /** One per LLM backend: `replyDeadlines:llm` (how long a reply may take to start and to finish). */
  replyDeadlines: replyDeadlinesMachine,
  /** The voice's TTS engines: which one a sentence is tried on, its retries, the engines turned off. */
  voiceEngines: voiceEnginesMachine,
  /** Which camera frames the vision model describes, the waits after it failed, repeated scenes. */
  visionFrames: visionFramesMachine,
  /** One per watched flow: `arrivals:deepgram-live:<n>` (audio reaching Deepgram), `arrivals:speaker` (the voice page answering). */
  arrivals: arrivalsMachine,
  /** What a stream is and what it counts (src/analytics writes it down). */
  analytics: analyticsMachine,
  /** VTube Studio (AVATAR=vts): `vts` (token flow, hotkeys, lip-sync cadence). */
  vts: vtsMachine,
  /** `youtubeChat`: when the YouTube live chat is looked up and polled, inside the day's quota. */
  youtubeChat: youtubeChatMachine,
} as const;

export type AdapterMachines = typeof ADAPTER_MACHINES;
export type AdapterMachineName = keyof AdapterMachines;

/** One child to start: which machine, under which systemId (unique in the system), with its input. */
export type ChildSpec<K extends AdapterMachineName = AdapterMachineName> = {
  [N in K]: { src: N; systemId: string; input: InputFrom<AdapterMachines[N]> };
}[K];

/** The running child, typed by its machine. */
export type AdapterChild<K extends AdapterMachineName> = ActorRefFrom<AdapterMachines[K]>;

export type ChildEvent = { type: 'child.start'; child: ChildSpec } | { type: 'child.stop'; systemId: string };

/** One machine of ADAPTER_MACHINES by name, with its id, systemId and its own input. */
type SpawnArgs = { [N in AdapterMachineName]: [src: N, options: { id: string; systemId: string; input: InputFrom<AdapterMachines[N]> }] }[AdapterMachineName];

/**
 * What starting a child needs from its host: the `enqueue` of an `enqueueActions` in a machine
 * whose `setup({ actors })` includes ADAPTER_MACHINES (the orchestrator, the standalone host).
 */
export interface ChildSpawner {
  spawnChild: (...args: SpawnArgs) => void;
}

/**
 * Starts an adapter's machine under its systemId (once: a second start of the same one is
 * ignored). The one place every ADAPTER_MACHINES entry is spawned, for the orchestrator and for
 * the standalone host (src/children.ts) alike.
 */
export function startAdapterChild(enqueue: ChildSpawner, system: { get(systemId: string): AnyActorRef | undefined }, child: ChildSpec): void {
  if (system.get(child.systemId)) return;
  const at = { id: child.systemId, systemId: child.systemId };
  // One case per machine, so each input is checked against its own machine.
  switch (child.src) {
    case 'eventFeed': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'redemptions': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'followThanks': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'obsConnection': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'sceneMute': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'senses': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'audience': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'reconnect': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'chatAccess': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'chatPacing': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'healthCheck': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'replyDeadlines': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'voiceEngines': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'visionFrames': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'chatRefusal': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'arrivals': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'analytics': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'vts': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    case 'youtubeChat': return enqueue.spawnChild(child.src, { ...at, input: child.input });
    default: {
      // A machine added to ADAPTER_MACHINES without its case here fails the type-check.
      const unhandled: never = child;
      return unhandled;
    }
  }
}
