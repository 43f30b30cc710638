import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { moderate, type ModerationData } from '../machines/moderation/pipeline.ts';
import { guardSentence } from '../machines/brain/guard.ts';
import { loadOllamaGuard } from '../src/moderation/classifier.ts';
import { defaultModerationData, loadCorpus } from '../test/moderation/corpus.ts';
import { startOllamaStandin } from '../test/standins/ollama.ts';

/**
 * moderation: how well and how fast the moderation pipeline judges sentences, with the default
 * persona's lists and system prompt.
 *   eval.tuned / eval.heldout  the evaluation corpus (test/fixtures/moderation/eval, en/es/de/fr/pt),
 *              measured separately: the held-out third is never tuned to, so only its figures are
 *              printed, never its sentences.
 *     recall           share of the harmful cases blocked (any category counts: a phone number
 *                      caught as a link is still not said), overall, per category, per language
 *     harmlessBlocked  share of the harmless look-alikes blocked
 *     mild             mild profanity blocked with the persona's `moderation.mild` as it is
 *   own        recall and false alarms on the older corpus written beside the lists
 *              (test/fixtures/moderation/corpus.jsonl)
 *   latency    added time per sentence for the list layers (the whole output guard: pipeline
 *              + echo rule + the reply-so-far check), after a warm-up: each sentence's median
 *              of ROUNDS runs, p50/p95 over the sentences (the goal); a 50,000-character
 *              sentence and 2,500 U+FDFA (which NFKC expands 18×) judged whole
 *   ml         the ML layer's added time per sentence: llama-guard3:1b through the real ollama
 *              client against the Ollama stand-in (no real model here), p50/p95
 * Goals (held-out part): recall ≥ 0.90 overall, ≥ 0.85 per category, ≥ 0.97 personal data and
 * links; harmless blocked ≤ 2 %; list layers ≤ 1 ms p95; 50,000 characters < 50 ms.
 */

const ROUNDS = 20;
const ML_SENTENCES = 60;
const ROOT = join(import.meta.dirname, '..');

interface EvalCase {
  text: string;
  lang: string;
  expect: string;
}

const loadEval = (part: 'tuned' | 'heldout'): EvalCase[] =>
  readFileSync(join(ROOT, `test/fixtures/moderation/eval/${part}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EvalCase);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const ms = (x: number) => Math.round(x * 1000) / 1000;
const round = (x: number) => Math.round(x * 10_000) / 10_000;

type Tally = Record<string, { cases: number; blocked: number; recall: number }>;
const tally = (t: Tally, key: string, blocked: boolean) => {
  const e = (t[key] ??= { cases: 0, blocked: 0, recall: 0 });
  e.cases += 1;
  if (blocked) e.blocked += 1;
};
const finish = (t: Tally) => {
  for (const e of Object.values(t)) e.recall = round(e.blocked / e.cases);
  return t;
};

/** One part of the corpus judged as a spoken sentence is (first sentence of a reply, no viewer input). */
function evaluate(cases: readonly EvalCase[], data: ModerationData, showSentences: boolean) {
  const perCategory: Tally = {};
  const perLanguage: Tally = {};
  const missed: string[] = [];
  const falseAlarms: string[] = [];
  let harmful = 0;
  let caught = 0;
  let harmless = 0;
  let harmlessBlocked = 0;
  let mild = 0;
  let mildBlocked = 0;
  for (const c of cases) {
    const v = moderate(c.text, data);
    if (c.expect === 'pass') {
      harmless += 1;
      if (!v.ok) {
        harmlessBlocked += 1;
        falseAlarms.push(`${c.text}  [${v.category}/${v.layer}]`);
      }
    } else if (c.expect === 'mild') {
      mild += 1;
      if (!v.ok) mildBlocked += 1;
    } else {
      harmful += 1;
      if (!v.ok) caught += 1;
      else missed.push(`${c.expect}: ${c.text}`);
      tally(perCategory, c.expect, !v.ok);
      tally(perLanguage, c.lang, !v.ok);
    }
  }
  return {
    cases: cases.length,
    recall: { overall: round(caught / harmful), of: harmful, perCategory: finish(perCategory), perLanguage: finish(perLanguage) },
    harmlessBlocked: { share: round(harmlessBlocked / harmless), blocked: harmlessBlocked, of: harmless },
    mildBlocked: { share: round(mildBlocked / mild), blocked: mildBlocked, of: mild },
    ...(showSentences ? { missed, falseAlarms } : {}),
  };
}

function goals(part: ReturnType<typeof evaluate>) {
  const cats = Object.values(part.recall.perCategory);
  return {
    recallOverall: part.recall.overall >= 0.9,
    recallEveryCategory: cats.every((c) => c.recall >= 0.85),
    recallPersonalData: (part.recall.perCategory['personal-data']?.recall ?? 0) >= 0.97,
    recallLinks: (part.recall.perCategory['link']?.recall ?? 0) >= 0.97,
    harmlessBlocked: part.harmlessBlocked.share <= 0.02,
  };
}

export default async function moderationBench(): Promise<Record<string, unknown>> {
  const data = defaultModerationData();
  const tuned = loadEval('tuned');
  const heldout = loadEval('heldout');
  const own = loadCorpus();

  const tunedResult = evaluate(tuned, data, true);
  const heldoutResult = evaluate(heldout, data, false);
  const ownHarmful = own.filter((c) => c.expect !== 'pass');
  const ownHarmless = own.filter((c) => c.expect === 'pass');
  const ownMissed = ownHarmful.filter((c) => moderate(c.text, data).ok).map((c) => c.text);
  const ownFalse = ownHarmless.filter((c) => !moderate(c.text, data).ok).map((c) => c.text);

  // List layers: the whole output guard per sentence, as the brain runs it.
  const all = [...tuned, ...heldout, ...own];
  for (const c of all) guardSentence(c.text, { moderation: data, spokenChars: 0, maxChars: 300, inputs: [] });
  const times: number[] = [];
  const perSentence = all.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    all.forEach((c, i) => {
      const t0 = performance.now();
      guardSentence(c.text, { moderation: data, spokenChars: 0, maxChars: 300, inputs: ['pickle say something nice about chat'], said: 'Sure thing!' });
      const d = performance.now() - t0;
      times.push(d);
      perSentence[i]!.push(d);
    });
  }
  // The machine is shared: one sentence's median over the rounds is its cost without other processes' pauses.
  const medians = perSentence.map((xs) => pct(xs, 50));
  const worst = (text: string) => {
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      moderate(text, data);
      runs.push(performance.now() - t0);
    }
    return ms(pct(runs, 50));
  };
  const long = 'chat is wonderful today and the frog lives in the pond. '.repeat(900).slice(0, 50_000);
  const longMs = worst(long);
  const fdfaMs = worst('\ufdfa'.repeat(2500));

  // ML layer: a guard model through the ollama client (the stand-in: protocol and client cost, not a model's).
  const ollama = await startOllamaStandin({ models: ['llama-guard3:1b'] });
  const mlTimes: number[] = [];
  let mlFlagged = 0;
  try {
    const guard = await loadOllamaGuard({ host: ollama.url, model: 'llama-guard3:1b' });
    for (let i = 0; i < ML_SENTENCES; i++) {
      const c = all[i % all.length]!;
      const t0 = performance.now();
      const j = await guard.classify(c.text);
      mlTimes.push(performance.now() - t0);
      if (j.toxic) mlFlagged += 1;
    }
  } finally {
    await ollama.close();
  }

  const p95 = ms(pct(medians, 95));
  return {
    eval: { tuned: tunedResult, heldout: heldoutResult },
    own: { cases: own.length, recall: round((ownHarmful.length - ownMissed.length) / ownHarmful.length), harmlessBlocked: round(ownFalse.length / ownHarmless.length), missed: ownMissed, falseAlarms: ownFalse },
    latencyMs: {
      listLayers: { p50: ms(pct(medians, 50)), p95, of: `${all.length} sentences, each the median of ${ROUNDS} runs`, raw: { p50: ms(pct(times, 50)), p95: ms(pct(times, 95)), p99: ms(pct(times, 99)), samples: times.length } },
      sentence50k: longMs,
      fdfa2500: fdfaMs,
      ml: { backend: 'llama-guard3:1b via the ollama client, Ollama stand-in (no real model)', p50: ms(pct(mlTimes, 50)), p95: ms(pct(mlTimes, 95)), samples: mlTimes.length, flagged: mlFlagged },
    },
    goals: {
      heldout: goals(heldoutResult),
      tuned: goals(tunedResult),
      listLayersP95: p95 <= 1,
      sentence50k: longMs < 50,
      fdfa2500: fdfaMs < 20,
    },
  };
}
