/**
 * The chat summariser as an XState callback actor: the brain spawns it while idle with a
 * prompt built in machines/brain/digest.ts, and gets `digest.summarised` (or `digest.failed`)
 * back. The brain stops it as soon as a reply needs the LLM, which aborts the request.
 */
import { service, type SummariseChatService } from '../../machines/services.ts';
import type { SummariseEvent, SummariseInput } from '../../machines/brain/digest.ts';
import type { LlmClient } from './types.ts';

export function createSummariseActor(llm: LlmClient): SummariseChatService {
  return service<SummariseInput, SummariseEvent>(({ input, sendBack }) => {
    const ctrl = new AbortController();
    let live = true;
    const send = (event: SummariseEvent) => {
      if (live) sendBack(event);
    };
    const ignore = () => undefined;
    llm.generate(input.messages, { onEmotion: ignore, onSentence: ignore }, ctrl.signal).then(
      (result) => send(result.text.trim() ? { type: 'digest.summarised', text: result.text, upTo: input.upTo } : { type: 'digest.failed' }),
      () => send({ type: 'digest.failed' }),
    );
    return () => {
      live = false;
      ctrl.abort();
    };
  });
}
