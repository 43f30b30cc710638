/**
 * The LLM reply actor with the ML classifier beside it: each sentence goes to the brain at once
 * (the list layers judge it there, the voice starts synthesising it) marked `pending`, and the
 * classifier's verdict follows as `llm.judged`; the voice plays the sentence only after an ok, so
 * the classifier's time overlaps synthesis instead of adding to it. `llm.done` waits for the last
 * verdict. What a slow or failing classifier means is decided by machines/moderation/classifierJudge.ts.
 * With no classifier loaded, sentences go on unmarked.
 */
import { service, type GenerateReplyService } from '../../machines/services.ts';
import type { LlmEvent } from '../../machines/events.ts';
import { toLlmFailure } from '../llm/errors.ts';
import type { ReplyActorInput } from '../llm/replyActor.ts';
import type { LlmClient } from '../llm/types.ts';
import type { Judgement } from './classifier.ts';
import { wallClock } from '../clock.ts';

export interface SentenceJudge {
  /** A classifier is loaded: sentences go on at once and their verdicts follow. */
  available(): boolean;
  /** Undefined while no classifier is ready (downloading, unavailable, off), or when it failed on this one. */
  judge(text: string, signal: AbortSignal): Promise<Judgement | undefined>;
}

export function createModeratedReplyActor(llm: LlmClient, judge: SentenceJudge): GenerateReplyService {
  return service<ReplyActorInput, LlmEvent>(({ input, sendBack }) => {
    const ctrl = new AbortController();
    let live = true;
    const send = (event: LlmEvent) => {
      if (live) sendBack(event);
    };
    // Verdicts are awaited together before llm.done; each is sent as soon as it is known.
    const verdicts: Array<Promise<void>> = [];
    let seq = 0;
    const onSentence = (text: string) => {
      const ts = wallClock();
      if (!judge.available()) {
        send({ type: 'llm.sentence', text, ts });
        return;
      }
      const n = seq++;
      send({ type: 'llm.sentence', text, seq: n, pending: true, ts });
      verdicts.push(
        judge.judge(text, ctrl.signal).then(
          (verdict) => send({ type: 'llm.judged', seq: n, ...(verdict?.toxic ? { flagged: 'toxicity' as const } : {}) }),
          () => send({ type: 'llm.judged', seq: n }),
        ),
      );
    };
    const allJudged = () => Promise.all(verdicts);
    void llm
      .generate(input.messages, { onFirstToken: () => send({ type: 'llm.firstToken', ts: wallClock() }), onEmotion: (emotion) => send({ type: 'llm.emotion', emotion }), onSentence }, ctrl.signal)
      .then(
        async (result) => {
          await allJudged();
          send({ type: 'llm.done', text: result.text, emotion: result.emotion, ts: Date.now() });
        },
        async (err: unknown) => {
          await allJudged();
          send({ type: 'llm.error', error: toLlmFailure(err) });
        },
      );
    return () => {
      live = false;
      ctrl.abort();
    };
  });
}
