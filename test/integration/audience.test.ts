import { afterEach, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { startRig, type Rig } from './harness.ts';

/**
 * "Nobody hears Pickle": the voice is reported degraded when a reply was spoken and no page
 * played it, and up again as soon as a page plays. The rig's overlay client connects but never
 * says it plays audio, like an overlay that is loaded but muted, or no OBS at all.
 */

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const voice = async (r: Rig) => {
  const h = (await (await fetch(`${r.pickle.url}/health`)).json()) as { services: Array<{ service: string; state: string; detail: string; fix?: string }> };
  return h.services.find((s) => s.service === 'voice');
};
const chat = (r: Rig, text: string) =>
  fetch(`${r.pickle.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'sam', text }) });

describe('nobody hears Pickle', () => {
  it('a reply with no page playing: voice degraded with the fix; a page playing: up; that page gone and another reply: degraded again', async () => {
    rig = await startRig({ twitch: false });
    expect(await voice(rig)).toMatchObject({ state: 'up' });
    const spoken: string[] = [];
    rig.pickle.orchestrator.on('reply.spoken', (e) => spoken.push(e.replyId));
    await rig.waitFor(() => rig!.pickle.status.get('llm')?.state === 'up', 5000, 'llm up');

    await chat(rig, 'pickle, are you there?');
    await rig.waitFor(() => spoken.length === 1, 10_000, 'a reply spoken');
    await rig.waitFor(() => rig!.pickle.status.get('voice')?.state === 'degraded', 5000, 'voice degraded');
    const v = await voice(rig);
    expect(v!.detail).toMatch(/^nobody is hearing Pickle — add the overlay to OBS \(http:\/\/127\.0\.0\.1:\d+\/overlay\) or set AUDIO_OUTPUT=local$/);
    expect(v!.fix).toMatch(/Control audio via OBS/);
    expect(v!.fix).toMatch(/AUDIO_OUTPUT=local/);

    // OBS loads the overlay and it can play: heard again, before any new reply.
    const obs = io(`${rig.pickle.url}/avatar`, { transports: ['websocket'] });
    await new Promise<void>((resolve) => obs.once('connect', () => resolve()));
    obs.emit('audio_state', { state: 'running' });
    await rig.waitFor(() => rig!.pickle.status.get('voice')?.state === 'up', 5000, 'voice up');
    expect((await voice(rig))!.detail).toMatch(/plays in 1 page/);

    // The overlay is closed; the next reply plays to nobody.
    obs.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(rig.pickle.status.get('voice')?.state).toBe('up');
    await chat(rig, 'pickle, still there?');
    await rig.waitFor(() => spoken.length === 2, 10_000, 'a second reply spoken');
    await rig.waitFor(() => rig!.pickle.status.get('voice')?.state === 'degraded', 5000, 'voice degraded again');
  });

  it('a page that says it is blocked (autoplay) does not count as hearing', async () => {
    rig = await startRig({ twitch: false });
    const spoken: string[] = [];
    rig.pickle.orchestrator.on('reply.spoken', (e) => spoken.push(e.replyId));
    rig.overlay.emit('audio_state', { state: 'blocked' });
    await rig.waitFor(() => rig!.pickle.status.get('llm')?.state === 'up', 5000, 'llm up');
    await chat(rig, 'pickle, hello?');
    await rig.waitFor(() => spoken.length === 1, 10_000, 'a reply spoken');
    await rig.waitFor(() => rig!.pickle.status.get('voice')?.state === 'degraded', 5000, 'voice degraded');
  });
});
