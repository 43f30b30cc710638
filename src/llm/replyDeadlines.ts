/**
 * The LLM's reply deadlines, carried out for the replyDeadlines machine
 * (machines/replyDeadlines.ts), which decides when a reply is overdue: each reply reports its
 * request, first token and end, and is stopped when the machine says it is overdue. In Pickle the
 * machine is the orchestrator's child (`start(children)`); before that (tools, tests) it runs in
 * a system of its own.
 */
import type { AdapterChild } from '../../machines/children.ts';
import type { ReplyDeadlinesInput } from '../../machines/replyDeadlines.ts';
import { standaloneChildren, tell, type ChildHost } from '../children.ts';
import type { ErrorContext } from './errors.ts';

export type OverdueReason = Extract<ErrorContext['abortedBy'], 'timeout' | 'first-token-timeout'>;

/** One reply's deadlines as the run sees them. */
export interface ReplyWatch {
  firstToken(): void;
  end(): void;
}

export interface ReplyDeadlines {
  start(children?: ChildHost): void;
  /** Watches one reply; `overdue` is called (once) when the machine gives up on it. */
  watch(overdue: (why: OverdueReason) => void): ReplyWatch;
}

export function replyDeadlines(limits: ReplyDeadlinesInput): ReplyDeadlines {
  let machine: AdapterChild<'replyDeadlines'> | undefined;
  const waiting = new Map<string, (why: OverdueReason) => void>();
  let replies = 0;

  const start = (children: ChildHost = standaloneChildren()): AdapterChild<'replyDeadlines'> => {
    if (machine) return machine;
    const m = children.start({ src: 'replyDeadlines', systemId: 'replyDeadlines:llm', input: limits });
    machine = m;
    m.on('reply.overdue', (e) => {
      const overdue = waiting.get(e.key);
      waiting.delete(e.key);
      overdue?.(e.which === 'first-token' ? 'first-token-timeout' : 'timeout');
    });
    return m;
  };

  return {
    start: (children) => void start(children),
    watch(overdue) {
      const m = start();
      const key = `reply-${++replies}`;
      waiting.set(key, overdue);
      tell(m, { type: 'request.started', key });
      let answered = false;
      return {
        firstToken() {
          if (answered) return;
          answered = true;
          tell(m, { type: 'request.answering', key });
        },
        end() {
          if (!waiting.delete(key)) return;
          tell(m, { type: 'request.ended', key });
        },
      };
    },
  };
}
