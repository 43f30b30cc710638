import { moderate } from '../machines/moderation/pipeline.ts';
import { guardSentence } from '../machines/brain/guard.ts';
import { loadOllamaGuard } from '../src/moderation/classifier.ts';
import { defaultModerationData, loadCorpus } from '../test/moderation/corpus.ts';
import { startOllamaStandin } from '../test/standins/ollama.ts';

/**
 * moderation: how well and how fast the moderation pipeline judges the corpus
 * (test/fixtures/moderation, en/es/de) with the default persona's lists (en, es, de + blocklist).
 *   recall     share of the harmful cases blocked, per expected category and overall (any
 *              category counts: a phone number caught as a link is still not said)
 *   precision  share of what was blocked that was harmful; and how many of the harmless
 *              look-alikes passed
 *   latency    added time per sentence for the list layers (the whole output guard: pipeline
 *              + echo rule + the reply-so-far check), after a warm-up: each sentence's median
 *              of ROUNDS runs, p50/p95 over the sentences (the goal); `raw` keeps every run,
 *              scheduler pauses of a shared machine included
 *   ml         the ML layer's added time per sentence: llama-guard3:1b through the real ollama
 *              client against the Ollama stand-in (no real model here), p50/p95
 * Goals: recall ≥ 0.97 overall and 1.0 for personal data and links; precision ≥ 0.98; list
 * layers ≤ 2 ms p95 per sentence.
 */

const ROUNDS = 20;
const ML_SENTENCES = 60;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const ms = (x: number) => Math.round(x * 1000) / 1000;
const round = (x: number) => Math.round(x * 10_000) / 10_000;

export default async function moderationBench(): Promise<Record<string, unknown>> {
  const corpus = loadCorpus();
  const data = defaultModerationData();
  const harmful = corpus.filter((c) => c.expect !== 'pass');
  const harmless = corpus.filter((c) => c.expect === 'pass');

  // Quality
  const perCategory: Record<string, { cases: number; blocked: number; recall: number }> = {};
  const missed: string[] = [];
  let truePositives = 0;
  for (const c of harmful) {
    const v = moderate(c.text, data);
    const entry = (perCategory[c.expect] ??= { cases: 0, blocked: 0, recall: 0 });
    entry.cases += 1;
    if (!v.ok) {
      entry.blocked += 1;
      truePositives += 1;
    } else missed.push(c.text);
  }
  for (const e of Object.values(perCategory)) e.recall = round(e.blocked / e.cases);
  const falsePositives = harmless.filter((c) => !moderate(c.text, data).ok).map((c) => c.text);

  // List layers: the whole output guard per sentence, as the brain runs it.
  for (const c of corpus) guardSentence(c.text, { moderation: data, spokenChars: 0, maxChars: 300, inputs: [] });
  const times: number[] = [];
  const perSentence = corpus.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    corpus.forEach((c, i) => {
      const t0 = performance.now();
      guardSentence(c.text, { moderation: data, spokenChars: 0, maxChars: 300, inputs: ['pickle say something nice about chat'], said: 'Sure thing!' });
      const d = performance.now() - t0;
      times.push(d);
      perSentence[i]!.push(d);
    });
  }
  // The machine is shared: one sentence's median over the rounds is its cost without other processes' pauses.
  const medians = perSentence.map((xs) => pct(xs, 50));

  // ML layer: a guard model through the ollama client (the stand-in: protocol and client cost, not a model's).
  const ollama = await startOllamaStandin({ models: ['llama-guard3:1b'] });
  const mlTimes: number[] = [];
  let mlFlagged = 0;
  try {
    const guard = await loadOllamaGuard({ host: ollama.url, model: 'llama-guard3:1b' });
    for (let i = 0; i < ML_SENTENCES; i++) {
      const c = corpus[i % corpus.length]!;
      const t0 = performance.now();
      const j = await guard.classify(c.text);
      mlTimes.push(performance.now() - t0);
      if (j.toxic) mlFlagged += 1;
    }
  } finally {
    await ollama.close();
  }

  const recallPd = perCategory['personal-data']?.recall ?? 0;
  const recallLink = perCategory['link']?.recall ?? 0;
  const recall = round(truePositives / harmful.length);
  const precision = round(truePositives / (truePositives + falsePositives.length));
  const p95 = ms(pct(medians, 95));
  return {
    corpus: { cases: corpus.length, harmful: harmful.length, harmless: harmless.length, languages: [...new Set(corpus.map((c) => c.lang))] },
    recall: { overall: recall, perCategory },
    precision,
    harmlessPassed: round((harmless.length - falsePositives.length) / harmless.length),
    missed,
    falsePositives,
    latencyMs: {
      listLayers: { p50: ms(pct(medians, 50)), p95, of: `${corpus.length} sentences, each the median of ${ROUNDS} runs`, raw: { p50: ms(pct(times, 50)), p95: ms(pct(times, 95)), p99: ms(pct(times, 99)), samples: times.length } },
      ml: { backend: 'llama-guard3:1b via the ollama client, Ollama stand-in (no real model)', p50: ms(pct(mlTimes, 50)), p95: ms(pct(mlTimes, 95)), samples: mlTimes.length, flagged: mlFlagged },
    },
    goals: {
      recallOverall: recall >= 0.97,
      recallPersonalData: recallPd === 1,
      recallLinks: recallLink === 1,
      precision: precision >= 0.98,
      listLayersP95: p95 <= 2,
    },
  };
}
