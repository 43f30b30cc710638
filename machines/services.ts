import { fromCallback, type CallbackActorLogic, type EventObject } from 'xstate';
import type { LlmEvent, PickleEvent, PlayCommand, PlaybackEvent, PluginEvent, PromptMessage, RecallEvent, TtsEvent } from './events.ts';
import type { RecallInput } from './brain/recall.ts';
import type { SummariseEvent, SummariseInput } from './brain/digest.ts';

/**
 * The services the machines need from the outside world, declared once: what each one is
 * given (input), what it may send back, and what it receives while it runs. The machines
 * hold stubs of these types; src/ builds the real ones with `service()` and the orchestrator
 * attaches them with `providePickle`, so an adapter of the wrong shape, or one that sends back an
 * event its machine does not accept, does not compile (test/machines/services.typecheck.test.ts).
 */

/**
 * What a service may send back, carried in its type. XState's callback logic types what it
 * receives, not what it sends, so the events sent are a type-only field (no value at run time).
 * The field is read-only, so a service that sends fewer kinds of events still fits.
 */
class Sends<TSent extends EventObject> {
  declare readonly sends: TSent;
}

/** A callback actor, typed by its input, the events it sends back and the events it receives. */
export type ServiceLogic<TInput, TSent extends EventObject, TReceived extends EventObject = EventObject> = CallbackActorLogic<TReceived, TInput> & Sends<TSent>;

export interface ServiceScope<TInput, TSent extends EventObject, TReceived extends EventObject> {
  input: TInput;
  sendBack: (event: TSent) => void;
  receive: (listener: (event: TReceived) => void) => void;
}

/** Builds a service actor with a typed `sendBack`; the returned function (if any) is its teardown. */
export function service<TInput, TSent extends EventObject, TReceived extends EventObject = EventObject>(
  run: (scope: ServiceScope<TInput, TSent, TReceived>) => (() => void) | void,
): ServiceLogic<TInput, TSent, TReceived> {
  return Object.assign(
    fromCallback<TReceived, TInput>(({ input, sendBack, receive }) => run({ input, sendBack, receive })),
    new Sends<TSent>(),
  );
}

/** A stub that fails loudly when a machine runs without its service provided. */
export function missingService<TInput, TSent extends EventObject, TReceived extends EventObject = EventObject>(name: string): ServiceLogic<TInput, TSent, TReceived> {
  return service<TInput, TSent, TReceived>(() => {
    throw new Error(`${name}: service not provided`);
  });
}

/** The LLM (src/llm): streams `llm.*` back; stopping it aborts the request. */
export interface GenerateReplyInput {
  replyId: string;
  messages: PromptMessage[];
}
export type GenerateReplyService = ServiceLogic<GenerateReplyInput, LlmEvent>;

/** Long-term memory lookup (src/memory): sends back one `memory.recalled`. */
export type RecallMemoriesService = ServiceLogic<RecallInput, RecallEvent>;

/** TTS for one sentence (src/tts): sends back `tts.audio`… then `tts.done` or `tts.failed`. */
export interface SynthesizeInput {
  replyId: string;
  index: number;
  text: string;
}
export type SynthesizeService = ServiceLogic<SynthesizeInput, TtsEvent>;

/** Audio delivery with a clock (src/audio), one per reply: takes `play.*`, reports `playback.*`. */
export interface PlaybackInput {
  replyId: string;
}
export type PlaybackService = ServiceLogic<PlaybackInput, PlaybackEvent, PlayCommand>;

/** One plugin (src/plugins), run as the actor `plugin:<name>`: receives the events it asked for, sends back `plugin.*`. */
export interface PluginActorInput {
  name: string;
}
export type PluginService = ServiceLogic<PluginActorInput, PluginEvent, PickleEvent>;

/** The chat digest's summary (src/llm), made while Pickle is idle: sends back `digest.summarised` or `digest.failed`. */
export type SummariseChatService = ServiceLogic<SummariseInput, SummariseEvent>;
