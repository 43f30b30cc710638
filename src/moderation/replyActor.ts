/**
 * The LLM reply actor with the ML classifier in the path: each sentence is judged, in order,
 * before it goes to the brain (which drops the flagged ones and counts them). The list layers
 * run in the brain whatever happens here. A classifier that fails or is slow lets the sentence
 * through unjudged (the lists still apply) and says so, rather than silencing every reply.
 */
import { service, type GenerateReplyService } from '../../machines/services.ts';
import type { LlmEvent } from '../../machines/events.ts';
import { toLlmFailure } from '../llm/errors.ts';
import type { ReplyActorInput } from '../llm/replyActor.ts';
import type { LlmClient } from '../llm/types.ts';
import type { Judgement } from './classifier.ts';

export interface SentenceJudge {
  /** Undefined while no classifier is ready (downloading, unavailable, off). */
  judge(text: string, signal: AbortSignal): Promise<Judgement | undefined>;
}

export function createModeratedReplyActor(llm: LlmClient, judge: SentenceJudge): GenerateReplyService {
  return service<ReplyActorInput, LlmEvent>(({ input, sendBack }) => {
    const ctrl = new AbortController();
    let live = true;
    const send = (event: LlmEvent) => {
      if (live) sendBack(event);
    };
    // Sentences are judged one after another so they reach the brain in the order written.
    let queue: Promise<void> = Promise.resolve();
    const onSentence = (text: string) => {
      queue = queue.then(async () => {
        const verdict = await judge.judge(text, ctrl.signal).catch(() => undefined);
        send({ type: 'llm.sentence', text, ...(verdict?.toxic ? { flagged: 'toxicity' as const } : {}) });
      });
    };
    void llm
      .generate(input.messages, { onEmotion: (emotion) => send({ type: 'llm.emotion', emotion }), onSentence }, ctrl.signal)
      .then(
        async (result) => {
          await queue;
          send({ type: 'llm.done', text: result.text, emotion: result.emotion, ts: Date.now() });
        },
        async (err: unknown) => {
          await queue;
          send({ type: 'llm.error', error: toLlmFailure(err) });
        },
      );
    return () => {
      live = false;
      ctrl.abort();
    };
  });
}
