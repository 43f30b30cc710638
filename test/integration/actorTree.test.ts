import { afterEach, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type { AnyActorRef } from 'xstate';
import { findBrowser } from '../../src/vision/chrome.ts';
import { startObsStandin, type ObsStandin } from '../standins/obs.ts';
import { startTwitchAuthStandin, type TwitchAuthStandin } from '../standins/twitchAuth.ts';
import { startTwitchEventSubStandin, type TwitchEventSubStandin } from '../standins/twitchEventSub.ts';
import { startDeepgramLiveStandin, type DeepgramLiveStandin } from '../standins/deepgramLive.ts';
import { toneWav } from '../stt/audioFixtures.ts';
import { followEvent } from '../twitch/eventsub/harness.ts';
import { startRig, type Rig } from './harness.ts';

/**
 * The machines that adapters drive (the event feed, redemptions, follow thanks, OBS's connection
 * and mute scenes, the senses, the audience, the browser's pages) are children of the orchestrator:
 * the inspector lists them under it, `system.get` finds them, and a fact an adapter observes moves
 * the child's state.
 */

const CLIENT_ID = 'standinclientid';
const TOKEN = 'broadcastertoken';
const chrome = findBrowser({ platform: process.platform, env: process.env, chromePath: process.env.CHROME_PATH });

let rig: Rig | undefined;
let obs: ObsStandin | undefined;
let auth: TwitchAuthStandin | undefined;
let es: TwitchEventSubStandin | undefined;
let dg: DeepgramLiveStandin | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await rig?.stop();
  await obs?.close();
  await es?.close();
  await auth?.close();
  await dg?.close();
  rig = obs = auth = es = dg = undefined;
});

interface ListedActor {
  name: string;
  parent?: string;
  session: string;
  value?: unknown;
}

/** The actor list a page gets when it opens the inspector. */
async function inspectorActors(r: Rig): Promise<ListedActor[]> {
  const socket = io(`${r.pickle.url}/inspector`, { transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('actors', (a: { actors: ListedActor[] }) => resolve(a.actors));
    socket.once('connect_error', reject);
  });
}

const child = (r: Rig, systemId: string): AnyActorRef | undefined => r.pickle.orchestrator.system.get(systemId) as AnyActorRef | undefined;
const valueOf = (r: Rig, systemId: string): string => JSON.stringify(child(r, systemId)?.getSnapshot().value ?? null);
const contextOf = (r: Rig, systemId: string): Record<string, unknown> => (child(r, systemId)?.getSnapshot() as { context: Record<string, unknown> }).context;
const chat = (r: Rig, text: string) =>
  fetch(`${r.pickle.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'sam', text }) });

/** Each listed once, as a child of the orchestrator (the root). */
function expectChildren(actors: ListedActor[], names: string[]): void {
  const root = actors.find((a) => a.name === 'orchestrator');
  expect(root).toBeDefined();
  for (const name of names) {
    const found = actors.filter((a) => a.name === name);
    expect(found, name).toHaveLength(1);
    expect(found[0]!.parent, `${name}'s parent`).toBe(root!.session);
  }
}

describe("adapters' machines in the orchestrator's actor system", () => {
  it('event feed, redemptions, follow thanks, OBS, mute scenes, senses and audience: listed by the inspector; facts move them', async () => {
    obs = await startObsStandin({ password: 'pw', obsVersion: '31.0.2' });
    auth = await startTwitchAuthStandin({ clientId: CLIENT_ID, login: 'streamer', userId: '4242', scopes: ['channel:manage:redemptions', 'moderator:read:followers'], accessTokens: [TOKEN] });
    es = await startTwitchEventSubStandin({ validate: (t) => auth!.check(t), users: [{ id: '4242', login: 'streamer', display_name: 'Streamer' }] });
    rig = await startRig({
      twitch: false,
      env: {
        OBS_WEBSOCKET_URL: obs.url,
        OBS_WEBSOCKET_PASSWORD: 'pw',
        OBS_MUTE_SCENES: 'BRB',
        TWITCH_CLIENT_ID: CLIENT_ID,
        TWITCH_BROADCASTER_TOKEN: TOKEN,
        TWITCH_AUTH_URL: auth.url,
        TWITCH_EVENTSUB_URL: es.wsUrl,
        TWITCH_API_URL: es.apiUrl,
      },
    });
    const r = rig;

    const actors = await inspectorActors(r);
    expectChildren(actors, ['eventFeed', 'redemptions', 'followThanks', 'obsConnection', 'sceneMute', 'senses', 'audience', 'healthCheck:llm', 'replyDeadlines:llm']);

    // The event feed: welcomed and subscribed (the adapter reports the socket's frames and Helix's answers).
    await r.waitFor(() => r.pickle.status.get('twitch-events')?.state === 'up', 8000, 'twitch-events up');
    expect(valueOf(r, 'eventFeed')).toContain('"subscriptions":"live"');
    // A follow arrives: the thanks batcher starts collecting.
    expect(valueOf(r, 'followThanks')).toBe('"idle"');
    es.notify('channel.follow', followEvent(1, 'Ana'));
    await r.waitFor(() => valueOf(r, 'followThanks') === '"collecting"', 5000, 'followThanks collecting');

    // OBS: connected (the adapter reports it), then a scene switch reaches both OBS machines.
    await r.waitFor(() => valueOf(r, 'obsConnection') === '"up"', 8000, 'obsConnection up');
    obs.switchScene('BRB');
    await r.waitFor(() => contextOf(r, 'sceneMute')['scene'] === 'BRB', 5000, 'sceneMute: the live scene');
    await r.waitFor(() => contextOf(r, 'brain')['mutedByScene'] === 'BRB', 5000, 'the brain: muted by the scene');
    expect(contextOf(r, 'obsConnection')['scene']).toBe('BRB');

    // Senses: the broadcaster's !privacy turns ears and eyes off.
    expect(contextOf(r, 'senses')).toMatchObject({ ears: true, eyes: true });
    await chat(r, '!privacy');
    await r.waitFor(() => contextOf(r, 'senses')['ears'] === false, 5000, 'senses off');
    expect(contextOf(r, 'senses')['eyes']).toBe(false);

    // Audience: the overlay says it plays audio.
    expect(contextOf(r, 'audience')['pages']).toBe(0);
    r.overlay.emit('audio_state', { state: 'running' });
    await r.waitFor(() => contextOf(r, 'audience')['pages'] === 1, 5000, 'audience: one page playing');
  });

  it.runIf(chrome)('a browser page (the local voice): listed as browserPage:speaker and open once the page loaded', { timeout: 60_000 }, async () => {
    rig = await startRig({
      twitch: false,
      env: { AUDIO_OUTPUT: 'local', CHROME_PATH: chrome!.path, CHROME_ARGS: '--use-fake-device-for-media-stream' },
    });
    const r = rig;
    await r.waitFor(() => valueOf(r, 'browserPage:speaker') === '"connected"', 20_000, 'the speaker page open');
    expectChildren(await inspectorActors(r), ['browserPage:speaker']);
  });

  it("the connections' machines: Twitch chat, its channel and who Pickle is there, each Deepgram stream (a new one after ears off and on)", { timeout: 60_000 }, async () => {
    dg = await startDeepgramLiveStandin({ idleTimeoutMs: 60_000 });
    const wav = toneWav({ hz: 220, seconds: 30, sampleRate: 16_000, channels: 1, bitDepth: '16' }, 'actor-tree-tone.wav');
    rig = await startRig({ env: { DEEPGRAM_API_KEY: dg.key, DEEPGRAM_URL: dg.url, AUDIO_INPUT_FILE: wav } });
    const r = rig;
    await r.waitFor(() => valueOf(r, 'reconnect:twitch-chat') === '"connected"', 10_000, 'Twitch chat connected');
    await r.waitFor(() => valueOf(r, 'reconnect:twitch-channel') === '"connected"', 10_000, 'the channel joined');
    const streamIds = () => Object.keys(r.pickle.orchestrator.getSnapshot().children).filter((id) => id.startsWith('reconnect:deepgram-live:'));
    await r.waitFor(() => streamIds().some((id) => valueOf(r, id) === '"connected"') || undefined, 10_000, 'Deepgram connected');
    const listed = await inspectorActors(r);
    const stream = listed.filter((a) => a.name.startsWith('reconnect:deepgram-live:'));
    expect(stream).toHaveLength(1);
    expectChildren(listed, ['reconnect:twitch-chat', 'reconnect:twitch-channel', 'chatAccess:twitch', 'chatPacing:twitch', 'chatRefusal:twitch', stream[0]!.name]);
    // The rig sets no bot token: Pickle reads the channel anonymously.
    expect(valueOf(r, 'chatAccess:twitch')).toBe('"anonymous"');
    expect(contextOf(r, 'chatAccess:twitch')['because']).toBe('no-credentials');

    // Ears off: the stream's machine leaves the system; ears on: a new stream, a new machine.
    const senses = (ears: boolean) => fetch(`${r.pickle.url}/api/settings/senses`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ears }) });
    await senses(false);
    await r.waitFor(() => child(r, stream[0]!.name) === undefined, 10_000, 'the stopped stream gone from the system');
    await senses(true);
    await r.waitFor(() => dg!.connections.length === 2 || undefined, 10_000, 'a second Deepgram connection');
    const again = (await inspectorActors(r)).filter((a) => a.name.startsWith('reconnect:deepgram-live:'));
    expect(again).toHaveLength(1);
    expect(again[0]!.name).not.toBe(stream[0]!.name);
  });

  it("the embedded Chroma's machine: a system of its own, listed beside the orchestrator, its restart streamed to the page", { timeout: 60_000 }, async () => {
    rig = await startRig({ twitch: false, env: { MEMORY_ENABLED: 'true' }, tuning: { memory: { chromaRestartMs: 300 } } });
    const r = rig;
    const link = r.pickle.memory.link;
    await r.waitFor(() => link?.up || undefined, 30_000, 'Chroma up');
    const listed = await inspectorActors(r);
    const chroma = listed.filter((a) => a.name === 'reconnect:chroma');
    expect(chroma).toHaveLength(1);
    expect(chroma[0]!.parent).toBeUndefined();
    expect(chroma[0]!.value).toBe('connected');

    // Chroma dies: the page sees the machine leave 'connected' and come back.
    const socket = sockets[sockets.length - 1]!;
    const values: unknown[] = [];
    socket.on('batch', (b: { records: { kind: string; actorId?: string; value?: unknown }[] }) => {
      for (const rec of b.records) if (rec.kind === 'snapshot' && rec.actorId === 'reconnect:chroma') values.push(rec.value);
    });
    const pid = link!.pid!;
    process.kill(pid, 'SIGKILL');
    await r.waitFor(() => (link!.up && link!.pid !== pid && values.at(-1) === 'connected') || undefined, 30_000, 'Chroma back, seen by the page');
    expect(values.some((v) => v !== 'connected')).toBe(true);
  });
});
