import type { ActorRefFrom, InputFrom } from 'xstate';
import { audienceMachine } from './audience.ts';
import { chatAccessMachine } from './chatAccess.ts';
import { chatPacingMachine } from './chatPacing/machine.ts';
import { eventFeedMachine } from './eventsub.ts';
import { followThanksMachine } from './followThanks.ts';
import { obsConnectionMachine } from './obsConnection.ts';
import { redemptionsMachine } from './redemptions.ts';
import { sceneMuteMachine } from './sceneMute.ts';
import { reconnectMachine } from './reconnect.ts';
import { sensesMachine } from './senses.ts';
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
  /** One per connection: `reconnect:<connection>` (Twitch chat and its channel, Deepgram live). */
  reconnect: reconnectMachine,
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
