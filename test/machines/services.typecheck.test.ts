/**
 * The service seam is typed both ways. The `@ts-expect-error` lines are the test: `npm run
 * typecheck` (which covers test/) fails if any of them compiles, that is if a service that sends
 * back an event its machine does not accept, or a bare `fromCallback` that says nothing of what it
 * sends, could be given to the machines. The runtime part only checks the accepted shapes run.
 */
import { describe, expect, it } from 'vitest';
import { fromCallback } from 'xstate';
import { brainMachine } from '../../machines/brain.ts';
import type { LlmEvent, TtsEvent } from '../../machines/events.ts';
import { providePickle } from '../../machines/orchestrator.ts';
import { service, type GenerateReplyInput, type SynthesizeInput } from '../../machines/services.ts';
import { voiceMachine } from '../../machines/voice.ts';

const reply = service<GenerateReplyInput, LlmEvent>(({ sendBack }) => sendBack({ type: 'llm.done', text: 'hi', emotion: 'neutral', ts: 0 }));
/** Sends only part of what the brain accepts: still fits. */
const replyDoneOnly = service<GenerateReplyInput, Extract<LlmEvent, { type: 'llm.done' }>>(() => undefined);
/** A scratch adapter sending an event nobody accepts. */
const bogusReply = service<GenerateReplyInput, { type: 'bogus.event' }>(({ sendBack }) => sendBack({ type: 'bogus.event' }));
/** A TTS service that answers like an LLM. */
const ttsSendingLlm = service<SynthesizeInput, LlmEvent>(({ sendBack }) => sendBack({ type: 'llm.done', text: 'x', emotion: 'neutral', ts: 0 }));
const tts = service<SynthesizeInput, TtsEvent>(({ input, sendBack }) => sendBack({ type: 'tts.done', replyId: input.replyId, index: input.index, engine: 'none' }));
/** A callback actor that does not declare what it sends. */
const untyped = fromCallback<{ type: string }, GenerateReplyInput>(({ sendBack }) => sendBack({ type: 'bogus.event' }));

// @ts-expect-error an LLM service that sends back an event the brain does not accept
providePickle({ generateReply: bogusReply });
// @ts-expect-error a TTS service that sends back llm.done
providePickle({ generateReply: reply, synthesize: ttsSendingLlm });
// @ts-expect-error a bare fromCallback says nothing of what it sends back
providePickle({ generateReply: untyped });
// @ts-expect-error the same checks hold when a machine is provided directly
brainMachine.provide({ actors: { generateReply: bogusReply } });
// @ts-expect-error the voice's synthesize accepts tts.* only
voiceMachine.provide({ actors: { synthesize: ttsSendingLlm } });
// @ts-expect-error inside a service, sendBack only takes what the service declared
service<GenerateReplyInput, LlmEvent>(({ sendBack }) => sendBack({ type: 'tts.done', replyId: 'r', index: 0, engine: 'none' }));

describe('the service seam', () => {
  it('accepts services that send what their machine accepts (all of it, or part of it)', () => {
    const machines = [providePickle({ generateReply: reply, synthesize: tts }), providePickle({ generateReply: replyDoneOnly })];
    for (const m of machines) expect(m.id).toBe('orchestrator');
  });
});
