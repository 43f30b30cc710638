/**
 * `npm run bench -- memory`: long-term memory at 10k and 100k stored memories, on the real
 * embedded Chroma (spawned like Pickle does) with the embedder Pickle would use here.
 *
 * Figures (all in one run, side by side):
 * - insert throughput (memories/s) through the writer's path (embed + upsert in batches of 64);
 * - event-loop block during inserts (max and p99 of monitorEventLoopDelay, ms);
 * - query latency p50/p95/p99: one Chroma similarity query (top 3), and the whole recall
 *   (query embedding + the seed's top 3 + the viewers' facts);
 * - embedding ms per message (one at a time, as recall does; in batches, as the writer does);
 * - the time the memory step adds to a reply: the brain machine with the real recall actor vs
 *   without memory, from the chat batch to the LLM actor's start, interleaved.
 *
 * Options: `npm run bench -- memory --sizes 10000,100000 --queries 300`.
 */
import { service } from '../machines/services.ts';
import { WRITE_BATCH } from '../src/memory/writer.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createActor, setup, type AnyActorLogic } from 'xstate';
import { brainMachine, type GenerateReplyInput } from '../machines/brain.ts';
import { RECALL_BUDGET_MS, type RecallInput } from '../machines/brain/recall.ts';
import { viewerKey, type ChatMessage, type LlmEvent, type PersonaRuntime, type RecallEvent, type ViewerKey } from '../machines/events.ts';
import { silentLogger } from '../src/log.ts';
import { startEmbeddedChroma } from '../src/memory/chroma.ts';
import { loadEmbedder, type Embedder } from '../src/memory/embedder.ts';
import { isFact, type MemoryRecord } from '../machines/memory/rules.ts';
import { MemoryStore } from '../src/memory/store.ts';

// ---------------------------------------------------------------- synthetic chat (deterministic)

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const GAMES = ['Elden Ring', 'Zelda', 'Minecraft', 'Hades', 'Celeste', 'Dark Souls', 'Stardew Valley', 'Hollow Knight', 'Balatro', 'Tetris'];
const JOBS = ['nurse', 'teacher', 'developer', 'chef', 'student', 'driver', 'designer', 'farmer', 'pilot', 'barista'];
const CITIES = ['Leeds', 'Berlin', 'Lyon', 'Austin', 'Osaka', 'Porto', 'Oslo', 'Quito', 'Perth', 'Cork'];
const THINGS = ['pizza', 'cats', 'rain', 'coffee', 'hiking', 'anime', 'jazz', 'sushi', 'camping', 'chess', 'bikes', 'tea'];
const TEMPLATES = [
  (p: Pick) => `I love playing ${p(GAMES)} after work every day`,
  (p: Pick) => `my name is ${p(['Sam', 'Kim', 'Lee', 'Ana', 'Bo', 'Max', 'Ivy', 'Noa'])} and I am a ${p(JOBS)}`,
  (p: Pick) => `greetings from ${p(CITIES)}, it is raining again here`,
  (p: Pick) => `does anyone else think ${p(THINGS)} is overrated honestly`,
  (p: Pick) => `the streamer should try ${p(GAMES)} next week for sure`,
  (p: Pick) => `I just got back from ${p(CITIES)} and I miss the ${p(THINGS)} already`,
  (p: Pick) => `that boss fight in ${p(GAMES)} was the hardest thing I have seen`,
  (p: Pick) => `my favourite thing in the world is ${p(THINGS)} with friends`,
  (p: Pick) => `working as a ${p(JOBS)} is tiring but I still watch every stream`,
  (p: Pick) => `chat what do you think about ${p(THINGS)} and ${p(THINGS)} together`,
];
type Pick = <T>(xs: readonly T[]) => T;

function chatGenerator(seed: number) {
  const r = prng(seed);
  const pick: Pick = (xs) => xs[Math.floor(r() * xs.length)]!;
  return {
    text: () => pick(TEMPLATES)(pick),
    user: () => `viewer${Math.floor(r() * 2000)}`,
    r,
  };
}

// ---------------------------------------------------------------- helpers

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const r2 = (x: number) => Math.round(x * 100) / 100;
const dist = (xs: number[]) => ({ p50: r2(pct(xs, 50)), p95: r2(pct(xs, 95)), p99: r2(pct(xs, 99)), n: xs.length });

async function insert(store: MemoryStore, gen: ReturnType<typeof chatGenerator>, from: number, to: number, persona: string) {
  const lag = monitorEventLoopDelay({ resolution: 1 });
  // A 5 ms ticker sees what monitorEventLoopDelay may smooth: the longest gap between two ticks.
  let last = performance.now();
  let worstGap = 0;
  let batchNo = 0;
  // For each long gap, the CPU this process used meanwhile: a gap with little CPU is the OS running
  // something else (Chroma indexing on the same 2 cores, other programs), not this process blocking.
  const gaps: Array<{ ms: number; cpuMs: number; batch: number }> = [];
  let lastCpu = process.cpuUsage();
  const ticker = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const gap = now - last - 5;
    worstGap = Math.max(worstGap, gap);
    if (gap > 20) gaps.push({ ms: r2(gap), cpuMs: r2((cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000), batch: batchNo });
    last = now;
    lastCpu = cpu;
  }, 5);
  lag.enable();
  const t0 = performance.now();
  const batch = WRITE_BATCH; // what the writer sends at most at once
  for (let i = from; i < to; i += batch) {
    batchNo += 1;
    const records: MemoryRecord[] = [];
    for (let j = i; j < Math.min(to, i + batch); j++) {
      const text = gen.text();
      records.push({ id: `b-${j}`, text, user: gen.user(), displayName: 'v', source: 'chat', ts: 1_700_000_000_000 + j * 1000, persona, messageId: `m-${j}`, fact: isFact(text) });
    }
    await store.apply([{ op: 'upsert', records }]);
  }
  const seconds = (performance.now() - t0) / 1000;
  lag.disable();
  clearInterval(ticker);
  return {
    inserted: to - from,
    seconds: r2(seconds),
    perSecond: Math.round((to - from) / seconds),
    eventLoopBlockMs: {
      max: r2(Math.max(lag.max / 1e6, worstGap)),
      p99: r2(lag.percentile(99) / 1e6),
      mean: r2(lag.mean / 1e6),
      gapsOver20ms: gaps.length,
      /** Gaps during which this process was on the CPU most of the time (its own work: JSON, embedding, GC). */
      gapsOver20msBusy: gaps.filter((g) => g.cpuMs >= 0.8 * g.ms).length,
      maxBusyGap: r2(Math.max(0, ...gaps.filter((g) => g.cpuMs >= 0.8 * g.ms).map((g) => g.ms))),
      batches: batchNo,
      worst: gaps.sort((a, b) => b.ms - a.ms).slice(0, 5),
    },
  };
}

async function queries(store: MemoryStore, embedder: Embedder, gen: ReturnType<typeof chatGenerator>, n: number, persona: string) {
  const knn: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  const seen = new Set<string>();
  const fresh = () => {
    for (;;) {
      const u = gen.user();
      if (!seen.has(u)) return (seen.add(u), u);
    }
  };
  for (let i = 0; i < n; i++) {
    const q = gen.text();
    const [v] = await embedder.embed([q]);
    let t = performance.now();
    await (store as unknown as { knn(e: number[], n: number): Promise<unknown> }).knn(v!, 3);
    knn.push(performance.now() - t);
    // Cold: viewers whose facts are not in RAM yet (their first line of the session is the one answered).
    const viewers = [viewerKey('twitch', fresh()), viewerKey('twitch', fresh())];
    t = performance.now();
    await store.recall({ query: q, viewers, persona, exclude: { ids: [], texts: [] }, now: Date.now() });
    cold.push(performance.now() - t);
    // Warm: viewers who chatted before (Pickle loads a viewer's facts when their chat arrives).
    const q2 = gen.text();
    t = performance.now();
    await store.recall({ query: q2, viewers, persona, exclude: { ids: [], texts: [] }, now: Date.now() });
    warm.push(performance.now() - t);
  }
  return { chromaQueryTop3Ms: dist(knn), recallMs: { viewersSeenBefore: dist(warm), viewersFirstLine: dist(cold) } };
}

async function embedding(embedder: Embedder, gen: ReturnType<typeof chatGenerator>) {
  const texts = Array.from({ length: 512 }, () => gen.text());
  let t = performance.now();
  for (const x of texts.slice(0, 256)) await embedder.embed([x]);
  const single = (performance.now() - t) / 256;
  t = performance.now();
  for (let i = 0; i < 512; i += 16) await embedder.embed(texts.slice(i, i + 16));
  const batched = (performance.now() - t) / 512;
  return { oneAtATime: r2(single), batchesOf16: r2(batched) };
}

const persona: PersonaRuntime = {
  id: 'default',
  name: 'Pickle',
  aliases: [],
  personality: 'bench',
  style: [],
  spontaneousRate: 0,
  idleAfterSec: 0,
  cooldownSec: 0,
  chatBatchSize: 10,
  maxReplyChars: 300,
  acknowledge: { raid: false, sub: false, resub: false, subgift: false, submysterygift: false, bits: false, follow: false },
};

/** Batch sent → LLM actor started, through the brain machine, with a given recall actor (or none). */
async function replyStartLatency(recallActor: AnyActorLogic | undefined, gen: ReturnType<typeof chatGenerator>, n: number, warm: (viewers: ViewerKey[]) => Promise<void>) {
  let resolveStart: (() => void) | undefined;
  const llm = service<GenerateReplyInput, LlmEvent>(({ sendBack }) => {
    resolveStart?.();
    // Nothing spoken: the brain fails the reply and goes back to idle, ready for the next one.
    queueMicrotask(() => sendBack({ type: 'llm.done', text: '', emotion: 'neutral', ts: 0 }));
  });
  const brain = brainMachine.provide({ actors: { generateReply: llm, ...(recallActor ? { recallMemories: recallActor as never } : {}) } });
  const parent = setup({ actors: { brain } }).createMachine({
    invoke: { src: 'brain', id: 'brain', input: { persona, blocklist: [], random: () => 0.99 } },
    on: { forward: { actions: ({ event, self }) => self.getSnapshot().children.brain!.send((event as unknown as { event: never }).event) } },
  });
  const actor = createActor(parent);
  actor.start();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const user = gen.user();
    // The viewer chatted before (their facts were loaded then), as when a regular names Pickle.
    await warm([viewerKey('twitch', user)]);
    const message: ChatMessage = { platform: 'twitch', id: `q-${i}`, user, displayName: user, text: `pickle ${gen.text()}`, role: 'viewer', ts: Date.now() };
    const started = new Promise<void>((r) => (resolveStart = r));
    const t = performance.now();
    actor.send({ type: 'forward', event: { type: 'chat.batch', messages: [message], flush: 'mention' } } as never);
    await started;
    times.push(performance.now() - t);
    await new Promise((r) => setImmediate(r));
  }
  actor.stop();
  return times;
}

export default async function memoryBench(args: string[] = []): Promise<Record<string, unknown>> {
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const sizes = (opt('sizes') ?? '10000,100000').split(',').map(Number);
  const nQueries = Number(opt('queries') ?? 300);
  const dir = mkdtempSync(join(tmpdir(), 'pickle-bench-memory-'));
  const log = silentLogger();

  // The embedder Pickle would use on this machine (EMBEDDER, the models in PICKLE_DATA_DIR/models).
  const choice = (process.env.EMBEDDER ?? 'minilm') as 'minilm' | 'ollama' | 'fallback';
  const loaded = await loadEmbedder(choice, {
    minilm: { modelsDir: join(resolve(process.env.PICKLE_DATA_DIR ?? './data'), 'models'), hubUrl: process.env.HF_ENDPOINT ?? 'https://huggingface.co', offline: /^(1|true|yes)$/i.test(process.env.HF_HUB_OFFLINE ?? '') },
    ollama: { host: process.env.OLLAMA_HOST ?? 'http://127.0.0.1:11434' },
  });
  const embedder = loaded.embedder;
  const link = await startEmbeddedChroma({ path: join(dir, 'chromadb'), log });
  await new Promise<void>((r) => (link.up ? r() : link.once('up', () => r())));

  const gen = chatGenerator(42);
  const result: Record<string, unknown> = {
    embedder: embedder.label,
    embedderFallback: embedder.kind === 'fallback',
    ...(loaded.failure ? { embedderFallbackReason: loaded.failure.message } : {}),
    chroma: 'embedded (chromadb npm CLI server, child process), cosine, HNSW defaults',
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    embeddingMsPerMessage: await embedding(embedder, gen),
  };

  try {
    const store = new MemoryStore(embedder, log, 'bench_');
    await store.open(link.url, link.headers);
    const recallActor = service<RecallInput, RecallEvent>(({ input, sendBack }) => {
      let live = true;
      store.recall(input).then(
        (memories) => live && sendBack({ type: 'memory.recalled', memories }),
        () => live && sendBack({ type: 'memory.recalled', memories: [] }),
      );
      return () => {
        live = false;
      };
    });
    let have = 0;
    for (const size of sizes) {
      const ins = await insert(store, gen, have, size, persona.id);
      have = size;
      const count = await store.count();
      const q = await queries(store, embedder, gen, nQueries, persona.id);
      // Side by side, interleaved in rounds: without memory (STM only) vs with the recall step.
      const without: number[] = [];
      const withMem: number[] = [];
      for (let round = 0; round < 5; round++) {
        const warm = (viewers: ViewerKey[]) => store.warmFacts(viewers);
        without.push(...(await replyStartLatency(undefined, gen, Math.ceil(nQueries / 10), warm)));
        withMem.push(...(await replyStartLatency(recallActor, gen, Math.ceil(nQueries / 10), warm)));
      }
      const added = { p50: r2(pct(withMem, 50) - pct(without, 50)), p95: r2(pct(withMem, 95) - pct(without, 95)), p99: r2(pct(withMem, 99) - pct(without, 99)) };
      result[`at${size}`] = {
        stored: count,
        insert: ins,
        query: q,
        replyStartMs: { withoutMemory: dist(without), withMemory: dist(withMem), addedByMemory: added, budgetMs: RECALL_BUDGET_MS },
        goals: {
          queryP95Le15ms: q.chromaQueryTop3Ms.p95 <= 15,
          memoryStepAddsLe25msP95: added.p95 <= 25,
          insertsBlockEventLoopLe20ms: ins.eventLoopBlockMs.max <= 20,
          insertsBlockEventLoopLe20msOwnWork: ins.eventLoopBlockMs.maxBusyGap <= 20,
        },
      };
      process.stderr.write(`memory bench: ${size} done (${ins.perSecond}/s, query p95 ${q.chromaQueryTop3Ms.p95} ms, recall p95 ${q.recallMs.viewersSeenBefore.p95} ms)\n`);
    }
  } finally {
    await link.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}
