import { fromCallback, type CallbackActorLogic, type EventObject } from 'xstate';
import type { LlmEvent, PlayCommand, PlaybackEvent, PromptMessage, RecallEvent, TtsEvent } from './events.ts';
import type { RecallInput } from './brain/recall.ts';
import type { SummariseEvent, SummariseInput } from './brain/digest.ts';

/**
 * The services the machines need from the outside world, declared once: what each one is
 * given (input), what it may send back, and what it receives while it runs. The machines
 * hold stubs of these types; src/ builds the real ones with `service()` and the orchestrator
 * attaches them with `providePickle`, so an adapter of the wrong shape does not compile.
 */

/** A callback actor whose `sendBack` only takes the events its machine expects from it. */
export type ServiceLogic<TInput, TReceived extends EventObject = EventObject> = CallbackActorLogic<TReceived, TInput>;

export interface ServiceScope<TInput, TSent extends EventObject, TReceived extends EventObject> {
  input: TInput;
  sendBack: (event: TSent) => void;
  receive: (listener: (event: TReceived) => void) => void;
}

/** Builds a service actor with a typed `sendBack`; the returned function (if any) is its teardown. */
export function service<TInput, TSent extends EventObject, TReceived extends EventObject = EventObject>(
  run: (scope: ServiceScope<TInput, TSent, TReceived>) => (() => void) | void,
): ServiceLogic<TInput, TReceived> {
  return fromCallback<TReceived, TInput>(({ input, sendBack, receive }) => run({ input, sendBack, receive }));
}

/** A stub that fails loudly when a machine runs without its service provided. */
export function missingService<TInput, TReceived extends EventObject = EventObject>(name: string): ServiceLogic<TInput, TReceived> {
  return fromCallback<TReceived, TInput>(() => {
    throw new Error(`${name}: service not provided`);
  });
}

/** The LLM (src/llm): streams `llm.*` back; stopping it aborts the request. */
export interface GenerateReplyInput {
  replyId: string;
  messages: PromptMessage[];
}
export type GenerateReplyService = ServiceLogic<GenerateReplyInput>;
export type GenerateReplySends = LlmEvent;

/** Long-term memory lookup (src/memory): sends back one `memory.recalled`. */
export type RecallMemoriesService = ServiceLogic<RecallInput>;
export type RecallMemoriesSends = RecallEvent;

/** TTS for one sentence (src/tts): sends back `tts.audio`… then `tts.done` or `tts.failed`. */
export interface SynthesizeInput {
  replyId: string;
  index: number;
  text: string;
}
export type SynthesizeService = ServiceLogic<SynthesizeInput>;
export type SynthesizeSends = TtsEvent;

/** Audio delivery with a clock (src/audio), one per reply: takes `play.*`, reports `playback.*`. */
export interface PlaybackInput {
  replyId: string;
}
export type PlaybackService = ServiceLogic<PlaybackInput, PlayCommand>;
export type PlaybackSends = PlaybackEvent;

/** One plugin (src/plugins), run as the actor `plugin:<name>`: receives the events it asked for. */
export interface PluginActorInput {
  name: string;
}
export type PluginService = ServiceLogic<PluginActorInput>;

/** The chat digest's summary (src/llm), made while Pickle is idle: sends back `digest.summarised` or `digest.failed`. */
export type SummariseChatService = ServiceLogic<SummariseInput>;
export type SummariseChatSends = SummariseEvent;
