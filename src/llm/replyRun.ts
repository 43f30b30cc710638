import { isRunaway, nextBlankRun } from '../../machines/replyOutput.ts';
import { LlmError, type ErrorContext } from './errors.ts';
import { ReplyStreamParser, type ReplyPart } from './replyStream.ts';
import { ThinkStripper } from './think.ts';
import type { ReplyDeadlines, ReplyWatch } from './replyDeadlines.ts';
import type { ReplyHandlers } from './types.ts';

export type AbortedBy = ErrorContext['abortedBy'];

/**
 * The plumbing of one streamed reply, the same for every backend: one AbortController that the
 * caller's signal and the reply's deadlines (the replyDeadlines machine says when the first token
 * or the whole reply is overdue) all pull (remembering which pulled first, so the error says why), a reasoning model's `<think>` sections removed, a reply
 * that is only whitespace on and on cut off (a JSON-mode fault), and the `{emotion, text}` parser whose emotion and
 * sentences go to the handlers as they complete. A handler that throws ends the request, and its
 * own error is what the backend rethrows. `close()` always runs: the HTTP request never outlives
 * the call.
 */
export class ReplyRun {
  readonly ctrl = new AbortController();
  readonly parser = new ReplyStreamParser();
  abortedBy: AbortedBy = null;
  private handlerError: { error: unknown } | null = null;
  private readonly thoughts = new ThinkStripper();
  private blankRun = 0;
  private readonly deadlines: ReplyWatch;
  private firstTokenSeen = false;
  private readonly onCallerAbort = () => this.stopWith('caller');

  constructor(
    private readonly caller: AbortSignal,
    private readonly handlers: ReplyHandlers,
    deadlines: ReplyDeadlines,
  ) {
    caller.addEventListener('abort', this.onCallerAbort, { once: true });
    this.deadlines = deadlines.watch((why) => this.stopWith(why));
  }

  get signal(): AbortSignal {
    return this.ctrl.signal;
  }

  /** The model is answering: the first-token wait is over. */
  tokenArrived(): void {
    this.deadlines.firstToken();
  }

  /** A piece of the reply: emotion and finished sentences go to the handlers at once. */
  push(piece: string): void {
    if (!this.firstTokenSeen && piece !== '') {
      this.firstTokenSeen = true;
      this.handlers.onFirstToken?.();
    }
    this.blankRun = nextBlankRun(this.blankRun, piece);
    if (isRunaway(this.blankRun)) {
      this.handlerError ??= {
        error: new LlmError('bad-output', `the model wrote only whitespace (${this.blankRun} tokens in a row, a JSON-mode fault); the reply was cut off`, true),
      };
      this.ctrl.abort();
      return;
    }
    this.deliver(this.parser.push(this.thoughts.push(piece)));
  }

  /** The stream ended: the last sentence, even without final punctuation. */
  end(): void {
    const rest = this.thoughts.end();
    if (rest) this.deliver(this.parser.push(rest));
    this.deliver(this.parser.end());
  }

  /** In the backend's catch: a handler's own error (or the run's own verdict on the output) is rethrown as it is, before any classifying. */
  rethrowHandlerError(): void {
    if (this.handlerError) throw this.handlerError.error;
  }

  close(): void {
    this.deadlines.end();
    this.caller.removeEventListener('abort', this.onCallerAbort);
    this.ctrl.abort();
  }

  private stopWith(why: NonNullable<AbortedBy>): void {
    this.abortedBy ??= why;
    this.ctrl.abort();
  }

  private deliver(parts: ReplyPart[]): void {
    for (const part of parts) {
      if (this.ctrl.signal.aborted) return;
      try {
        if (part.type === 'emotion') this.handlers.onEmotion(part.emotion);
        else this.handlers.onSentence(part.text);
      } catch (error) {
        this.handlerError = { error };
        this.ctrl.abort();
        return;
      }
    }
  }
}
