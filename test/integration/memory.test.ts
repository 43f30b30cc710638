/**
 * Long-term memory end to end: Pickle in-process (startRig) with its embedded Chroma (the real
 * server, spawned by Pickle), the real tmi.js and ollama clients against the stand-ins.
 *
 * Embedder in these tests: the fallback (word hashing). The rigs run with HF_HUB_OFFLINE=true, so
 * the real MiniLM loader runs, finds no model in the data dir and falls back, loudly: the hub is
 * unreachable here, and a test must never download 23 MB anyway.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../src/app.ts';
import { shouldStore } from '../../machines/memory/rules.ts';
import { fakeMiniLmRepo, startHfHubStandin, type HfHubStandin } from '../standins/hfHub.ts';
import { startOllamaStandin, type OllamaStandin } from '../standins/ollama.ts';
import { alive, until } from '../memory/helpers.ts';
import { CHANNEL, startRig, type Rig, type RigOptions } from './harness.ts';

const MEMORY_ENV = { MEMORY_ENABLED: 'true', HF_HUB_OFFLINE: 'true' };
const rigs: Rig[] = [];
const dirs: string[] = [];
let hub: HfHubStandin | undefined;
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  await hub?.close();
  hub = undefined;
});

async function memoryRig(opts: RigOptions = {}): Promise<Rig> {
  const rig = await startRig({
    ...opts,
    env: { ...MEMORY_ENV, ...opts.env },
    tuning: { recallBudgetMs: 5000, ...opts.tuning, memory: { batchMs: 20, retryMs: 100, ...opts.tuning?.memory } },
  });
  rigs.push(rig);
  // Ready when the memory API answers (Chroma up, embedder chosen, collection open).
  await until(async () => (await fetch(`${rig.pickle.url}/api/memory`)).status === 200, 15_000, 'long-term memory ready');
  return rig;
}

const getJson = async (url: string) => (await fetch(url)).json() as Promise<any>;
const memoriesOf = async (rig: Rig, user: string) => (await getJson(`${rig.pickle.url}/api/memory?user=${user}&limit=200`)).memories as Array<{ id: string; text: string; user: string }>;
const promptOf = (body: Record<string, unknown>) => (body.messages as Array<{ content: string }>)[1]!.content;
const health = (rig: Rig) => getJson(`${rig.pickle.url}/health`);

describe('long-term memory across restarts (real Chroma)', () => {
  it("a viewer's fact from one session is in the prompt the LLM gets when that viewer speaks in the next", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pickle-ltm-'));
    dirs.push(dataDir);
    const fact = "my name is Sam and I'm a nurse";

    const first = await memoryRig({ dataDir });
    first.irc!.say(CHANNEL, { user: 'sam', displayName: 'Sam', text: fact });
    await until(async () => (await memoriesOf(first, 'sam')).some((m) => m.text === fact), 5000, 'the fact stored');
    expect(first.ollama.chatRequests()).toHaveLength(0); // not addressed: no reply, but remembered
    await first.stop();
    rigs.splice(rigs.indexOf(first), 1);

    const second = await memoryRig({ dataDir });
    // Another viewer first: Sam's fact is about Sam, it does not come up for Kim.
    second.irc!.say(CHANNEL, { user: 'kim', displayName: 'Kim', text: 'hey pickle, how is the stream going?' });
    await second.ollama.nextStream();
    expect(promptOf(second.ollama.chatRequests()[0]!)).not.toContain('nurse');
    await second.waitFor(() => second.overlayEvents.some((e) => e.event === 'speaking' && e.data.value === false), 5000, 'end of reply');
    await fetch(`${second.pickle.url}/api/settings/persona`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cooldownSec: 0 }) });
    await new Promise((r) => setTimeout(r, 100));

    second.irc!.say(CHANNEL, { user: 'sam', displayName: 'Sam', text: 'hey pickle, do you remember me?' });
    await until(() => second.ollama.chatRequests().length >= 2, 10_000, "the reply to Sam");
    const prompt = promptOf(second.ollama.chatRequests()[1]!);
    expect(prompt).toContain('Things you remember from earlier streams (data):');
    expect(prompt).toMatch(/- (just now|\d+ min ago), viewer "sam" wrote: "my name is Sam and I'm a nurse"/);
    // Memories are data in the user message, never in the system prompt.
    expect((second.ollama.chatRequests()[1]!.messages as Array<{ content: string }>)[0]!.content).not.toContain('nurse');
  });
});

describe('viewer and moderator control', () => {
  it('!forgetme deletes all of that viewer\'s memories and confirms on the panel', async () => {
    const rig = await memoryRig();
    const panel = io(`${rig.pickle.url}/panel`, { transports: ['websocket'] });
    const notices: string[] = [];
    panel.on('transcript', (t: { kind: string; text: string }) => t.kind === 'notice' && notices.push(t.text));
    await new Promise<void>((r) => panel.once('connect', () => r()));
    rig.irc!.say(CHANNEL, { user: 'sam', text: 'I love Elden Ring and I play it every day' });
    rig.irc!.say(CHANNEL, { user: 'sam', text: "I'm a nurse in Leeds" });
    rig.irc!.say(CHANNEL, { user: 'kim', text: 'I love knitting with my cat around' });
    await until(async () => (await memoriesOf(rig, 'sam')).length === 2 && (await memoriesOf(rig, 'kim')).length === 1, 5000, 'memories stored');
    rig.irc!.say(CHANNEL, { user: 'sam', text: '!forgetme' });
    await until(() => notices.length > 0, 5000, 'the panel notice');
    expect(notices[0]).toBe("!forgetme: sam's memories are deleted (2 memories)");
    expect(await memoriesOf(rig, 'sam')).toEqual([]);
    expect(await memoriesOf(rig, 'kim')).toHaveLength(1);
    panel.close();
  });

  it('CLEARMSG and bans remove from LTM; a timeout does not', async () => {
    const rig = await memoryRig();
    const deleted = rig.irc!.say(CHANNEL, { user: 'kim', text: 'this message will be deleted by a mod' });
    rig.irc!.say(CHANNEL, { user: 'kim', text: 'this message of kim stays in memory' });
    rig.irc!.say(CHANNEL, { user: 'troll', text: 'troll line number one is here' });
    rig.irc!.say(CHANNEL, { user: 'troll', text: 'troll line number two is here' });
    rig.irc!.say(CHANNEL, { user: 'tim', text: 'tim says something slightly rude here' });
    await until(async () => (await getJson(`${rig.pickle.url}/api/memory`)).total === 5, 5000, '5 memories');
    rig.irc!.clearMsg(CHANNEL, { targetMsgId: deleted, login: 'kim' });
    rig.irc!.clearChat(CHANNEL, { user: 'troll' }); // ban: no duration
    rig.irc!.clearChat(CHANNEL, { user: 'tim', banDuration: 600 }); // timeout
    await until(async () => (await getJson(`${rig.pickle.url}/api/memory`)).total === 2, 5000, 'removals applied');
    expect((await memoriesOf(rig, 'kim')).map((m) => m.text)).toEqual(['this message of kim stays in memory']);
    expect(await memoriesOf(rig, 'troll')).toEqual([]);
    expect(await memoriesOf(rig, 'tim')).toHaveLength(1);
  });

  it('GET /api/memory searches by meaning and by viewer; DELETE /api/memory/:id goes through the write guard', async () => {
    const rig = await memoryRig({ twitch: false });
    const say = (user: string, text: string) =>
      fetch(`${rig.pickle.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, text }) });
    await say('sam', 'Elden Ring is my favourite game ever');
    await say('kim', 'my cat knocked the plant off the shelf again');
    await until(async () => (await getJson(`${rig.pickle.url}/api/memory`)).total === 2, 5000, '2 memories');
    const found = await getJson(`${rig.pickle.url}/api/memory?q=${encodeURIComponent('which game? Elden Ring')}&limit=1`);
    expect(found.memories, JSON.stringify(found)).toHaveLength(1);
    expect(found.memories[0]).toMatchObject({ user: 'sam', text: 'Elden Ring is my favourite game ever', source: 'chat' });
    expect(found.memories[0].relevance).toBeGreaterThan(0.4);
    expect((await fetch(`${rig.pickle.url}/api/memory?user=${encodeURIComponent('<script>')}`)).status).toBe(400);

    const id = found.memories[0].id as string;
    const foreign = await fetch(`${rig.pickle.url}/api/memory/${id}`, { method: 'DELETE', headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect((await fetch(`${rig.pickle.url}/api/memory/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${rig.pickle.url}/api/memory/${id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await getJson(`${rig.pickle.url}/api/memory`)).total).toBe(1);
  });
});

describe('faults', () => {
  it('Chroma killed mid-stream: replies go on without LTM, writes are journaled, replayed after the restart, counts equal', async () => {
    const rig = await memoryRig({ tuning: { memory: { chromaRestartMs: 2500, batchMs: 20, retryMs: 100 } } });
    await fetch(`${rig.pickle.url}/api/settings/persona`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cooldownSec: 0 }) });
    const spoken: string[] = [];
    rig.pickle.orchestrator.on('reply.spoken', (e) => spoken.push(e.text));
    const sent: string[] = [];
    const say = (user: string, text: string) => {
      sent.push(text);
      rig.irc!.say(CHANNEL, { user, text });
    };

    say('sam', 'pickle, I love Elden Ring more than anything');
    await until(() => spoken.length === 1, 5000, 'first reply');
    const pid = (await health(rig)).memory.chroma.pid as number;
    process.kill(pid, 'SIGKILL');
    await until(async () => (await health(rig)).memory.chroma.up === false, 5000, 'Chroma seen down');

    // During the outage: replies continue (without LTM), memory writes go to the journal.
    say('kim', 'pickle, what do you think about Elden Ring bosses?');
    await until(() => spoken.length === 2, 5000, 'a reply during the outage');
    say('lee', 'this is a long message that deserves to be remembered');
    const journal = join(rig.dataDir, 'memory', 'journal.jsonl');
    await until(() => existsSync(journal) && readFileSync(journal, 'utf8').trim().split('\n').length >= 3, 5000, 'journaled writes');
    const duringOutage = rig.ollama.chatRequests().at(-1)!;
    expect(promptOf(duringOutage)).not.toContain('Things you remember');
    const h = await health(rig);
    expect(h.services.find((s: { service: string }) => s.service === 'memory')).toMatchObject({ state: 'degraded' });
    expect(h.memory.journaled).toBeGreaterThanOrEqual(3);

    // Back: the journal is replayed; everything stored once, nothing lost.
    await until(async () => (await fetch(`${rig.pickle.url}/api/memory`)).status === 200 && (await health(rig)).memory.journaled === 0, 20_000, 'restart and replay');
    const expected = sent.filter(shouldStore).length + spoken.filter(shouldStore).length;
    await until(async () => (await getJson(`${rig.pickle.url}/api/memory`)).total === expected, 5000, `${expected} memories`);
    expect(existsSync(journal)).toBe(false);
    expect((await health(rig)).memory.chroma.pid).not.toBe(pid);
  });

  it('embedder load failure (hub never answers): fallback, reported on /health and the console', async () => {
    hub = await startHfHubStandin({ hang: true });
    const rig = await memoryRig({ env: { HF_HUB_OFFLINE: 'false', HF_ENDPOINT: hub.url } });
    const h = await health(rig);
    const memory = h.services.find((s: { service: string }) => s.service === 'memory');
    expect(memory.state).toBe('degraded');
    expect(memory.detail).toMatch(/^embedder fallback: all-MiniLM-L6-v2 is not in .* cannot be reached \(no answer within 2000 ms\)/);
    expect(memory.fix).toContain('EMBEDDER=ollama');
    expect(h.memory.embedder).toMatchObject({ kind: 'fallback', fallback: true, error: 'offline' });
    expect(rig.console.some((l) => l.startsWith('! MEMORY: embedder fallback.'))).toBe(true);
  });

  it('first start downloads the model with a progress bar on the console; a model that does not load → fallback, and it is not kept', { timeout: 90_000 }, async () => {
    // The hub sends half the model and stalls until the test lets it go on: the bar's pace is the test's.
    hub = await startHfHubStandin({ repos: fakeMiniLmRepo(3_000_000), holdAfter: 1_500_000 });
    const rig = await startRig({ env: { ...MEMORY_ENV, HF_HUB_OFFLINE: 'false', HF_ENDPOINT: hub.url }, tuning: { recallBudgetMs: 5000, memory: { batchMs: 20, retryMs: 100 } } });
    rigs.push(rig);
    const prefix = '  memory: downloading all-MiniLM-L6-v2 onnx/model_quantized.onnx [';
    const bars = () => rig.console.filter((l) => l.startsWith(prefix));
    // Generous: on a loaded machine Chroma and the model's first request take a while to start.
    await until(() => bars().some((l) => l.includes(' 50%')), 45_000, 'the bar at half while the hub holds the rest');
    expect(bars().every((l) => !l.includes('100%'))).toBe(true);
    hub.release();
    await until(() => bars().some((l) => l.includes('100%')), 15_000, 'the bar at 100%');
    await until(async () => (await fetch(`${rig.pickle.url}/api/memory`)).status === 200, 15_000, 'long-term memory ready');
    // Shape: 20 cells, one filled per 5 %, the percentage and the megabytes; it only moves forward and ends full.
    const shown = bars().map((l) => {
      const m = /\[(█*)(░*)\] +(\d+)% {2}(\d+\.\d)\/2\.9 MB$/.exec(l.slice(prefix.length - 1));
      expect(m, l).not.toBeNull();
      expect(m![1]!.length + m![2]!.length).toBe(20);
      expect(m![1]!.length).toBe(Math.round(Number(m![3]) / 5));
      return Number(m![3]);
    });
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
    expect(shown.length).toBeGreaterThanOrEqual(2);
    expect(bars().at(-1)).toMatch(/\[█{20}\] 100% {2}2\.9\/2\.9 MB$/);
    const memory = (await health(rig)).services.find((s: { service: string }) => s.service === 'memory');
    expect(memory.detail).toMatch(/^embedder fallback: all-MiniLM-L6-v2 could not be downloaded from .* \(.*Protobuf parsing failed/);
    expect(existsSync(join(rig.dataDir, 'models', 'Xenova', 'all-MiniLM-L6-v2'))).toBe(false);
  });

  it('MEMORY_ENABLED=false: no Chroma, the API says how to turn it on, /health says disabled', async () => {
    const rig = await startRig({ twitch: false });
    rigs.push(rig);
    const h = await health(rig);
    expect(h.services.find((s: { service: string }) => s.service === 'memory')).toMatchObject({ state: 'disabled' });
    expect(h.memory).toEqual({ enabled: false });
    const res = await fetch(`${rig.pickle.url}/api/memory`);
    expect(res.status).toBe(503);
    expect((await res.json()).fix).toContain('MEMORY_ENABLED=true');
  });
});

describe('no orphaned Chroma when `npm start` stops', () => {
  let ollama: OllamaStandin | undefined;
  afterEach(async () => {
    await ollama?.close();
    ollama = undefined;
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s: Pickle stops its Chroma and exits', async (signal) => {
    ollama = await startOllamaStandin();
    const dataDir = mkdtempSync(join(tmpdir(), 'pickle-main-'));
    dirs.push(dataDir);
    const tsx = pathToFileURL(join(ROOT_DIR, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const child = spawn(process.execPath, ['--import', tsx, join(ROOT_DIR, 'src', 'main.ts')], {
      cwd: dataDir,
      env: { PATH: process.env.PATH, PORT: '0', PICKLE_DATA_DIR: dataDir, OLLAMA_HOST: ollama.url, HF_HUB_OFFLINE: 'true', STT_ENABLED: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await until(() => /health\s+(http:\/\/\S+)\/health/.test(out), 20_000, 'Pickle up');
    const url = /health\s+(http:\/\/\S+)\/health/.exec(out)![1]!;
    let pid = 0;
    await until(async () => {
      pid = (await getJson(`${url}/health`)).memory?.chroma?.pid ?? 0;
      return pid > 0;
    }, 15_000, 'Chroma up');
    expect(alive(pid)).toBe(true);
    child.kill(signal);
    expect(await exited).toBe(0);
    await until(() => !alive(pid), 5000, 'Chroma gone');
    // A cold `npm start` in a child process (tsx compiling, Chroma starting) on a loaded machine: its
    // own waits add up to 40 s, more than the default test timeout.
  }, 60_000);
});
