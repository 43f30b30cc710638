/**
 * Long-term memory in Chroma: one collection per vector space (`pickle_memories_minilm`,
 * `pickle_memories_hash384`), cosine distance, with the persona as a metadata field.
 *
 * Why one collection with a persona field rather than one per persona: what viewers said about
 * themselves ("I'm a nurse") is true whichever persona is on, so viewer facts are shared; the
 * co-host's own replies are recalled only by the persona that said them (filtered here). And
 * `!forgetme`, bans and deleted messages are one delete in one place, not one per persona.
 *
 * Vectors from different embedders are never mixed: when the embedder changes (the fallback
 * today, MiniLM once downloaded), memories of the other collection are re-embedded into the
 * active one and the old collection is dropped, so memory survives the switch.
 */
import { withDeadline } from '../deadline.ts';
import { ChromaClient, type Collection, type Where } from 'chromadb';
import { RECALL_TOP_K, type RecallInput } from '../../machines/brain/recall.ts';
import type { Logger } from '../log.ts';
import type { Embedder } from './embedder.ts';
import { aboutKey, concerns, forgetPlan } from '../../machines/memory/provenance.ts';
import { fromRow, toMetadata, type StoredMemory } from './metadata.ts';
import { splitViewer, type RecalledMemory, type ViewerKey } from '../../machines/events.ts';
import { viewerOfRecord, type MemoryOp, type MemoryRecord } from '../../machines/memory/rules.ts';
import { deleteFilters } from './deleteFilters.ts';

/** The seed's threshold. relevance = 1 − cosine distance (Chroma's cosine space gives distance = 1 − cosine similarity). */
export const MIN_RELEVANCE = 0.4;
/** The memory browser's floor: a hit below it shares nothing that matters with the words searched (left out, counted). */
export const BROWSE_MIN_RELEVANCE = 0.3;
/** Facts fetched per viewer of the current input (by metadata filter, ranked by similarity). */
export const FACTS_PER_USER = 2;
const COLLECTION_PREFIX = 'pickle_memories_';

/** Embedding work per slice before yielding to the event loop (keeps replies and sockets responsive). */
const EMBED_SLICE = 16;
const CALL_TIMEOUT_MS = 10_000;
/** Viewers whose facts are kept in RAM (a viewer who talks once usually talks again). */
const FACT_CACHE_USERS = 1000;
const FACT_CACHE_TTL_MS = 10 * 60_000;
/** Facts per viewer kept in the cache (the newest). */
const FACTS_CACHED_PER_USER = 30;

/** A Chroma call that takes longer than `ms` fails, naming what it was. */
function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return withDeadline(p, ms, () => new Error(`Chroma: ${what} took longer than ${ms} ms`));
}

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Chroma's local server answers a read with "Error creating hnsw segment reader: Nothing found on
 * disk" while it is still building a fresh collection's index on disk (a `count` can start that
 * build). It lasts some 10-30 ms: such reads are tried again, briefly.
 */
export const isTransientReadError = (err: unknown) => /hnsw segment reader|Nothing found on disk|backfill/i.test((err as Error)?.message ?? '');

async function retryRead<T>(read: () => Promise<T>, attempts = 5, delayMs = 15): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await read();
    } catch (err) {
      if (i >= attempts || !isTransientReadError(err)) throw err;
      await new Promise((r) => setTimeout(r, delayMs * i));
    }
  }
}

interface CachedFact {
  memory: StoredMemory;
  /** A typed array: thousands of cached vectors as plain arrays would be millions of heap numbers for the GC to walk. */
  embedding: Float32Array;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

export class MemoryStore {
  private collection: Collection | undefined;
  private opening: Promise<void> | undefined;
  /**
   * Facts of recently seen viewers, with their vectors, so a reply ranks them locally instead of
   * asking Chroma for a metadata-filtered search (slow at 100k). Kept exact: every write goes
   * through `apply`, which updates it. By viewer (`platform:login`): a Kick `alice` never sees
   * Twitch `alice`'s facts.
   */
  private readonly facts = new Map<ViewerKey, { at: number; items: CachedFact[] }>();
  private readonly factsLoading = new Map<ViewerKey, Promise<void>>();

  constructor(
    private readonly embedder: Embedder,
    private readonly log: Logger,
    /** Collection name prefix (tests and the benchmark use their own). */
    private readonly prefix = COLLECTION_PREFIX,
  ) {}

  get name(): string {
    return `${this.prefix}${this.embedder.space}`;
  }

  get ready(): boolean {
    return this.collection !== undefined;
  }

  get embedderLabel(): string {
    return this.embedder.label;
  }

  /** (Re)connects to Chroma at `url`: called each time it comes up (the embedded one may change port). */
  open(url: string, headers: Record<string, string> = {}): Promise<void> {
    this.opening ??= this.doOpen(url, headers).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Chroma went away: nothing is read or written until `open` again. */
  close(): void {
    this.collection = undefined;
    this.facts.clear();
  }

  private async doOpen(url: string, headers: Record<string, string>): Promise<void> {
    const u = new URL(url);
    const client = new ChromaClient({ host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), ssl: u.protocol === 'https:', headers });
    const collection = await withTimeout(
      client.getOrCreateCollection({
        name: this.name,
        configuration: { hnsw: { space: 'cosine' } },
        metadata: { space: this.embedder.space, dims: this.embedder.dims, embedder: this.embedder.label },
        embeddingFunction: null,
      }),
      CALL_TIMEOUT_MS,
      'open collection',
    );
    await this.migrate(client, collection);
    this.collection = collection;
    this.log.info({ event: 'memory.open', collection: this.name, url }, 'long-term memory collection open');
  }

  /** Memories stored under another embedder are re-embedded here, then their collection is dropped. */
  private async migrate(client: ChromaClient, into: Collection): Promise<void> {
    const others = (await client.listCollections({ limit: 100 })).filter((c) => c.name.startsWith(this.prefix) && c.name !== this.name);
    for (const old of others) {
      const total = await old.count();
      let moved = 0;
      for (let offset = 0; offset < total; offset += 256) {
        const page = await old.get({ limit: 256, offset, include: ['documents', 'metadatas'] });
        const docs = page.documents.map((d) => d ?? '');
        const embeddings = await this.embedAll(docs);
        await into.upsert({ ids: page.ids, embeddings, documents: docs, metadatas: page.metadatas.map((m) => m ?? {}) });
        moved += page.ids.length;
      }
      await client.deleteCollection({ name: old.name });
      this.log.info({ event: 'memory.migrate', from: old.name, to: this.name, moved }, 'memories re-embedded for the current embedder');
    }
  }

  private need(): Collection {
    if (!this.collection) throw new Error('long-term memory is not connected');
    return this.collection;
  }

  async embedAll(texts: string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += EMBED_SLICE) {
      out.push(...(await this.embedder.embed(texts.slice(i, i + EMBED_SLICE))));
      if (i + EMBED_SLICE < texts.length) await yieldToLoop();
    }
    return out;
  }

  /** Applies ops in order: consecutive upserts go to Chroma as one batch. Throws when Chroma fails. */
  async apply(ops: readonly MemoryOp[]): Promise<void> {
    let batch: MemoryRecord[] = [];
    const flushBatch = async () => {
      if (batch.length === 0) return;
      const records = batch;
      batch = [];
      const embeddings = await this.embedAll(records.map((r) => r.text));
      const metadatas = records.map(toMetadata);
      await withTimeout(
        this.need().upsert({ ids: records.map((r) => r.id), embeddings, documents: records.map((r) => r.text), metadatas }),
        CALL_TIMEOUT_MS,
        'upsert',
      );
      records.forEach((r, i) => {
        const cached = r.fact ? this.facts.get(viewerOfRecord(r)) : undefined;
        if (!cached) return;
        cached.items = [{ memory: fromRow(r.id, r.text, metadatas[i]), embedding: Float32Array.from(embeddings[i]!) }, ...cached.items.filter((f) => f.memory.id !== r.id)].slice(0, FACTS_CACHED_PER_USER);
      });
    };
    for (const op of ops) {
      if (op.op === 'upsert') {
        batch.push(...op.records);
        continue;
      }
      await flushBatch();
      for (const where of deleteFilters(op)) await withTimeout(this.need().delete(where), CALL_TIMEOUT_MS, 'delete');
      for (const login of op.about ?? []) await this.deleteNaming(login);
      // A bare login is that login on every platform.
      const logins = new Set(op.users ?? []);
      if (logins.size) for (const key of [...this.facts.keys()]) if (logins.has(splitViewer(key)[1])) this.facts.delete(key);
      for (const key of op.speakers ?? []) this.facts.delete(key);
      if (op.ids?.length || op.messageIds?.length) {
        const ids = new Set(op.ids ?? []);
        const msgs = new Set(op.messageIds ?? []);
        for (const entry of this.facts.values()) entry.items = entry.items.filter((f) => !ids.has(f.memory.id) && !(f.memory.messageId && msgs.has(f.memory.messageId)));
      }
    }
    await flushBatch();
  }

  /** Records naming a login but not tagged with it (older, or stored before the name was known): Chroma substring search, confirmed word by word. */
  private async deleteNaming(login: string): Promise<void> {
    const col = this.need();
    const plan = forgetPlan(login);
    if (plan.named.length === 0) return;
    const l = login.toLowerCase();
    const spellings = [...new Set([l, l[0]!.toUpperCase() + l.slice(1), l.toUpperCase()])];
    const ids = new Set<string>();
    for (const needle of spellings) {
      const r = await withTimeout(
        retryRead(() => col.get({ whereDocument: { $contains: needle }, include: ['documents', 'metadatas'] })),
        CALL_TIMEOUT_MS,
        'get',
      );
      r.ids.forEach((id, i) => {
        const m = fromRow(id, r.documents[i], r.metadatas[i]);
        if (concerns(m, plan)) ids.add(id);
      });
    }
    if (ids.size) await withTimeout(col.delete({ ids: [...ids] }), CALL_TIMEOUT_MS, 'delete');
    for (const entry of this.facts.values()) entry.items = entry.items.filter((f) => !ids.has(f.memory.id) && !concerns(f.memory, plan));
  }

  /** How many records a delete's filters remove (a viewer's chat lines, and records about them). */
  async countConcerning(op: Extract<MemoryOp, { op: 'delete' }>): Promise<number> {
    const col = this.need();
    const ids = new Set<string>();
    for (const { where } of deleteFilters(op)) {
      if (!where) continue;
      const r = await withTimeout(retryRead(() => col.get({ where, include: [] })), CALL_TIMEOUT_MS, 'get');
      r.ids.forEach((id) => ids.add(id));
    }
    return ids.size;
  }

  async count(): Promise<number> {
    return withTimeout(this.need().count(), CALL_TIMEOUT_MS, 'count');
  }

  /** How many chat memories a viewer has (before `!forgetme`). */
  async countUser(user: string): Promise<number> {
    const col = this.need();
    const r = await withTimeout(retryRead(() => col.get({ where: { $and: [{ user }, { source: 'chat' }] }, include: [] })), CALL_TIMEOUT_MS, 'get');
    return r.ids.length;
  }

  async get(id: string): Promise<StoredMemory | undefined> {
    const col = this.need();
    const r = await withTimeout(retryRead(() => col.get({ ids: [id], include: ['documents', 'metadatas'] })), CALL_TIMEOUT_MS, 'get');
    const i = r.ids.indexOf(id);
    return i < 0 ? undefined : fromRow(id, r.documents[i], r.metadatas[i]);
  }

  private async knn(embedding: number[], n: number, where?: Where): Promise<StoredMemory[]> {
    const col = this.need();
    const r = await retryRead(() =>
      col.query({
        queryEmbeddings: [embedding],
        nResults: n,
        ...(where ? { where } : {}),
        include: ['documents', 'metadatas', 'distances'],
      }),
    );
    const ids = r.ids[0] ?? [];
    return ids.map((id, i) => fromRow(id, r.documents[0]?.[i], r.metadatas[0]?.[i], r.distances[0]?.[i]));
  }

  /**
   * The seed's retrieval (top 3 with relevance ≥ 0.4, excluding what STM already holds), plus
   * the top facts of the viewers in the current input, whatever their similarity.
   */
  async recall(input: RecallInput): Promise<RecalledMemory[]> {
    if (!this.collection) return [];
    const [embedding] = await this.embedder.embed([input.query]);
    if (!embedding) return [];
    const excludedIds = new Set(input.exclude.ids);
    const excludedTexts = new Set(input.exclude.texts);
    const fresh = (m: StoredMemory) =>
      !excludedIds.has(m.id) && !(m.messageId && excludedIds.has(m.messageId)) && !excludedTexts.has(m.text.toLowerCase().replace(/\s+/g, ' ').trim());
    const mine = (m: StoredMemory) => m.source !== 'reply' || m.persona === input.persona;
    // Over-fetch by what STM holds: the current conversation is in Chroma too and would crowd out older memories.
    const spare = Math.min(input.exclude.ids.length, 20);
    const [general, facts] = await Promise.all([this.knn(embedding, RECALL_TOP_K + spare), this.factsOf(input.viewers, embedding)]);
    const out: RecalledMemory[] = [];
    const seen = new Set<string>();
    const take = (m: StoredMemory) => {
      if (seen.has(m.id)) return;
      seen.add(m.id);
      const { id, user, text, ts, source, messageId, relevance, about, hearsay } = m;
      out.push({ id, user, text, ts, source, ...(messageId ? { messageId } : {}), ...(relevance !== undefined ? { relevance } : {}), ...(about ? { about } : {}), ...(hearsay ? { hearsay } : {}) });
    };
    general.filter((m) => fresh(m) && mine(m) && (m.relevance ?? 0) >= MIN_RELEVANCE).slice(0, RECALL_TOP_K).forEach(take);
    const perViewer = new Map<ViewerKey, number>();
    for (const m of facts) {
      if (!fresh(m)) continue;
      const viewer = viewerOfRecord(m);
      const n = perViewer.get(viewer) ?? 0;
      if (n >= FACTS_PER_USER) continue;
      perViewer.set(viewer, n + 1);
      take(m);
    }
    return out;
  }

  /** Loads the facts of viewers not cached yet (one query for all of them). Called as soon as a viewer chats. */
  warmFacts(viewers: readonly ViewerKey[]): Promise<void> {
    const now = Date.now();
    const missing = [...new Set(viewers)].filter((u) => {
      const c = this.facts.get(u);
      return (!c || now - c.at > FACT_CACHE_TTL_MS) && !this.factsLoading.has(u);
    });
    const waiting = [...new Set(viewers)].map((u) => this.factsLoading.get(u)).filter((p): p is Promise<void> => p !== undefined);
    if (missing.length === 0 || !this.collection) return Promise.all(waiting).then(() => undefined);
    const col = this.collection;
    // Records stored before Pickle read more than one platform hold the bare login: asked for
    // too, and sorted to their viewer below (`viewerOfRecord`).
    const keys = [...new Set([...missing, ...missing.map((k) => splitViewer(k)[1])])];
    const load = (async () => {
      const r = await withTimeout(
        retryRead(() =>
          col.get({
            where: { factUser: { $in: keys } },
            limit: FACTS_CACHED_PER_USER * missing.length * 4,
            include: ['documents', 'metadatas', 'embeddings'],
          }),
        ),
        CALL_TIMEOUT_MS,
        'get facts',
      );
      const byUser = new Map<ViewerKey, CachedFact[]>(missing.map((u) => [u, []]));
      r.ids.forEach((id, i) => {
        const memory = fromRow(id, r.documents[i], r.metadatas[i]);
        const embedding = r.embeddings?.[i];
        if (embedding) byUser.get(viewerOfRecord(memory))?.push({ memory, embedding: Float32Array.from(embedding) });
      });
      if (this.collection !== col) return;
      for (const [u, items] of byUser) {
        this.facts.delete(u); // re-insert: Map order is the LRU order
        this.facts.set(u, { at: Date.now(), items: items.sort((a, b) => b.memory.ts - a.memory.ts).slice(0, FACTS_CACHED_PER_USER) });
      }
      while (this.facts.size > FACT_CACHE_USERS) this.facts.delete(this.facts.keys().next().value!);
    })().finally(() => {
      for (const u of missing) this.factsLoading.delete(u);
    });
    for (const u of missing) this.factsLoading.set(u, load);
    return Promise.all([load, ...waiting]).then(() => undefined);
  }

  /** The viewers' facts, ranked by similarity to the query (relevance = cosine, as Chroma's 1 − distance). */
  private async factsOf(viewers: readonly ViewerKey[], embedding: number[]): Promise<StoredMemory[]> {
    if (viewers.length === 0) return [];
    await this.warmFacts(viewers);
    const out: StoredMemory[] = [];
    for (const u of viewers) {
      const items = this.facts.get(u)?.items ?? [];
      out.push(
        ...items
          .map((f) => ({ ...f.memory, relevance: Math.round(dot(f.embedding, embedding) * 1000) / 1000 }))
          .sort((a, b) => b.relevance - a.relevance),
      );
    }
    return out;
  }

  /** For GET /api/memory: by similarity when `q` is given, else the newest (by or about a viewer, or of all). */
  async search(opts: { q?: string; user?: string; limit: number }): Promise<{ total: number; memories: StoredMemory[]; belowFloor?: number; floor?: number }> {
    const col = this.need();
    const total = await withTimeout(col.count(), CALL_TIMEOUT_MS, 'count');
    const where: Where | undefined = opts.user ? { $or: [{ user: opts.user }, { [aboutKey(opts.user)]: true }] } : undefined;
    if (opts.q) {
      const [embedding] = await this.embedder.embed([opts.q]);
      const hits = await withTimeout(this.knn(embedding!, opts.limit, where), CALL_TIMEOUT_MS, 'query');
      const good = hits.filter((m) => (m.relevance ?? 0) >= BROWSE_MIN_RELEVANCE);
      return { total, memories: good, belowFloor: hits.length - good.length, floor: BROWSE_MIN_RELEVANCE };
    }
    const r = await withTimeout(
      retryRead(() => col.get({ ...(where ? { where } : { limit: opts.limit, offset: Math.max(0, total - opts.limit) }), include: ['documents', 'metadatas'] })),
      CALL_TIMEOUT_MS,
      'get',
    );
    const all = r.ids.map((id, i) => fromRow(id, r.documents[i], r.metadatas[i]));
    return { total, memories: all.sort((a, b) => b.ts - a.ts).slice(0, opts.limit) };
  }
}
