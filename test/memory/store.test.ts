/**
 * The store and the writer against the real Chroma server (spawned by src/memory/chroma.ts).
 * Embedder in these tests: the deterministic fallback (word hashing), because the model hub is
 * unreachable here; relevance figures below are that embedder's.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChromaClient } from 'chromadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecallInput } from '../../machines/brain/recall.ts';
import type { ViewerKey } from '../../machines/events.ts';
import { silentLogger } from '../../src/log.ts';
import { startEmbeddedChroma, type ChromaLink } from '../../src/memory/chroma.ts';
import { createFallbackEmbedder, hashEmbed, type Embedder } from '../../src/memory/embedder.ts';
import { Journal } from '../../src/memory/journal.ts';
import type { MemoryRecord } from '../../machines/memory/rules.ts';
import { MIN_RELEVANCE, MemoryStore } from '../../src/memory/store.ts';
import { MemoryWriter } from '../../src/memory/writer.ts';
import { until } from './helpers.ts';

let dir: string;
let link: ChromaLink;
const upOnce = () => (link.up ? Promise.resolve() : new Promise<void>((r) => link.once('up', () => r())));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pickle-store-'));
  link = await startEmbeddedChroma({ path: join(dir, 'chromadb'), log: silentLogger(), restartMs: 300 });
  await upOnce();
});
afterAll(async () => {
  await link.stop();
  rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
function rec(text: string, over: Partial<MemoryRecord> = {}): MemoryRecord {
  seq += 1;
  return { id: `t-${seq}`, text, user: 'sam', displayName: 'Sam', source: 'chat', ts: 1_000 + seq, persona: 'default', messageId: `msg-${seq}`, fact: false, ...over };
}
const ask = (query: string, over: Partial<RecallInput> = {}): RecallInput => ({ query, viewers: [], persona: 'default', exclude: { ids: [], texts: [] }, now: 0, ...over });
const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** A fresh collection per test: a store over an embedder with its own vector-space name. */
async function freshStore(name: string, embedder: Embedder = createFallbackEmbedder()) {
  const store = new MemoryStore(embedder, silentLogger(), `${name}_`);
  await store.open(link.url, link.headers);
  return store;
}

describe('retrieval (seed): top 3, relevance = 1 − cosine distance ≥ 0.4', () => {
  it('a relevant memory is recalled with its relevance; an irrelevant one is not', async () => {
    const store = await freshStore('t_threshold');
    const relevant = rec('Elden Ring is my favourite game ever');
    const irrelevant = rec('my cat knocked the plant off the shelf again');
    await store.apply([{ op: 'upsert', records: [relevant, irrelevant] }]);
    const query = 'which game do I love? Elden Ring?';
    const got = await store.recall(ask(query));
    expect(got.map((m) => m.id)).toEqual([relevant.id]);
    // What Chroma measured is what the embedder says: relevance = cosine similarity (≈ 0.52 here).
    const expected = cos(hashEmbed(query), hashEmbed(relevant.text));
    expect(got[0]!.relevance).toBeCloseTo(expected, 2);
    expect(got[0]!.relevance!).toBeGreaterThanOrEqual(MIN_RELEVANCE);
    expect(cos(hashEmbed(query), hashEmbed(irrelevant.text))).toBeLessThan(MIN_RELEVANCE);
  });

  it('at most 3, the most relevant first', async () => {
    const store = await freshStore('t_top3');
    const texts = ['pizza night', 'pizza with pineapple', 'pizza for breakfast', 'pizza is life', 'cold pizza'];
    await store.apply([{ op: 'upsert', records: texts.map((t) => rec(t)) }]);
    const got = await store.recall(ask('pizza'));
    expect(got).toHaveLength(3);
    const r = got.map((m) => m.relevance!);
    expect([...r].sort((a, b) => b - a)).toEqual(r);
  });

  it("the viewers in the current input: their top facts come too, whatever the query (≤ 2 each, facts only)", async () => {
    const store = await freshStore('t_facts');
    const nurse = rec("I'm a nurse", { fact: true });
    const ring = rec('I love Elden Ring', { fact: true });
    const third = rec('I live in Leeds', { fact: true });
    const chatter = rec('that was so funny lol omg', { fact: false });
    const kim = rec('I love knitting', { user: 'kim', displayName: 'Kim', fact: true });
    await store.apply([{ op: 'upsert', records: [nurse, ring, third, chatter, kim] }]);
    const got = await store.recall(ask('hey pickle how are you', { viewers: ['twitch:sam'] }));
    const ids = got.map((m) => m.id);
    expect(ids).toHaveLength(2);
    expect(ids.every((id) => [nurse.id, ring.id, third.id].includes(id))).toBe(true);
    expect(await store.recall(ask('hey pickle how are you', { viewers: ['twitch:nobody'] }))).toEqual([]);
    const both = await store.recall(ask('hey pickle', { viewers: ['twitch:sam', 'twitch:kim'] }));
    expect(both.map((m) => m.user).sort()).toEqual(['kim', 'sam', 'sam']);
  });

  it("the viewers' facts stay exact in RAM: a new fact shows at once, a deleted one is gone at once", async () => {
    const store = await freshStore('t_factcache');
    const first = rec('I love chess', { fact: true });
    await store.apply([{ op: 'upsert', records: [first] }]);
    const ids = async () => (await store.recall(ask('good morning', { viewers: ['twitch:sam'] }))).map((m) => m.id).sort();
    expect(await ids()).toEqual([first.id]); // loads the cache
    const second = rec("I'm a pilot", { fact: true });
    await store.apply([{ op: 'upsert', records: [second] }]);
    expect(await ids()).toEqual([first.id, second.id].sort());
    await store.apply([{ op: 'delete', messageIds: [first.messageId!] }]);
    expect(await ids()).toEqual([second.id]);
    await store.apply([{ op: 'delete', users: ['sam'] }]);
    expect(await ids()).toEqual([]);
  });

  it("facts are a viewer's on one platform: Twitch alice's are not recalled for Kick alice, nor the other way round", async () => {
    const store = await freshStore('t_factplatform');
    const onTwitch = rec('I love chess', { user: 'alice', speaker: 'twitch:alice', fact: true });
    const onKick = rec("I'm a pilot", { user: 'alice', speaker: 'kick:alice', fact: true });
    await store.apply([{ op: 'upsert', records: [onTwitch, onKick] }]);
    const ids = async (viewer: ViewerKey) => (await store.recall(ask('good morning', { viewers: [viewer] }))).map((m) => m.id);
    // Twice each: first from Chroma (cold), then from the facts cache.
    for (let round = 0; round < 2; round++) {
      expect(await ids('twitch:alice')).toEqual([onTwitch.id]);
      expect(await ids('kick:alice')).toEqual([onKick.id]);
      expect(await ids('youtube:alice')).toEqual([]);
    }
    // A new fact on one platform joins that viewer's cached facts only.
    const later = rec('I work nights', { user: 'alice', speaker: 'kick:alice', fact: true });
    await store.apply([{ op: 'upsert', records: [later] }]);
    expect((await ids('kick:alice')).sort()).toEqual([onKick.id, later.id].sort());
    expect(await ids('twitch:alice')).toEqual([onTwitch.id]);
    // A Kick ban of alice takes Kick alice's facts, not Twitch alice's.
    await store.apply([{ op: 'delete', speakers: ['kick:alice'] }]);
    expect(await ids('kick:alice')).toEqual([]);
    expect(await ids('twitch:alice')).toEqual([onTwitch.id]);
  });

  it('a fact stored before Pickle read other platforms (bare login, no speaker) is Twitch\'s', async () => {
    const store = await freshStore('t_factlegacy');
    const client = new ChromaClient({ host: '127.0.0.1', port: Number(new URL(link.url).port), headers: link.headers });
    const col = await client.getCollection({ name: store.name });
    const text = 'I love knitting';
    // The metadata as older versions wrote it: `factUser` is the bare login, no speaker.
    await col.upsert({ ids: ['legacy-1'], embeddings: [hashEmbed(text)], documents: [text], metadatas: [{ user: 'alice', displayName: 'alice', source: 'chat', ts: 1, persona: 'default', fact: true, factUser: 'alice', messageId: 'old-msg' }] });
    const ids = async (viewer: ViewerKey) => (await store.recall(ask('good morning', { viewers: [viewer] }))).map((m) => m.id);
    expect(await ids('twitch:alice')).toEqual(['legacy-1']);
    expect(await ids('kick:alice')).toEqual([]);
    // And a new fact of Twitch alice sits beside it.
    const fresh = rec('I play the drums', { user: 'alice', speaker: 'twitch:alice', fact: true });
    await store.apply([{ op: 'upsert', records: [fresh] }]);
    expect((await ids('twitch:alice')).sort()).toEqual(['legacy-1', fresh.id].sort());
  });

  it('what STM already shows is skipped, and older memories fill in', async () => {
    const store = await freshStore('t_stm');
    const now = rec('Elden Ring boss fight right now');
    const old = rec('Elden Ring boss was hard last week');
    await store.apply([{ op: 'upsert', records: [now, old] }]);
    const got = await store.recall(ask('Elden Ring boss', { exclude: { ids: [now.messageId!], texts: [] } }));
    expect(got.map((m) => m.id)).toEqual([old.id]);
  });

  it("another persona's own replies are not recalled; viewers' lines are shared across personas", async () => {
    const store = await freshStore('t_persona');
    const mine = rec('Elden Ring talk with Pickle', { source: 'reply', user: 'default', persona: 'default' });
    const theirs = rec('Elden Ring talk with Gherkin', { source: 'reply', user: 'gherkin', persona: 'gherkin' });
    const viewer = rec('Elden Ring talk from a viewer', { persona: 'gherkin' });
    await store.apply([{ op: 'upsert', records: [mine, theirs, viewer] }]);
    const got = await store.recall(ask('Elden Ring talk', { persona: 'default' }));
    expect(got.map((m) => m.id).sort()).toEqual([mine.id, viewer.id].sort());
  });
});

describe('deletes', () => {
  it('by message id (CLEARMSG), by viewer (ban, !forgetme: chat lines only), by id (API)', async () => {
    const store = await freshStore('t_delete');
    const a = rec('first line from sam here');
    const b = rec('second line from sam here');
    const c = rec('a line from kim here', { user: 'kim' });
    const d = rec('streamer said something here', { user: 'streamer', source: 'speech', messageId: undefined });
    const e = rec('another line from kim here', { user: 'kim' });
    await store.apply([{ op: 'upsert', records: [a, b, c, d, e] }]);
    expect(await store.count()).toBe(5);
    await store.apply([{ op: 'delete', messageIds: [c.messageId!] }]);
    expect(await store.get(c.id)).toBeUndefined();
    expect(await store.countUser('sam')).toBe(2);
    await store.apply([{ op: 'delete', users: ['sam', 'streamer'] }]);
    expect(await store.countUser('sam')).toBe(0);
    expect(await store.get(d.id)).toBeDefined(); // a viewer called "streamer" cannot delete the streamer's speech
    await store.apply([{ op: 'delete', ids: [e.id] }]);
    expect(await store.count()).toBe(1);
  });

  it('an add and a later delete in one ordered batch leave nothing behind', async () => {
    const store = await freshStore('t_order');
    const x = rec('I love pickles so much');
    await store.apply([{ op: 'upsert', records: [x] }, { op: 'delete', users: ['sam'] }]);
    expect(await store.count()).toBe(0);
  });
});

describe('switching embedders keeps memories', () => {
  it('memories of another embedder are re-embedded into the active collection, the old one is dropped', async () => {
    const client = new ChromaClient({ host: '127.0.0.1', port: Number(new URL(link.url).port), headers: link.headers });
    const old = new MemoryStore(createFallbackEmbedder(), silentLogger()); // pickle_memories_hash384
    await old.open(link.url, link.headers);
    await old.apply([{ op: 'upsert', records: [rec('I love Elden Ring', { fact: true }), rec('my name is Sam')] }]);
    const other: Embedder = { ...createFallbackEmbedder(), space: 'minilm', kind: 'ollama', label: 'stand-in MiniLM space' };
    const now = new MemoryStore(other, silentLogger());
    await now.open(link.url, link.headers);
    expect(await now.count()).toBeGreaterThanOrEqual(2);
    const names = (await client.listCollections()).map((c) => c.name);
    expect(names).toContain('pickle_memories_minilm');
    expect(names).not.toContain('pickle_memories_hash384');
    expect((await now.search({ user: 'sam', limit: 10 })).memories.map((m) => m.text)).toContain('I love Elden Ring');
    await client.deleteCollection({ name: 'pickle_memories_minilm' });
  });
});

describe('writer: queue, journal while Chroma is away, replay (real Chroma killed)', () => {
  it('writes during an outage are journaled and replayed in order: counts equal, deletes hold', async () => {
    const store = await freshStore('t_journal');
    const journal = new Journal(join(dir, 'journal-test'));
    const writer = new MemoryWriter({ get ready() { return store.ready && link.up; }, apply: (ops) => store.apply(ops) }, journal, {
      log: silentLogger(),
      batchMs: 10,
      retryMs: 100,
      onFailure: () => link.suspect(),
    });
    const onUp = () => void store.open(link.url, link.headers).then(() => writer.resume());
    link.on('up', onUp);
    link.on('down', () => store.close());

    const before = Array.from({ length: 10 }, (_, i) => rec(`message number ${i} before the crash`));
    for (const r of before) writer.push({ op: 'upsert', records: [r] });
    await writer.flush();
    expect(await store.count()).toBe(10);

    process.kill(link.pid!, 'SIGKILL');
    await until(() => !link.up, 5000, 'Chroma down');
    const during = Array.from({ length: 25 }, (_, i) => rec(`message number ${i} during the outage`, { user: i === 0 ? 'troll' : 'sam' }));
    for (const r of during) writer.push({ op: 'upsert', records: [r] });
    writer.push({ op: 'delete', users: ['troll'] }); // a ban during the outage
    expect(writer.journaling).toBe(true);
    expect(existsSync(journal.file)).toBe(true);
    expect(readFileSync(journal.file, 'utf8').trim().split('\n')).toHaveLength(26);

    await until(() => link.up && store.ready && !writer.journaling, 15_000, 'restart and replay');
    await writer.flush();
    expect(await store.count()).toBe(10 + 25 - 1);
    expect(await store.countUser('troll')).toBe(0);
    expect(existsSync(journal.file)).toBe(false);
    expect(writer.replayed).toBe(26);
    link.off('up', onUp);
  });
});
