/**
 * Moderation as a service: the optional ML classifier (loaded in the background), the
 * counts of what was blocked by category, the viewers silenced for baiting, and the
 * `moderation` line on the status board and in /health. The list layers themselves are
 * pure and run in the brain (machines/moderation).
 */
import { createActor, fromPromise } from 'xstate';
import { classifierJudgeMachine, type ClassifierVerdict } from '../../machines/moderation/classifierJudge.ts';
import type { ModerationHealthPayload } from '../screens/payloads.ts';
import { join } from 'node:path';
import type { Env } from '../config/env.ts';
import type { ConsoleOut } from '../console.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import type { ModerationCategory } from '../../machines/moderation/types.ts';
import type { ViewerKey } from '../../machines/events.ts';
import {
  ClassifierLoadError,
  DEFAULT_GUARD_MODEL,
  DEFAULT_TOXICITY_MODEL,
  loadOllamaGuard,
  loadTransformersClassifier,
  type DownloadProgress,
  type Judgement,
  type ToxicityClassifier,
} from './classifier.ts';
import type { SentenceJudge } from './replyActor.ts';
import { errorText } from '../errors.ts';

export type ModerationMode = 'off' | 'transformers' | 'ollama';

export interface ModerationOptions {
  env: Pick<Env, 'MODERATION' | 'MODERATION_MODEL' | 'MODERATION_THRESHOLD' | 'HF_ENDPOINT' | 'HF_HUB_OFFLINE' | 'OLLAMA_HOST'>;
  dataDir: string;
  log: Logger;
  status: StatusBoard;
  console: ConsoleOut;
  /** The list layers' languages, for the status line. */
  languages: readonly string[];
  tuning?: { probeTimeoutMs?: number; judgeTimeoutMs?: number };
}

export interface ModerationService extends SentenceJudge {
  readonly mode: ModerationMode;
  /** Resolves when the classifier is loaded or given up (at once when off). */
  readonly ready: Promise<void>;
  /** A sentence or stored line was blocked. */
  count(where: 'reply' | 'memory', category: ModerationCategory | 'toxicity'): void;
  silenced(viewer: ViewerKey, until: number): void;
  unsilenced(viewer: ViewerKey): void;
  /** Viewers silenced now (until in epoch ms). */
  silencedViewers(now: number): Array<{ viewer: ViewerKey; until: number }>;
  health(): ModerationHealthPayload;
  setLanguages(languages: readonly string[]): void;
}

function bar(label: string, p: DownloadProgress): string {
  const pct = Math.max(0, Math.min(100, Math.round(p.progress)));
  const filled = Math.round(pct / 5);
  const mb = (n: number) => (n / 1_048_576).toFixed(1);
  return `  moderation: downloading ${label} ${p.file} [${'█'.repeat(filled)}${'░'.repeat(20 - filled)}] ${String(pct).padStart(3)}%  ${mb(p.loaded)}/${mb(p.total)} MB`;
}

export function startModeration(opts: ModerationOptions): ModerationService {
  const { env, log, status, console: out } = opts;
  const mode = env.MODERATION;
  let languages = [...opts.languages];
  let classifier: ToxicityClassifier | undefined;
  let state: 'off' | 'loading' | 'downloading' | 'up' | 'unavailable' = mode === 'off' ? 'off' : 'loading';
  let failure: ClassifierLoadError | undefined;
  let downloaded = 0;
  let judgeErrors = 0;
  const counts: { reply: Record<string, number>; memory: Record<string, number> } = { reply: {}, memory: {} };
  const silenced = new Map<ViewerKey, number>();
  const judgeTimeoutMs = opts.tuning?.judgeTimeoutMs ?? 3_000;

  const lists = () => `list layers on (profanity ${languages.join('/')}, personal data, links, prompt leaks)`;
  const report = () => {
    if (state === 'off')
      status.set('moderation', 'up', `${lists()}; ML classifier off`, { fix: 'set MODERATION=transformers (in-process model) or MODERATION=ollama (guard model) to add an ML classifier' });
    else if (state === 'up') status.set('moderation', 'up', `${lists()}; ML classifier ${classifier!.label}`);
    else if (state === 'downloading') status.set('moderation', 'starting', `${lists()}; downloading the ML classifier (${downloaded}%)`);
    else if (state === 'loading') status.set('moderation', 'starting', `${lists()}; loading the ML classifier`);
    else status.set('moderation', 'degraded', `${lists()}; ML classifier unavailable: ${failure?.message ?? 'unknown error'}`, { fix: failure?.fix ?? 'restart Pickle' });
  };
  report();

  const ready = (async () => {
    if (mode === 'off') return;
    let lastShown = -1;
    try {
      classifier =
        mode === 'ollama'
          ? await loadOllamaGuard({ host: env.OLLAMA_HOST!, model: env.MODERATION_MODEL ?? DEFAULT_GUARD_MODEL })
          : await loadTransformersClassifier({
              modelsDir: join(opts.dataDir, 'models'),
              hubUrl: env.HF_ENDPOINT!,
              model: env.MODERATION_MODEL ?? DEFAULT_TOXICITY_MODEL,
              offline: env.HF_HUB_OFFLINE,
              threshold: env.MODERATION_THRESHOLD,
              ...(opts.tuning?.probeTimeoutMs ? { probeTimeoutMs: opts.tuning.probeTimeoutMs } : {}),
              onProgress: (p) => {
                if (p.total < 1_000_000) return;
                if (state !== 'downloading') state = 'downloading';
                const step = Math.floor(p.progress / 10);
                if (step === lastShown) return;
                lastShown = step;
                downloaded = step * 10;
                out.line(bar(env.MODERATION_MODEL ?? DEFAULT_TOXICITY_MODEL, p));
                report();
              },
            });
      state = 'up';
      log.info({ event: 'moderation.classifier', classifier: classifier.label }, 'moderation classifier loaded');
    } catch (err) {
      failure = err instanceof ClassifierLoadError ? err : new ClassifierLoadError('load-failed', `the classifier could not be loaded (${errorText(err)})`, 'restart Pickle; if it persists, set MODERATION=off');
      state = 'unavailable';
      // Loud, never silent: the console, /health, the log. The list layers still run.
      out.line(`! MODERATION: ML classifier unavailable. ${failure.message}.`);
      out.line('!   Every sentence still passes the list layers (profanity, personal data, links, prompt leaks).');
      out.line(`!   Fix: ${failure.fix}`);
      log.warn({ event: 'moderation.classifier-unavailable', code: failure.code, err: failure.message, fix: failure.fix }, 'moderation classifier unavailable');
    }
    report();
  })();

  return {
    mode,
    ready,
    available: () => classifier !== undefined,
    async judge(text, signal) {
      const c = classifier;
      if (!c || signal.aborted) return undefined;
      // What a slow or failing classifier means is the judge machine's call (it fails open).
      const actor = createActor(
        classifierJudgeMachine.provide({ actors: { classify: fromPromise(({ input, signal: own }) => c.classify(input.text, AbortSignal.any([own, signal]))) } }),
        { input: { text, timeoutMs: judgeTimeoutMs } },
      );
      const verdict = await new Promise<ClassifierVerdict | undefined>((resolve) => {
        actor.subscribe({ complete: () => resolve(actor.getSnapshot().output), error: () => resolve(undefined) });
        signal.addEventListener('abort', () => {
          actor.stop();
          resolve(undefined);
        }, { once: true });
        actor.start();
      });
      if (!verdict) return undefined;
      if (verdict.outcome === 'failed' || verdict.outcome === 'timed-out') {
        judgeErrors += 1;
        log.warn({ event: 'moderation.judge-failed', outcome: verdict.outcome, err: verdict.error }, 'classifier failed on a sentence; it passed the list layers only');
        return undefined;
      }
      return { toxic: verdict.flagged, label: verdict.label ?? verdict.outcome };
    },
    count(where, category) {
      counts[where][category] = (counts[where][category] ?? 0) + 1;
    },
    silenced(viewer, until) {
      silenced.set(viewer, until);
    },
    unsilenced(viewer) {
      silenced.delete(viewer);
    },
    silencedViewers(now) {
      for (const [v, until] of silenced) if (until <= now) silenced.delete(v);
      return [...silenced].map(([viewer, until]) => ({ viewer, until }));
    },
    setLanguages(next) {
      languages = [...next];
      report();
    },
    health(): ModerationHealthPayload {
      const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
      return {
        lists: languages,
        classifier: mode === 'off' ? 'off' : state === 'up' ? classifier!.label : state === 'unavailable' ? `unavailable: ${failure?.fix ?? ''}` : state,
        ...(mode === 'transformers' ? { threshold: env.MODERATION_THRESHOLD } : {}),
        blocked: { replies: { total: total(counts.reply), ...counts.reply }, memory: { total: total(counts.memory), ...counts.memory } },
        ...(judgeErrors ? { classifierErrors: judgeErrors } : {}),
        silenced: this.silencedViewers(Date.now()),
      };
    },
  };
}

export type { Judgement };
