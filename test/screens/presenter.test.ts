/**
 * The presenter against a real socket.io server and the real orchestrator (scripted LLM): what
 * a panel opened late is replayed is exactly what an open panel was sent, with socket.io's own
 * emit left alone; the avatar machine's caption clear reaches the overlay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { createActor } from 'xstate';
import { providePickle, type PickleActor } from '../../machines/orchestrator.ts';
import { fileURLToPath } from 'node:url';
import { loadPersona } from '../../src/config/persona.ts';
import { silentLogger } from '../../src/log.ts';
import { Counters } from '../../src/metrics.ts';
import { createPanelHistory } from '../../src/screens/history.ts';
import type { CaptionPayload, PanelHistoryPayload } from '../../src/screens/payloads.ts';
import { createPresenter, type Presenter } from '../../src/screens/presenter.ts';
import { fakeLlm } from '../machines/fakeLlm.ts';
import { msg, persona } from '../machines/fixtures.ts';
import { startHarness, type Harness } from '../server/harness.ts';

const PERSONAS_DIR = fileURLToPath(new URL('../../personas/', import.meta.url));
let h: Harness | undefined;
let presenter: Presenter | undefined;
let orchestrator: PickleActor | undefined;
const clients: Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  presenter?.stop();
  orchestrator?.stop();
  await h?.close();
  h = undefined;
});

async function until<T>(check: () => T | undefined | false, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function connect(ns: '/panel' | '/avatar') {
  const socket = ioClient(`${h!.server.url}${ns}`, { transports: ['websocket'], reconnection: false, forceNew: true });
  clients.push(socket);
  const got: Array<{ event: string; data: unknown }> = [];
  socket.onAny((event: string, data: unknown) => got.push({ event, data }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return got;
}

/** The namespace's emit as it stands (read, never called). */
const emitOf = (ns: object): unknown => Reflect.get(ns, 'emit');

async function start() {
  h = await startHarness();
  const llm = fakeLlm();
  orchestrator = createActor(providePickle({ generateReply: llm.logic }), {
    input: {
      chat: { persona, botLogin: 'pickle_bot', ignoreBots: [] },
      brain: { persona, blocklist: [], random: () => 0.99 },
      voice: { msPerChar: 1, minSentenceMs: 20 },
      avatar: { captionHoldMs: 300 },
    },
  });
  const nativeEmit = emitOf(h.server.panel);
  const look = loadPersona(PERSONAS_DIR, 'default');
  presenter = createPresenter({
    orchestrator,
    avatar: h.server.avatar,
    panel: h.server.panel,
    counters: new Counters(),
    log: silentLogger(),
    settings: h.settings,
    persona: () => look,
    personasDir: PERSONAS_DIR,
  });
  orchestrator.start();
  return { llm, orchestrator, presenter, nativeEmit };
}

/** One mention answered, the streamer heard, a scene seen, a viewer forgotten. */
async function aStretchOfStream(p: Awaited<ReturnType<typeof start>>) {
  p.orchestrator.send({ type: 'chat.message', message: msg('hey @Pickle how are you?', { displayName: 'Sam', ts: Date.now() }) });
  await until(() => p.llm.calls.length > 0, 'the reply asked for');
  p.llm.reply(['Doing great, Sam!'], 'happy');
  await until(() => p.presenter.history.entries().some((e) => e.event === 'transcript' && e.data.kind === 'reply'), 'the reply spoken');
  p.orchestrator.send({ type: 'speech.final', text: 'just thinking out loud', ts: Date.now() });
  p.orchestrator.send({ type: 'vision.scene', text: 'a cat on the desk', ts: Date.now() });
  p.presenter.viewerForgotten({ viewer: 'bob', deleted: 3, queued: false });
}

describe('presenter: the panel history is what the presenter sent', () => {
  it('a panel opened later is replayed exactly what an open panel received, and socket.io emit is not patched', async () => {
    const p = await start();
    expect(emitOf(h!.server.panel)).toBe(p.nativeEmit);
    expect(Object.hasOwn(h!.server.panel, 'emit')).toBe(false);

    const live = await connect('/panel');
    await aStretchOfStream(p);
    const kept = (g: { event: string }) => g.event === 'transcript' || g.event === 'decision';
    await until(() => live.some((g) => g.event === 'transcript' && (g.data as { kind: string }).kind === 'notice'), 'the notice on the open panel');

    const late = await connect('/panel');
    const history = (await until(() => late.find((g) => g.event === 'history'), 'history')).data as PanelHistoryPayload;
    expect(history.entries).toEqual(live.filter(kept));
    expect(history.entries.map((e) => (e.event === 'transcript' ? e.data.kind : e.event))).toEqual(
      expect.arrayContaining(['chat', 'decision', 'reply', 'speech', 'vision', 'notice']),
    );
    expect(history.entries.find((e) => e.event === 'transcript' && e.data.kind === 'notice')?.data).toMatchObject({ text: "!forgetme: bob's memories are deleted (3 memories)" });
    expect(history.latest.brain).toEqual(live.filter((g) => g.event === 'brain').at(-1)?.data);
    expect(emitOf(h!.server.panel)).toBe(p.nativeEmit);
  });

  it('with no panel open nothing is sent, and the first panel still gets it all', async () => {
    const p = await start();
    await aStretchOfStream(p);
    const panel = await connect('/panel');
    const history = (await until(() => panel.find((g) => g.event === 'history'), 'history')).data as PanelHistoryPayload;
    const chat = history.entries.find((e) => e.event === 'transcript' && e.data.kind === 'chat');
    expect(chat?.data).toMatchObject({ user: 'Sam', text: 'hey @Pickle how are you?', repeats: 1 });
    expect(history.entries.some((e) => e.event === 'decision' && e.data.reason === 'mention')).toBe(true);
    expect(history.entries.some((e) => e.event === 'transcript' && e.data.kind === 'vision' && e.data.text === 'a cat on the desk')).toBe(true);
    expect(history.entries.find((e) => e.event === 'transcript' && e.data.kind === 'speech')?.data).toMatchObject({ user: 'streamer', text: 'just thinking out loud' });
    expect(panel.filter((g) => g.event === 'transcript')).toEqual([]);
  });

  it('the overlay is sent the avatar machine caption clear after its hold: no timer needed on the page', async () => {
    const p = await start();
    const overlay = await connect('/avatar');
    await aStretchOfStream(p);
    const captions = () => overlay.filter((g) => g.event === 'caption').map((g) => g.data as CaptionPayload);
    await until(() => captions().some((c) => c.text === ''), 'the caption clear');
    expect(captions()).toEqual([
      { text: 'Doing great, Sam!', emotion: 'happy' },
      { text: '', emotion: 'neutral' },
    ]);
    // The clear comes after the voice stopped, never while Pickle speaks.
    const order = overlay.filter((g) => g.event === 'speaking' || g.event === 'caption').map((g) => `${g.event}:${JSON.stringify(g.data)}`);
    expect(order.indexOf('speaking:{"value":false}')).toBeLessThan(order.indexOf('caption:{"text":"","emotion":"neutral"}'));
  });
});

describe('panel history: rings', () => {
  it('a chat flood does not push decisions and replies out; brain and digest keep the latest only', () => {
    const history = createPanelHistory({ size: 3 });
    history.record({ event: 'decision', data: { input: 'chat', respond: true, reason: 'mention', summary: 's', ts: 1 } });
    history.record({ event: 'transcript', data: { kind: 'reply', text: 'hi', emotion: 'happy', ts: 2 } });
    for (let i = 0; i < 10; i++) history.record({ event: 'transcript', data: { kind: 'chat', user: 'u', platform: 'twitch', text: `line ${i}`, ts: 3 + i, repeats: 1 } });
    history.record({ event: 'brain', data: { state: 'thinking', muted: false } });
    history.record({ event: 'brain', data: { state: 'idle', muted: true } });
    const { entries, latest } = history.payload();
    expect(entries.map((e) => (e.event === 'decision' ? 'decision' : e.data.text))).toEqual(['decision', 'hi', 'line 7', 'line 8', 'line 9']);
    expect(latest).toEqual({ brain: { state: 'idle', muted: true } });
  });
});
