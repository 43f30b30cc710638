import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { ROOT_DIR, startPickle, type PickleApp } from '../../src/app.ts';
import { parseEnv } from '../../src/config/env.ts';
import { silentLogger } from '../../src/log.ts';
import { startRig, type Rig } from '../integration/harness.ts';
import { startOllamaStandin, type OllamaStandin } from '../standins/ollama.ts';

let rig: Rig | undefined;
let app: PickleApp | undefined;
let ollama: OllamaStandin | undefined;
const dirs: string[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await rig?.stop();
  rig = undefined;
  await app?.stop();
  app = undefined;
  await ollama?.close();
  ollama = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function client(url: string, ns: string) {
  const socket = io(`${url}${ns}`, { transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  const got: Array<{ event: string; data: any }> = [];
  socket.onAny((event, data) => got.push({ event, data }));
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, got, connected, last: (event: string) => got.filter((g) => g.event === event).at(-1)?.data };
}

describe('screens, server side: what the pages get on (re)connection', () => {
  it('a panel opened mid-stream gets the recent transcript with decisions, the brain state and full charts', async () => {
    rig = await startRig({ twitch: false, tuning: { analyticsMs: 100 } });
    const url = rig.pickle.url;
    await fetch(`${url}/api/chat`, json('POST', { user: 'sam', text: 'pickle how are you?' }));
    await rig.waitFor(() => rig!.overlayEvents.some((e) => e.event === 'speaking' && e.data.value === false), 5000, 'reply spoken');
    await new Promise((r) => setTimeout(r, 250));

    const panel = client(url, '/panel');
    await panel.connected;
    await rig.waitFor(() => panel.last('history') && panel.last('analytics-history') && panel.last('analytics'), 3000, 'history + charts');
    const history = panel.last('history') as { entries: Array<{ event: string; data: any }>; latest: Record<string, any> };
    const kinds = history.entries.map((e) => (e.event === 'decision' ? `decision:${e.data.reason}` : `${e.event}:${e.data.kind}`));
    expect(kinds).toEqual(expect.arrayContaining(['transcript:chat', 'decision:mention', 'transcript:reply']));
    expect(history.entries.find((e) => e.data.kind === 'chat')!.data).toMatchObject({ user: 'sam', text: 'pickle how are you?' });
    expect(history.latest['brain']).toMatchObject({ muted: false });

    const charts = panel.last('analytics-history') as { points: Array<Record<string, unknown>> };
    expect(charts.points.length).toBeGreaterThan(1);
    const point = panel.last('analytics') as Record<string, any>;
    expect(point['repliesPerMin']).toBe(1);
    expect(point['latencyP50']).toEqual(expect.any(Number));
    expect(point['tokensPerSec']).toBeGreaterThan(0);
    expect(point['droppedTotal']).toBe(0);
    expect(point['memorySize']).toBeNull();
    expect(point['actors']).toMatchObject({ chat: expect.any(String), brain: expect.any(String), voice: expect.any(String), avatar: expect.any(String) });
    // /health carries the same counters (message → first audio, tokens/s).
    const health = await (await fetch(`${url}/health`)).json();
    expect(health.counters.llm.tokensPerSec).toBeGreaterThan(0);
    expect(health.counters.replyLatencyMs.samples).toBe(1);
  });

  it('an overlay that (re)connects mid-reply is told at once: speaking, emotion, caption and look', async () => {
    rig = await startRig({
      twitch: false,
      ollama: { responder: () => ({ emotion: 'excited', text: 'This is a fairly long sentence to keep me talking. And another one after it.' }) },
      tuning: { voiceMsPerChar: 20, minSentenceMs: 400 },
    });
    const url = rig.pickle.url;
    const idle = client(url, '/avatar');
    await idle.connected;
    await rig.waitFor(() => idle.last('state'), 2000, 'state');
    expect(idle.last('state')).toEqual({
      speaking: false,
      emotion: 'neutral',
      caption: '',
      look: { persona: 'default', name: 'Pickle', images: null, model: null },
      expression: { weights: { happy: 0, angry: 0, sad: 0, relaxed: 0, surprised: 0, neutral: 0.75 }, easeMs: 0 },
    });

    await fetch(`${url}/api/chat`, json('POST', { user: 'sam', text: 'pickle tell me something' }));
    await rig.waitFor(() => rig!.captions().length > 0, 5000, 'first caption');
    const late = client(url, '/avatar');
    await late.connected;
    await rig.waitFor(() => late.last('state'), 2000, 'state');
    expect(late.last('state')).toMatchObject({ speaking: true, emotion: 'excited', caption: 'This is a fairly long sentence to keep me talking.' });
  });

  it('lists personas with their own values; serves a persona\'s pictures and nothing else from its folder', async () => {
    const personasDir = mkdtempSync(join(tmpdir(), 'pickle-personas-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'pickle-data-'));
    dirs.push(personasDir, dataDir);
    copyFileSync(join(ROOT_DIR, 'personas', 'default.yaml'), join(personasDir, 'default.yaml'));
    writeFileSync(
      join(personasDir, 'artsy.yaml'),
      'name: "Artsy"\npersonality: "Paints with words."\navatar:\n  images: artsy-art\nbehavior:\n  cooldown: 9\n  spontaneous_rate: 0.5\n',
    );
    writeFileSync(join(personasDir, 'broken.yaml'), 'name: [');
    mkdirSync(join(personasDir, 'artsy-art'));
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    writeFileSync(join(personasDir, 'artsy-art', 'neutral.png'), png);
    writeFileSync(join(personasDir, 'artsy-art', 'happy-talk.png'), png);
    writeFileSync(join(personasDir, 'artsy-art', 'notes.txt'), 'private');
    writeFileSync(join(personasDir, 'artsy-art', 'furious.png'), png); // not an emotion

    ollama = await startOllamaStandin({ tokenDelayMs: 1, firstTokenDelayMs: 1 });
    app = await startPickle({
      env: parseEnv({ PORT: '0', PICKLE_DATA_DIR: dataDir, OLLAMA_HOST: ollama.url, MEMORY_ENABLED: 'false' }),
      log: silentLogger(),
      personasDir,
      tuning: { localVoice: false },
    });
    const url = app.url;
    const list = await (await fetch(`${url}/api/personas`)).json();
    expect(list.current).toBe('default');
    expect(list.personas).toEqual([
      { id: 'artsy', name: 'Artsy', defaults: { spontaneousRate: 0.5, cooldownSec: 9, voice: 'aura-asteria-en' } },
      { id: 'broken', name: 'broken', error: expect.stringMatching(/broken\.yaml/) },
      expect.objectContaining({ id: 'default', name: 'Pickle', defaults: expect.objectContaining({ cooldownSec: 5 }) }),
    ]);

    const overlay = client(url, '/avatar');
    await overlay.connected;
    const switched = await fetch(`${url}/api/settings/persona`, json('PUT', { name: 'artsy' }));
    expect(switched.status).toBe(200);
    const start = Date.now();
    while (!overlay.last('look') && Date.now() - start < 3000) await new Promise((r) => setTimeout(r, 20));
    const look = overlay.last('look') as { persona: string; name: string; images: Record<string, string> };
    expect(look.persona).toBe('artsy');
    expect(look.name).toBe('Artsy');
    expect(Object.keys(look.images).sort()).toEqual(['happy-talk', 'neutral']);

    const img = await fetch(`${url}${look.images['neutral']}`);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await img.arrayBuffer())).toEqual(png);
    for (const bad of ['/overlay/look/artsy/notes.txt', '/overlay/look/artsy/..%2Fartsy.yaml', '/overlay/look/artsy/furious.PNG', '/overlay/look/nobody/neutral.png', '/overlay/look/default/neutral.png']) {
      const res = await fetch(`${url}${bad}`);
      expect(res.status, bad).toBe(404);
    }
  });
});
