import { afterEach, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { createActor, setup } from 'xstate';
import { silentLogger } from '../../src/log.ts';
import { attachInspector, type InspectorRecord } from '../../src/screens/inspector.ts';
import type { MachineGraph } from '../../src/screens/graph.ts';
import { startRig, type Rig } from '../integration/harness.ts';
import { startHarness, type Harness } from '../server/harness.ts';

let rig: Rig | undefined;
let harness: Harness | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await rig?.stop();
  rig = undefined;
  await harness?.close();
  harness = undefined;
});

const SECRET = 'client-secret-0123456789';

function chat(url: string, text: string, user = 'sam') {
  return fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, text }) });
}

function connectInspector(url: string, auth?: Record<string, string>) {
  const socket = io(`${url}/inspector`, { transports: ['websocket'], reconnection: false, ...(auth ? { auth } : {}) });
  sockets.push(socket);
  const records: InspectorRecord[] = [];
  const machines: MachineGraph[] = [];
  let actors: Array<Record<string, any>> | undefined;
  socket.on('batch', (b: { records: InspectorRecord[] }) => records.push(...b.records));
  socket.on('machines', (list: MachineGraph[]) => machines.push(...list));
  socket.on('actors', (a: { actors: Array<Record<string, any>> }) => (actors = a.actors));
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, records, machines, actors: () => actors, connected };
}

/** The brain's leaf states, in the order the inspector reported them (repeats collapsed). */
function brainTrail(records: InspectorRecord[]): string[] {
  const out: string[] = [];
  for (const r of records) {
    if (r.kind !== 'snapshot' || r.actorId !== 'brain' || !r.active) continue;
    const leaf = r.active.at(-1)!;
    if (out.at(-1) !== leaf) out.push(leaf);
  }
  return out;
}

function inOrder(trail: string[], wanted: string[]): boolean {
  let i = 0;
  for (const s of trail) if (s === wanted[i]) i += 1;
  return i === wanted.length;
}

describe('inspector: XState inspection over socket.io /inspector, only while a page watches', () => {
  it('observes nothing with no page; with one it sends the tree, the drawings and the live states; stops when it leaves', async () => {
    rig = await startRig({ twitch: false, env: { TWITCH_CLIENT_SECRET: SECRET } });
    const url = rig.pickle.url;
    const hub = rig.pickle.screens.inspector;
    await fetch(`${url}/api/settings/persona`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cooldownSec: 0.3 }) });

    // A whole reply with nobody watching: XState is not even asked to build inspection events.
    await chat(url, 'pickle hello there');
    await rig.waitFor(() => rig!.overlayEvents.some((e) => e.event === 'speaking' && e.data.value === false), 5000, 'first reply spoken');
    await rig.waitFor(() => rig!.pickle.orchestrator.system.get('brain')?.getSnapshot().value === 'idle', 5000, 'brain idle again');
    expect(hub.observing).toBe(false);
    expect(hub.received).toBe(0);

    const page = connectInspector(url);
    await page.connected;
    await rig.waitFor(() => page.actors() && page.machines.length > 0, 5000, 'actors and machines');
    expect(hub.observing).toBe(true);
    const brain = page.actors()!.find((a) => a['systemId'] === 'brain')!;
    expect(brain['machine']).toBe('brain');
    expect(brain['active']).toContain('brain.idle');
    expect(page.actors()!.find((a) => !a['parent'])?.['name']).toBe('orchestrator');
    const brainGraph = page.machines.find((m) => m.id === 'brain')!;
    expect(brainGraph.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['brain.idle', 'brain.replying.thinking', 'brain.replying.speaking', 'brain.cooldown']));

    // Contexts (the bulk of the stream) only for pages that ask for them.
    page.socket.emit('options', { contexts: true });
    await new Promise((r) => setTimeout(r, 50));
    await chat(url, `pickle what do you think of ${SECRET}?`);
    await rig.waitFor(() => brainTrail(page.records).includes('brain.cooldown') && brainTrail(page.records).at(-1) === 'brain.idle', 8000, 'idle after cooldown');
    const trail = brainTrail(page.records);
    expect(inOrder(trail, ['brain.replying.thinking', 'brain.replying.speaking', 'brain.cooldown', 'brain.idle']), trail.join(' → ')).toBe(true);

    // Events carry their payloads, with secrets scrubbed.
    const msg = page.records.find((r) => r.kind === 'event' && r.type === 'chat.message');
    expect(msg).toBeDefined();
    const payload = JSON.stringify(page.records);
    expect(payload).toContain('what do you think of [redacted]');
    expect(payload).not.toContain(SECRET);
    // Actors spawned while watching (the LLM call) are announced.
    expect(page.records.some((r) => r.kind === 'actor')).toBe(true);
    // ...each under the actor that started it (the reply's LLM call under the brain, none under nobody).
    const spawned = page.records.filter((r): r is Extract<InspectorRecord, { kind: 'actor' }> => r.kind === 'actor');
    expect(spawned.every((r) => typeof r.parent === 'string')).toBe(true);
    const brainSession = page.actors()!.find((a) => a['systemId'] === 'brain')!['session'];
    expect(spawned.some((r) => r.parent === brainSession)).toBe(true);
    // Snapshots carry the (elided) context: no functions, no giant prompts.
    const snap = page.records.find((r) => r.kind === 'snapshot' && r.actorId === 'brain' && r.context) as Extract<InspectorRecord, { kind: 'snapshot' }>;
    expect(JSON.stringify(snap.context)).toContain('"random":"[function');

    page.socket.emit('options', { contexts: false });
    await new Promise((r) => setTimeout(r, 50));
    const before = page.records.length;
    await chat(url, 'pickle one more?');
    await rig.waitFor(() => brainTrail(page.records.slice(before)).includes('brain.cooldown'), 8000, 'another reply');
    await rig.waitFor(() => rig!.pickle.orchestrator.system.get('brain')?.getSnapshot().value === 'idle', 5000, 'idle');
    const later = page.records.slice(before).filter((r) => r.kind === 'snapshot');
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((r) => !('context' in r))).toBe(true);

    page.socket.close();
    await rig.waitFor(() => !hub.observing, 3000, 'observation off');
    const seen = hub.received;
    await chat(url, 'pickle are you still there?');
    await rig.waitFor(() => rig!.overlayEvents.filter((e) => e.event === 'speaking' && e.data.value === false).length >= 4, 5000, 'fourth reply');
    expect(hub.received).toBe(seen);
  });

  it('a page on another origin cannot open the inspector (or the panel) socket', async () => {
    harness = await startHarness();
    const machine = setup({}).createMachine({ id: 'tiny', initial: 'a', states: { a: {} } });
    const actor = createActor(machine).start();
    const hub = attachInspector({ actor, namespace: harness.server.io.of('/inspector'), log: silentLogger() });
    try {
      for (const ns of ['/inspector', '/panel']) {
        const socket = io(`${harness.server.url}${ns}`, { transports: ['websocket'], reconnection: false, extraHeaders: { Origin: 'http://evil.example' } });
        sockets.push(socket);
        await expect(
          new Promise((resolve, reject) => {
            socket.once('connect', () => resolve('connected'));
            socket.once('connect_error', reject);
          }),
          ns,
        ).rejects.toThrow();
      }
      expect(hub.observing).toBe(false);
    } finally {
      hub.close();
      actor.stop();
    }
  });

  it('in token mode (HOST not loopback) a page without the access token is refused', async () => {
    harness = await startHarness({ requireToken: true, accessToken: 'tok-abcdef123456' });
    const machine = setup({}).createMachine({ id: 'tiny', initial: 'a', states: { a: { on: { go: 'b' } }, b: {} } });
    const actor = createActor(machine).start();
    const hub = attachInspector({ actor, namespace: harness.server.io.of('/inspector'), log: silentLogger() });
    harness.server.io.of('/inspector').use(harness.server.tokenGate);
    try {
      const anon = connectInspector(harness.server.url);
      await expect(anon.connected).rejects.toThrow(/unauthorized/);
      expect(hub.observing).toBe(false);
      const wrong = connectInspector(harness.server.url, { token: 'nope' });
      await expect(wrong.connected).rejects.toThrow(/unauthorized/);
      const ok = connectInspector(harness.server.url, { token: 'tok-abcdef123456' });
      await ok.connected;
      await new Promise((r) => setTimeout(r, 100));
      expect(ok.actors()?.[0]).toMatchObject({ name: 'tiny', active: ['tiny', 'tiny.a'] });
      actor.send({ type: 'go' });
      await new Promise((r) => setTimeout(r, 150));
      expect(ok.records.some((r) => r.kind === 'snapshot' && r.active?.includes('tiny.b'))).toBe(true);
    } finally {
      hub.close();
      actor.stop();
    }
  });
});
