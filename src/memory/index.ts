/**
 * Long-term memory, wired: Chroma (embedded child process or CHROMA_URL), the embedder, the
 * write queue + journal, the recall actor the brain invokes, the orchestrator listeners that
 * carry out what the rules (machines/memory/rules.ts) decide to store and to forget, the API
 * router, and the `memory` line of the status board.
 *
 * Nothing here blocks a start or a reply: Chroma and the model load in the background; until
 * they are there, writes are journaled and recall answers "nothing" at once.
 */
import { service, type RecallMemoriesService } from '../../machines/services.ts';
import { ChatAdmission, type AdmissionOptions } from '../../machines/memory/admission.ts';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import express from 'express';
import type { PickleEvent, RecallEvent } from '../../machines/events.ts';
import type { PanelReports } from '../screens/presenter.ts';
import type { PickleActor } from '../../machines/orchestrator.ts';
import type { RecallInput } from '../../machines/brain/recall.ts';
import type { Env } from '../config/env.ts';
import type { ConsoleOut } from '../console.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { memoryRouter } from './api.ts';
import { startEmbeddedChroma, watchExternalChroma, type ChromaLink } from './chroma.ts';
import { loadEmbedder, type DownloadProgress, type EmbedderLoadError, type LoadedEmbedder } from './embedder.ts';
import { Journal } from './journal.ts';
import { forgettingOf, MAX_TEXT, recordsOf, removalOf, viewerOfRecord, type Forgetting, type MemoryRecord, type StorageModeration } from '../../machines/memory/rules.ts';
import { namedLogins, selfNames } from '../../machines/memory/provenance.ts';
import { MemoryStore } from './store.ts';
import { MemoryWriter } from './writer.ts';
import { ProvenanceTracker } from './provenanceTracker.ts';
import { errorText } from '../errors.ts';
import { wallClock } from '../clock.ts';

export interface MemoryOptions {
  env: Env;
  dataDir: string;
  log: Logger;
  status: StatusBoard;
  console: ConsoleOut;
  /** The persona on now (it changes with !persona). */
  persona: () => { id: string; name: string; aliases?: readonly string[] };
  /** The moderation pipeline every line passes before it is stored (src/moderation). */
  moderation?: () => StorageModeration;
  tuning?: {
    chromaRestartMs?: number;
    batchMs?: number;
    retryMs?: number;
    probeTimeoutMs?: number;
    /** How much chat is written to long-term memory under load. */
    admission?: AdmissionOptions;
  };
}

type PanelLike = Pick<PanelReports, 'viewerForgotten'>;

export interface MemoryService {
  readonly enabled: boolean;
  /** For providePickle: the brain's recall step. Undefined when memory is off (STM only). */
  readonly recallActor: RecallMemoriesService | undefined;
  readonly router: express.Router;
  /** Resolves when the embedder is chosen (loaded, or the fallback). */
  readonly embedderReady: Promise<void>;
  /**
   * Listens to the orchestrator's events (`events`) to store and forget what the rules choose.
   * `remembers(source)`: whether what ears or eyes bring may be stored now (not while off or
   * muted); `send`: the panel's "forget viewer" reaches the brain through it.
   */
  attach(events: Pick<PickleActor, 'on'>, panel: PanelLike, remembers: (source: 'ears' | 'eyes') => boolean, send: (event: PickleEvent) => void): void;
  recall(input: RecallInput): Promise<import('../../machines/events.ts').RecalledMemory[]>;
  health(): Record<string, unknown>;
  /** Internals for tests and the benchmark. */
  readonly link: ChromaLink | undefined;
  readonly store: MemoryStore | undefined;
  readonly writer: MemoryWriter | undefined;
  stop(): Promise<void>;
}

const newId = () => randomBytes(6).toString('hex');
/** Newest memories read at start to learn which viewers Pickle knows. */
const KNOWN_FROM_STORE = 2000;

function bar(p: DownloadProgress): string {
  const pct = Math.max(0, Math.min(100, Math.round(p.progress)));
  const filled = Math.round(pct / 5);
  const mb = (n: number) => (n / 1_048_576).toFixed(1);
  return `  memory: downloading all-MiniLM-L6-v2 ${p.file} [${'█'.repeat(filled)}${'░'.repeat(20 - filled)}] ${String(pct).padStart(3)}%  ${mb(p.loaded)}/${mb(p.total)} MB`;
}

export async function startMemory(opts: MemoryOptions): Promise<MemoryService> {
  const { env, log, status, console: out } = opts;
  const router = memoryRouter({
    enabled: env.MEMORY_ENABLED,
    unavailable: () => unavailable(),
    search: (q) => store!.search(q),
    remove: (id) => remove(id),
    forgetViewer: (viewer) => {
      // From the panel: the brain lets go of them too (a `!forgetme` reaches it by itself).
      const event = { type: 'viewer.forget', login: viewer } as const;
      forgetInStm(event);
      return forgetViewer(forgettingOf(event)!);
    },
  });

  if (!env.MEMORY_ENABLED) {
    status.set('memory', 'disabled', 'MEMORY_ENABLED=false: short-term memory only (the last 15 lines); nothing is written to disk', {
      fix: 'set MEMORY_ENABLED=true in .env so Pickle remembers viewers across streams',
      configured: false,
    });
    return {
      enabled: false,
      recallActor: undefined,
      router,
      embedderReady: Promise.resolve(),
      attach: () => {},
      recall: async () => [],
      health: () => ({ enabled: false }),
      link: undefined,
      store: undefined,
      writer: undefined,
      stop: async () => {},
    };
  }

  const journal = new Journal(join(opts.dataDir, 'memory'));
  status.set('memory', 'starting', 'long-term memory: starting Chroma and loading the embedding model');

  let loaded: LoadedEmbedder | undefined;
  let store: MemoryStore | undefined;
  let lastCount: number | undefined;
  let lastCountAt = 0;
  let stopped = false;
  const admission = new ChatAdmission({ ...(opts.tuning?.admission ?? {}), now: () => Date.now() });
  const provenance = new ProvenanceTracker();

  const link: ChromaLink = env.CHROMA_URL
    ? watchExternalChroma(env.CHROMA_URL, log, undefined, env.CHROMA_TOKEN)
    : await startEmbeddedChroma({ path: join(opts.dataDir, 'chromadb'), log, ...(opts.tuning?.chromaRestartMs ? { restartMs: opts.tuning.chromaRestartMs } : {}) });

  const writer = new MemoryWriter(
    {
      get ready() {
        return store?.ready === true && link.up;
      },
      apply: (ops) => store!.apply(ops),
    },
    journal,
    {
      log,
      ...(opts.tuning?.batchMs ? { batchMs: opts.tuning.batchMs } : {}),
      ...(opts.tuning?.retryMs ? { retryMs: opts.tuning.retryMs } : {}),
      onFailure: () => link.suspect(),
      onChange: () => report(),
    },
  );

  function unavailable(): string | undefined {
    if (!store) return 'the embedding model is still loading';
    if (!link.up) return link.lastError ?? 'Chroma is starting';
    if (!store.ready) return 'connecting to Chroma';
    return undefined;
  }

  function report(): void {
    if (stopped) return;
    const chroma = env.CHROMA_URL ? `Chroma at ${env.CHROMA_URL}` : 'embedded Chroma';
    const chromaFix = env.CHROMA_URL
      ? `start the Chroma server at ${env.CHROMA_URL}, or remove CHROMA_URL to use the embedded one`
      : 'Pickle restarts its Chroma by itself; if this stays, look at the log (data/logs/pickle.log)';
    const parts: string[] = [];
    let state: 'up' | 'degraded' | 'starting' | 'down' = 'up';
    let fix: string | undefined;
    const failure = loaded?.failure;
    if (loaded && loaded.embedder.kind === 'fallback') {
      state = 'degraded';
      parts.push(failure ? `embedder fallback: ${failure.message}; memories are matched by shared words, not meaning` : 'embedder fallback (EMBEDDER=fallback): memories are matched by shared words, not meaning');
      fix = failure?.fix ?? 'set EMBEDDER=minilm in .env';
    }
    if (!loaded) {
      state = 'starting';
      parts.push('loading the embedding model');
    }
    if (!link.up) {
      if (state === 'up') state = link.lastError ? 'degraded' : 'starting';
      parts.push(link.lastError ? `${chroma} is away (${link.lastError}): replies go on without long-term memory, writes are kept in a journal` : `starting ${chroma}`);
      if (link.lastError) fix ??= chromaFix;
    }
    if (state === 'up') parts.push(`long-term memory on: ${loaded!.embedder.label}, ${chroma}`);
    else if (writer.journaling && link.up) parts.push('replaying journaled writes');
    status.set('memory', state, parts.join('; '), fix ? { fix } : {});
  }

  const connect = async () => {
    if (!store || !link.up || stopped) return;
    try {
      await store.open(link.url, link.headers);
      report();
      writer.resume();
      // Viewers of earlier streams are known from the start: a claim about one is about them.
      const recent = await store.search({ limit: KNOWN_FROM_STORE }).catch(() => ({ memories: [] }));
      for (const m of [...recent.memories].reverse()) if (m.source === 'chat') provenance.saw(m.user);
      lastCount = await store.count().catch(() => lastCount);
    } catch (err) {
      log.warn({ event: 'memory.open-failed', err: errorText(err) }, 'could not open the memory collection');
      link.suspect();
    }
  };
  link.on('up', () => void connect());
  link.on('down', () => {
    store?.close();
    report();
  });

  const embedderReady = (async () => {
    let lastShown = -1;
    loaded = await loadEmbedder(env.EMBEDDER, {
      minilm: {
        modelsDir: join(opts.dataDir, 'models'),
        hubUrl: env.HF_ENDPOINT!,
        offline: env.HF_HUB_OFFLINE,
        ...(opts.tuning?.probeTimeoutMs ? { probeTimeoutMs: opts.tuning.probeTimeoutMs } : {}),
        onProgress: (p) => {
          if (p.total < 1_000_000) return;
          const step = Math.floor(p.progress / 10);
          if (step === lastShown) return;
          lastShown = step;
          out.line(bar(p));
        },
      },
      ollama: { host: env.OLLAMA_HOST! },
    });
    if (stopped) return;
    const failure: EmbedderLoadError | undefined = loaded.failure;
    if (failure) {
      // Loud, never silent: the console, /health, the log.
      out.line(`! MEMORY: embedder fallback. ${failure.message}.`);
      out.line('!   Pickle still remembers viewers, but matches memories by shared words, not by meaning.');
      out.line(`!   Fix: ${failure.fix}`);
      log.warn({ event: 'memory.embedder-fallback', code: failure.code, err: failure.message, fix: failure.fix }, 'embedder fallback');
    } else {
      log.info({ event: 'memory.embedder', embedder: loaded.embedder.label }, 'embedding model loaded');
    }
    store = new MemoryStore(loaded.embedder, log);
    report();
    await connect();
  })();

  let notify: PanelLike['viewerForgotten'] = () => {};
  let forgetInStm: (event: PickleEvent) => void = () => {};

  async function remove(id: string): Promise<'deleted' | 'missing' | 'queued'> {
    if (unavailable()) {
      writer.push({ op: 'delete', ids: [id] });
      return 'queued';
    }
    await writer.flush();
    const found = await store!.get(id);
    if (!found) return 'missing';
    writer.push({ op: 'delete', ids: [id] });
    await writer.flush();
    return writer.journaling ? 'queued' : 'deleted';
  }

  /** `!forgetme` and the panel's "forget viewer", as the rules decided (`forgettingOf`). */
  async function forgetViewer({ login: user, op }: Forgetting): Promise<{ deleted?: number; queued: boolean }> {
    provenance.forget(user);
    let count: number | undefined;
    if (!unavailable()) {
      await writer.flush();
      count = await store!.countConcerning(op).catch(() => undefined);
    }
    writer.push(op);
    await writer.flush();
    const done = !writer.journaling && count !== undefined;
    log.info({ event: 'memory.forgetme', user, deleted: count, queued: !done }, 'viewer asked to be forgotten');
    notify({ viewer: user, ...(count !== undefined ? { deleted: count } : {}), queued: !done });
    return { ...(count !== undefined ? { deleted: count } : {}), queued: !done };
  }

  const recallActor: RecallMemoriesService = service<RecallInput, RecallEvent>(({ input, sendBack }) => {
    let live = true;
    const started = performance.now();
    recall(input).then(
      (memories) => {
        if (!live) return;
        log.debug({ event: 'memory.recall', ms: Math.round(performance.now() - started), found: memories.length }, 'recall');
        sendBack({ type: 'memory.recalled', memories, ts: wallClock() });
      },
      (err: Error) => {
        if (!live) return;
        log.warn({ event: 'memory.recall-failed', err: err.message }, 'recall failed: replying without long-term memory');
        link.suspect();
        sendBack({ type: 'memory.recalled', memories: [], ts: wallClock() });
      },
    );
    return () => {
      live = false;
    };
  });

  async function recall(input: RecallInput) {
    if (unavailable()) return [];
    return store!.recall(input);
  }

  report();

  return {
    enabled: true,
    recallActor,
    router,
    embedderReady,
    link,
    get store() {
      return store;
    },
    writer,
    recall,
    attach(orchestrator, panel, remembers, send) {
      notify = (fact) => panel.viewerForgotten(fact);
      forgetInStm = send;
      const persona = opts.persona;
      const add = (e: PickleEvent) => {
        // Chat is admitted at a bounded rate (a flood is not worth remembering line by line).
        if (e.type === 'chat.batch') {
          for (const m of e.messages) provenance.saw(m.user);
          // Every line, stored or not: a reply to it is about whom it named.
          for (const m of e.messages) provenance.line(m.id, m.user, namedLogins(m.text.slice(0, MAX_TEXT), provenance.known, [m.user, ...selfNames(persona())]));
        }
        const admit = (r: MemoryRecord) => r.source !== 'chat' || admission.admit(r.speaker ?? r.user, r.fact);
        const records = recordsOf(e, persona(), newId, provenance, opts.moderation?.(), admit);
        if (records.length) writer.push({ op: 'upsert', records });
        return records;
      };
      orchestrator.on('chat.batch', (e) => {
        const stored = add(e);
        // The facts of viewers who talk are loaded now, so a reply to them later ranks them in RAM.
        const talkers = stored.filter((r) => r.source === 'chat').map(viewerOfRecord);
        if (talkers.length && !unavailable()) void store!.warmFacts(talkers).catch(() => {});
      });
      orchestrator.on('speech.final', (e) => remembers('ears') && add(e));
      orchestrator.on('vision.batch', (e) => remembers('eyes') && add(e));
      orchestrator.on('reply.start', (e) => provenance.replyTo(e.replyId, e.triggerId));
      orchestrator.on('reply.spoken', (e) => {
        add(e);
        provenance.replyEnded(e.replyId);
      });
      orchestrator.on('reply.failed', (e) => provenance.replyEnded(e.replyId));
      orchestrator.on('chat.removed', (e) => {
        const op = removalOf(e);
        if (op) writer.push(op);
      });
      orchestrator.on('chat.command', (e) => {
        const forgetting = forgettingOf(e);
        if (forgetting) void forgetViewer(forgetting).catch((err: Error) => log.warn({ event: 'memory.forgetme', err: err.message }, 'forgetme failed'));
      });
    },
    health() {
      // Refreshed at most every 10 s: a count makes Chroma flush its index, which a reply's lookup would wait on.
      if (store?.ready && !writer.journaling && Date.now() - lastCountAt > 10_000) {
        lastCountAt = Date.now();
        void store.count().then((n) => (lastCount = n), () => {});
      }
      return {
        enabled: true,
        embedder: loaded ? { label: loaded.embedder.label, kind: loaded.embedder.kind, fallback: loaded.embedder.kind === 'fallback', ...(loaded.failure ? { error: loaded.failure.code } : {}) } : 'loading',
        chroma: { url: link.url, managed: link.managed, isolated: link.isolated, up: link.up, ...(link.pid ? { pid: link.pid } : {}) },
        ...(store ? { collection: store.name } : {}),
        ...(lastCount !== undefined ? { stored: lastCount } : {}),
        notStoredUnderLoad: admission.skipped,
        knownViewers: provenance.known.size,
        journaled: writer.journal.pending,
        queued: writer.queueLength,
      };
    },
    async stop() {
      // Not waiting for a model download: what is queued goes to Chroma if it is there, else to the journal.
      await writer.stop();
      stopped = true;
      store?.close();
      await link.stop();
    },
  };
}

/** Adds `/api/memory` to the server's extra routes (createServer({ routes })). */
export function withMemoryRoutes(memory: MemoryService, routes?: express.Router): express.Router {
  const all = express.Router();
  if (routes) all.use(routes);
  all.use('/api', memory.router);
  return all;
}
