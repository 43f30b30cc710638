import { enqueueActions, setup, type ActorLogic, type AnyActorLogic } from 'xstate';
import { avatarMachine, type AvatarInput } from './avatar.ts';
import { brainMachine, type BrainInput, type GenerateReplyInput } from './brain.ts';
import { chatMachine, type ChatInput } from './chat.ts';
import type { LlmEvent, PickleEvent, PickleEventType } from './events.ts';
import { voiceMachine, type VoiceInput } from './voice.ts';

/**
 * The orchestrator: the root actor. It starts one actor per concern (each with a systemId,
 * so the inspector and tests can find them) and routes every event by type to the actors
 * that consume it. Every event it sees is also emitted, so the app around it (server
 * sockets, logs, Twitch replies) listens with `actor.on(type, …)` instead of reaching in.
 */

export type ActorName = 'chat' | 'brain' | 'voice' | 'avatar';

/** Who consumes what. Events not listed here are outputs for the outside only. */
export const ROUTES: Partial<Record<PickleEventType, readonly ActorName[]>> = {
  'twitch.message': ['chat'],
  'twitch.event': ['chat'],
  'twitch.deleted': ['chat'],
  'twitch.cleared': ['chat'],
  'settings.changed': ['chat', 'brain'],
  'chat.batch': ['brain'],
  'chat.command': ['brain'],
  'chat.event': ['brain'],
  'chat.removed': ['brain'],
  'speech.final': ['brain'],
  'speech.started': ['brain'],
  'control.skip': ['brain'],
  'brain.mute': ['brain'],
  'brain.unmute': ['brain'],
  'reply.start': ['voice', 'avatar'],
  'reply.emotion': ['avatar'],
  'reply.sentence': ['voice'],
  'reply.done': ['voice'],
  'reply.failed': ['voice', 'avatar'],
  'voice.skip': ['voice'],
  'voice.started': ['brain', 'avatar'],
  'voice.playing': ['avatar'],
  'voice.done': ['brain', 'avatar'],
};

export interface OrchestratorInput {
  chat: ChatInput;
  brain: BrainInput;
  voice?: VoiceInput;
  avatar?: AvatarInput;
}

export const orchestratorMachine = setup({
  types: {
    input: {} as OrchestratorInput,
    context: {} as OrchestratorInput,
    events: {} as PickleEvent,
    emitted: {} as PickleEvent,
  },
  actors: {
    chat: chatMachine,
    brain: brainMachine,
    voice: voiceMachine,
    avatar: avatarMachine,
  },
  actions: {
    route: enqueueActions(({ event, enqueue }) => {
      for (const target of ROUTES[event.type] ?? []) enqueue.sendTo(target, event);
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
  ],
  on: {
    '*': { actions: 'route' },
  },
});

/** The services the machines need from src/ (real adapters, or fakes in tests). */
export interface PickleServices {
  generateReply: ActorLogic<any, LlmEvent, GenerateReplyInput, any, any> | AnyActorLogic;
}

/** The orchestrator with its services attached (io-app style: stubs in the machine, real ones provided). */
export function providePickle(services: PickleServices) {
  return orchestratorMachine.provide({
    actors: {
      brain: brainMachine.provide({ actors: { generateReply: services.generateReply as never } }),
    },
  });
}
