import { service } from '../../machines/services.ts';
import type { GenerateReplyInput } from '../../machines/brain.ts';
import type { Emotion, LlmEvent } from '../../machines/events.ts';

/** A scripted LLM actor: each call is recorded; the test decides what it streams and when. */
export function fakeLlm() {
  const calls: Array<{ input: GenerateReplyInput; emit: (e: LlmEvent) => void; aborted: boolean }> = [];
  const logic = service<GenerateReplyInput, LlmEvent>(({ input, sendBack }) => {
    const call = { input, emit: (e: LlmEvent) => !call.aborted && sendBack(e), aborted: false };
    calls.push(call);
    return () => {
      call.aborted = true;
    };
  });
  const last = () => calls[calls.length - 1]!;
  return {
    logic,
    calls,
    last,
    /** Streams a whole reply: emotion, sentences, done. */
    reply(sentences: string[], emotion: Emotion = 'happy') {
      const c = last();
      c.emit({ type: 'llm.emotion', emotion });
      for (const s of sentences) c.emit({ type: 'llm.sentence', text: s });
      c.emit({ type: 'llm.done', text: sentences.join(' '), emotion, ts: 0 });
    },
  };
}
