import { assertEvent, enqueueActions, setup, type Actor, type ErrorActorEvent } from 'xstate';
import { avatarMachine, type AvatarInput } from './avatar.ts';
import { brainMachine, type BrainInput } from './brain.ts';
import { chatMachine, type ChatInput } from './chat.ts';
import { speechMachine, type SpeechInput } from './speech.ts';
import type { PickleEvent, PickleEventType, PluginEvent } from './events.ts';
import {
  missingService,
  type GenerateReplyService,
  type PlaybackService,
  type PluginActorInput,
  type PluginService,
  type RecallMemoriesService,
  type SummariseChatService,
  type SynthesizeService,
} from './services.ts';
import { voiceMachine, type VoiceInput } from './voice.ts';
import { ADAPTER_MACHINES, startAdapterChild, type AdapterMachineName, type ChildEvent } from './children.ts';
import { visionBatcherMachine, type VisionBatcherInput } from './visionBatcher.ts';
import { errorText } from './text.ts';

export type { PluginActorInput } from './services.ts';

/**
 * The orchestrator: the root actor. It starts one actor per concern (each with a systemId,
 * so the inspector and tests can find them) and routes every event by type to the actors
 * that consume it, its adapters' machines included (ROUTES is the one routing table). Every
 * event it sees is also emitted, so the sinks around it (server sockets, logs, chat lines,
 * memory writes) listen with `actor.on(type, …)`; none of them feeds a machine.
 */

export type ActorName = 'chat' | 'brain' | 'voice' | 'avatar' | 'speech' | 'visionBatcher';

/**
 * Adapters' machines that run once, under their own name (`child.start` with that systemId):
 * routed to while they run. The others (one per connection or page) get only the facts their
 * adapter observes.
 */
export type RoutedChild = Extract<AdapterMachineName, 'senses' | 'audience' | 'redemptions' | 'vts' | 'analytics'>;
export type RouteTarget = ActorName | RoutedChild;

/** Who consumes what. Events not listed here are outputs for the outside only. `analytics` counts a stream from the events as they are. */
export const ROUTES: Partial<Record<PickleEventType, readonly RouteTarget[]>> = {
  // A channel-point question is also a redemption to settle.
  'chat.message': ['chat', 'redemptions'],
  // A plugin's chat-shaped input goes through chat like any line (batching, gating, moderation).
  'plugin.input': ['chat'],
  'stream.event': ['chat'],
  'chat.deleted': ['chat'],
  'chat.cleared': ['chat'],
  'settings.changed': ['chat', 'brain'],
  'context.budget': ['brain'],
  'senses.changed': ['brain'],
  // Analytics counts chat from the batches and the lines set apart: a flood's lines reach it ten at a time.
  'chat.batch': ['brain', 'analytics'],
  'chat.ignored': ['analytics'],
  // `!privacy` (senses); the rest, `!mute` / `!unmute` included, the brain's.
  'chat.command': ['brain', 'senses', 'analytics'],
  'brain.state': ['senses'],
  'brain.decision': ['redemptions', 'analytics'],
  'chat.event': ['brain'],
  'chat.removed': ['brain'],
  'speech.final': ['brain'],
  'speech.started': ['brain', 'analytics'],
  'vision.scene': ['visionBatcher'],
  'vision.batch': ['brain'],
  'control.skip': ['brain', 'analytics'],
  'viewer.forget': ['brain', 'analytics'],
  'brain.mute': ['brain', 'analytics'],
  'brain.unmute': ['brain'],
  'scene.live': ['brain'],
  'moderation.unblock': ['brain'],
  'moderation.lists': ['brain'],
  'reply.start': ['voice', 'avatar', 'redemptions', 'analytics'],
  'reply.spoken': ['audience', 'redemptions'],
  'reply.emotion': ['avatar', 'analytics'],
  'caption.holdRequested': ['avatar'],
  'avatar.modelsShown': ['avatar'],
  'avatar.noise': ['avatar'],
  // VTube Studio's hotkeys and lip-sync follow the avatar machine's face (AVATAR=vts).
  'avatar.emotion': ['vts'],
  'avatar.speaking': ['vts'],
  'reply.sentence': ['voice', 'speech', 'avatar', 'analytics'],
  'reply.judged': ['voice'],
  'reply.done': ['voice', 'analytics'],
  'reply.failed': ['voice', 'avatar', 'redemptions', 'analytics'],
  'voice.skip': ['voice'],
  'reply.firstToken': ['analytics'],
  'reply.blocked': ['analytics'],
  'voice.firstByte': ['analytics'],
  'stream.online': ['analytics'],
  'stream.offline': ['analytics'],
  'voice.sentenceStarted': ['brain', 'avatar', 'speech', 'analytics'],
  'voice.done': ['brain', 'avatar', 'speech', 'analytics'],
  // The streamer's voice (src/stt): the speech machine turns it into speech.final / speech.started.
  'stt.words': ['speech'],
  'stt.voiceActivity': ['speech'],
  'stt.utteranceEnd': ['speech'],
};

/** A plugin as the orchestrator knows it: the actor `plugin:<name>` and the event types it receives. */
export interface PluginSpec {
  name: string;
  events: readonly PickleEventType[];
}

export const pluginActorId = (name: string) => `plugin:${name}`;

export interface OrchestratorInput {
  /** Plugins to spawn (src/plugins); a failed one is removed from this list and stopped. */
  plugins?: PluginSpec[];
  chat: ChatInput;
  brain: BrainInput;
  voice?: VoiceInput;
  avatar?: AvatarInput;
  visionBatcher?: VisionBatcherInput;
  speech?: SpeechInput;
}

/** XState's own events (an actor's error, …) and the children's start/stop are handled by their own transitions, never routed. */
const isPickleEvent = (event: PickleEvent | ErrorActorEvent | ChildEvent): event is PickleEvent =>
  !event.type.startsWith('xstate.') && event.type !== 'child.start' && event.type !== 'child.stop';

const isActorError = (event: PickleEvent | ErrorActorEvent | ChildEvent): event is ErrorActorEvent => event.type.startsWith('xstate.error.actor.');

export const orchestratorMachine = setup({
  types: {
    input: {} as OrchestratorInput,
    context: {} as OrchestratorInput,
    // The invoked actors by id, so `getSnapshot().children.brain` is typed by its machine.
    children: {} as { [N in ActorName]: N },
    events: {} as PickleEvent | ErrorActorEvent | ChildEvent,
    emitted: {} as PickleEvent | ErrorActorEvent,
  },
  actors: {
    chat: chatMachine,
    brain: brainMachine,
    voice: voiceMachine,
    avatar: avatarMachine,
    visionBatcher: visionBatcherMachine,
    speech: speechMachine,
    // Started on demand by their adapters (`child.start`): see machines/children.ts.
    ...ADAPTER_MACHINES,
    // Provided from src/plugins: runs one plugin, sends back plugin.input / plugin.status / plugin.failed.
    plugin: missingService<PluginActorInput, PluginEvent, PickleEvent>('orchestrator.plugin'),
  },
  actions: {
    route: enqueueActions(({ context, event, enqueue, system }) => {
      if (!isPickleEvent(event)) return;
      // An adapter's machine that is not running (its adapter is off) is skipped.
      for (const target of ROUTES[event.type] ?? []) if (system.get(target)) enqueue.sendTo(target, event);
      for (const p of context.plugins ?? []) if (p.events.includes(event.type)) enqueue.sendTo(pluginActorId(p.name), event);
      enqueue.emit(event);
    }),
    spawnPlugins: enqueueActions(({ context, enqueue }) => {
      for (const p of context.plugins ?? [])
        enqueue.spawnChild('plugin', { id: pluginActorId(p.name), systemId: pluginActorId(p.name), input: { name: p.name } });
    }),
    /** An adapter's machine joins the system (once per systemId: a second start of the same one is ignored). */
    startChild: enqueueActions(({ event, enqueue, system }) => {
      assertEvent(event, 'child.start');
      startAdapterChild(enqueue, system, event.child);
    }),
    stopChild: enqueueActions(({ event, enqueue, system }) => {
      assertEvent(event, 'child.stop');
      if (system.get(event.systemId)) enqueue.stopChild(event.systemId);
    }),
    /** A plugin that threw is stopped and forgotten (never sent to again); the failure is emitted for /health. */
    stopPlugin: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'plugin.failed');
      if (!(context.plugins ?? []).some((p) => p.name === event.plugin)) return;
      enqueue.stopChild(pluginActorId(event.plugin));
      enqueue.assign({ plugins: (context.plugins ?? []).filter((p) => p.name !== event.plugin) });
      enqueue.emit(event);
    }),
    /** An actor's logic threw (XState sends `xstate.error.actor.<id>`): a plugin is stopped and reported; any other is emitted. */
    actorError: enqueueActions(({ context, event, enqueue }) => {
      if (!isActorError(event)) return;
      const id = event.type.slice('xstate.error.actor.'.length);
      const name = id.startsWith('plugin:') ? id.slice('plugin:'.length) : undefined;
      if (name !== undefined && (context.plugins ?? []).some((p) => p.name === name)) {
        const error = 'error' in event ? event.error : undefined;
        enqueue.stopChild(id);
        enqueue.assign({ plugins: (context.plugins ?? []).filter((p) => p.name !== name) });
        enqueue.emit({ type: 'plugin.failed', plugin: name, phase: 'running', error: errorText(error) });
        return;
      }
      enqueue.emit(event);
    }),
  },
}).createMachine({
  id: 'orchestrator',
  context: ({ input }) => input,
  invoke: [
    { src: 'chat', id: 'chat', systemId: 'chat', input: ({ context }) => context.chat },
    { src: 'brain', id: 'brain', systemId: 'brain', input: ({ context }) => context.brain },
    { src: 'voice', id: 'voice', systemId: 'voice', input: ({ context }) => context.voice ?? {} },
    { src: 'avatar', id: 'avatar', systemId: 'avatar', input: ({ context }) => context.avatar ?? {} },
    { src: 'visionBatcher', id: 'visionBatcher', systemId: 'visionBatcher', input: ({ context }) => context.visionBatcher ?? {} },
    { src: 'speech', id: 'speech', systemId: 'speech', input: ({ context }) => context.speech ?? {} },
  ],
  entry: 'spawnPlugins',
  on: {
    'plugin.failed': { actions: 'stopPlugin' },
    'child.start': { actions: 'startChild' },
    'child.stop': { actions: 'stopChild' },
    // XState sends `xstate.error.actor.<id>` when an actor's logic throws; this prefix matches any actor.
    'xstate.error.actor.*': { actions: 'actorError' },
    '*': { actions: 'route' },
  },
});

/** The services the machines need from src/ (real adapters, or fakes in tests). */
export interface PickleServices {
  /** Runs one plugin (src/plugins). Optional: without it, no plugin is spawned. */
  plugin?: PluginService;
  generateReply: GenerateReplyService;
  /** Long-term memory lookup (src/memory): sends back `memory.recalled`. Optional: without it, replies use STM only. */
  recallMemories?: RecallMemoriesService;
  /** Chat summary for the digest (src/llm): sends back `digest.summarised` / `digest.failed`. Optional: without it, the plain digest. */
  summariseChat?: SummariseChatService;
  /** TTS for one sentence (src/tts): sends back `tts.*`. Optional: without it, the voice is captions only. */
  synthesize?: SynthesizeService;
  /** Audio delivery with a clock (src/audio): takes `play.*`, sends back `playback.*`. Optional: without it, time is kept from sample counts and nothing is played. */
  playback?: PlaybackService;
}

/** The orchestrator with its services attached (io-app style: stubs in the machine, real ones provided). */
export function providePickle(services: PickleServices) {
  return orchestratorMachine.provide({
    actors: {
      ...(services.plugin ? { plugin: services.plugin } : {}),
      brain: brainMachine.provide({
        actors: {
          generateReply: services.generateReply,
          ...(services.recallMemories ? { recallMemories: services.recallMemories } : {}),
          ...(services.summariseChat ? { summariseChat: services.summariseChat } : {}),
        },
      }),
      ...(services.synthesize || services.playback
        ? {
            voice: voiceMachine.provide({
              actors: {
                ...(services.synthesize ? { synthesize: services.synthesize } : {}),
                ...(services.playback ? { playback: services.playback } : {}),
              },
            }),
          }
        : {}),
    },
  });
}

/** The running orchestrator, as the app and its adapters hold it. */
export type PickleActor = Actor<ReturnType<typeof providePickle>>;
