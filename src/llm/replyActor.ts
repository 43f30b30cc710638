/**
 * The LLM as an XState callback actor: the brain invokes it with the prompt and gets
 * `llm.emotion`, `llm.sentence`… then `llm.done` or `llm.error` back. Stopping the actor
 * (the brain leaving `thinking`, `!skip`, barge-in) aborts the HTTP request, and nothing
 * is sent back after that.
 */
import { service, type GenerateReplyService } from '../../machines/services.ts';
import type { LlmEvent, PromptMessage } from '../../machines/events.ts';
import { toLlmFailure } from './errors.ts';
import { wallClock } from '../clock.ts';
import type { LlmClient } from './types.ts';

export interface ReplyActorInput {
  replyId: string;
  messages: PromptMessage[];
}

export function createReplyActor(llm: LlmClient): GenerateReplyService {
  return service<ReplyActorInput, LlmEvent>(({ input, sendBack }) => {
    const ctrl = new AbortController();
    let live = true;
    const send = (event: LlmEvent) => {
      if (live) sendBack(event);
    };
    llm
      .generate(
        input.messages,
        {
          onFirstToken: () => send({ type: 'llm.firstToken', ts: wallClock() }),
          onEmotion: (emotion) => send({ type: 'llm.emotion', emotion }),
          onSentence: (text) => send({ type: 'llm.sentence', text, ts: wallClock() }),
        },
        ctrl.signal,
      )
      .then(
        (result) => send({ type: 'llm.done', text: result.text, emotion: result.emotion, ts: Date.now(), ...(result.stats.evalTokens !== undefined ? { tokens: result.stats.evalTokens } : {}) }),
        (err: unknown) => send({ type: 'llm.error', error: toLlmFailure(err) }),
      );
    return () => {
      live = false;
      ctrl.abort();
    };
  });
}
