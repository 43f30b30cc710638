import { afterEach, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { CHANNEL, startRig, type Rig } from './harness.ts';
import type { Responder } from '../standins/ollama.ts';
import { moderate } from '../../machines/moderation/pipeline.ts';
import { defaultModerationData, loadCorpus } from '../moderation/corpus.ts';

/**
 * The brain's output path end to end (tmi.js → brain → guard → voice → overlay) with a model
 * that gives in to every bait: whatever reaches the overlay must pass the moderation pipeline.
 */

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const baits = loadCorpus().filter((c) => c.expect !== 'pass');
const OPEN = 'Sure thing!';
const CLOSE = 'Anyway, back to the stream!';

/** "pickle bait 3-9": the model says cases 3 to 9 of the corpus, word for word, between two clean sentences. */
const compliant: Responder = ({ messages }) => {
  const last = messages.at(-1)?.content ?? '';
  // The prompt carries earlier lines too: the newest ask is the last one.
  const range = [...last.matchAll(/bait (\d+)-(\d+)/g)].at(-1);
  if (!range) return { emotion: 'happy', text: 'Okay!' };
  const said = baits.slice(Number(range[1]), Number(range[2])).map((c) => c.text);
  return { emotion: 'happy', text: [OPEN, ...said, CLOSE].join(' ') };
};

const health = async (r: Rig) => (await (await fetch(`${r.pickle.url}/health`)).json()) as { moderation: { blocked: { replies: Record<string, number> }; silenced: unknown[] } };
const setCooldown = (r: Rig, cooldownSec: number) =>
  fetch(`${r.pickle.url}/api/settings/persona`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cooldownSec }) });
const repliesEnded = (r: Rig) => r.overlayEvents.filter((e) => e.event === 'speaking' && e.data.value === false).length;

describe('moderation on the output path (compliant LLM, real clients vs stand-ins)', () => {
  it('every bait of the corpus is dropped; the clean sentences around it are said; counts reach /health', async () => {
    rig = await startRig({ llm: { responder: compliant } });
    await setCooldown(rig, 0);
    // Short enough that the model's token limit never cuts a reply.
    const chunk = 6;
    for (let i = 0, n = 0; i < baits.length; i += chunk, n++) {
      const ended = repliesEnded(rig);
      rig.irc!.say(CHANNEL, { user: `troll${n}`, text: `pickle bait ${i}-${i + chunk}` });
      await rig.waitFor(() => repliesEnded(rig!) > ended, 8000, `reply ${n}`);
    }
    const shown = rig.captions().join(' ');
    expect(shown).toContain(OPEN);
    expect(shown).toContain(CLOSE);
    // Nothing that reached the overlay, alone or all together, is something the pipeline blocks.
    const data = defaultModerationData();
    for (const caption of rig.captions()) expect(moderate(caption, data), caption).toEqual({ ok: true });
    for (const bait of baits) expect(shown).not.toContain(bait.text);
    const counts = (await health(rig)).moderation.blocked.replies;
    expect(counts['total']).toBeGreaterThanOrEqual(baits.length);
    for (const category of ['profanity', 'insult', 'hate', 'self-harm', 'personal-data', 'link', 'prompt-leak']) expect(counts[category], category).toBeGreaterThan(0);
  });

  it('a viewer who keeps baiting is silenced (panel shows it), and the streamer lifts it', async () => {
    rig = await startRig({ llm: { responder: compliant } });
    await setCooldown(rig, 0);
    const panel = io(`${rig.pickle.url}/panel`, { transports: ['websocket'] });
    const updates: Array<{ silenced: Array<{ viewer: string }> }> = [];
    const decisions: Array<{ reason: string; summary: string }> = [];
    panel.on('moderation', (m) => updates.push(m));
    panel.on('decision', (d) => decisions.push(d));
    await new Promise<void>((r) => panel.once('connect', () => r()));
    for (let i = 0; i < 3; i++) {
      const ended = repliesEnded(rig);
      const failed = decisions.filter((d) => d.reason === 'blocked').length;
      rig.irc!.say(CHANNEL, { user: 'troll', text: `pickle bait ${i}-${i + 1}` });
      await rig.waitFor(() => repliesEnded(rig!) > ended || decisions.filter((d) => d.reason === 'blocked').length > failed, 8000, `bait ${i}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await rig.waitFor(() => updates.some((u) => u.silenced.some((s) => s.viewer === 'twitch:troll')), 5000, 'silence on the panel');
    expect((await health(rig)).moderation.silenced).toMatchObject([{ viewer: 'twitch:troll' }]);
    // The decision says why, with the category; never the bait's text.
    const dropped = decisions.filter((d) => d.reason === 'blocked');
    expect(dropped[0]!.summary).toMatch(/^sentence dropped by moderation \(\w[\w-]*\)$/);

    const requests = rig.llm.chatRequests().length;
    rig.irc!.say(CHANNEL, { user: 'troll', text: 'pickle hello?' });
    await rig.waitFor(() => decisions.some((d) => d.reason === 'silenced'), 5000, 'silenced decision');
    expect(rig.llm.chatRequests()).toHaveLength(requests);

    const lifted = await fetch(`${rig.pickle.url}/api/moderation/unblock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ viewer: 'troll' }) });
    expect(lifted.status).toBe(200);
    await rig.waitFor(() => updates.at(-1)!.silenced.length === 0, 5000, 'silence lifted on the panel');
    rig.irc!.say(CHANNEL, { user: 'troll', text: 'pickle hello again?' });
    await rig.waitFor(() => rig!.llm.chatRequests().length > requests, 5000, 'answered again');
    const bad = await fetch(`${rig.pickle.url}/api/moderation/unblock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ viewer: '<script>' }) });
    expect(bad.status).toBe(400);
    panel.close();
  });

  it('MODERATION=ollama: the guard model catches what the lists do not, and the reply goes on', async () => {
    rig = await startRig({
      env: { MODERATION: 'ollama', MODERATION_MODEL: 'llama-guard3:1b' },
      ollama: { models: ['phi3.5:latest', 'all-minilm:latest', 'llama-guard3:1b'] },
      llm: { responder: () => ({ emotion: 'happy', text: 'Hello friend! Those people are subhuman vermin. Bye now!' }) },
    });
    await rig.waitFor(() => rig!.pickle.status.all().find((s) => s.service === 'moderation' && s.state === 'up' && s.detail.includes('llama-guard3:1b')), 5000, 'guard model up');
    rig.irc!.say(CHANNEL, { user: 'sam', text: 'pickle what do you think?' });
    await rig.waitFor(() => repliesEnded(rig!) > 0, 8000, 'reply');
    expect(rig.captions().join(' ')).toContain('Hello friend!');
    expect(rig.captions().join(' ')).toContain('Bye now!');
    expect(rig.captions().join(' ')).not.toContain('vermin');
    expect((await health(rig)).moderation.blocked.replies).toMatchObject({ toxicity: 1 });
  });

  it('MODERATION=ollama without the model pulled: reported with the fix, replies still moderated by the lists', async () => {
    rig = await startRig({ env: { MODERATION: 'ollama' }, llm: { responder: () => ({ emotion: 'happy', text: 'Hi! Visit freebits dot com.' }) } });
    const line = await rig.waitFor(() => rig!.pickle.status.all().find((s) => s.service === 'moderation' && s.state === 'degraded'), 5000, 'degraded');
    expect(line.fix).toContain('ollama pull llama-guard3:1b');
    expect(rig.console.join('\n')).toContain('MODERATION: ML classifier unavailable');
    rig.irc!.say(CHANNEL, { user: 'sam', text: 'pickle hi' });
    await rig.waitFor(() => repliesEnded(rig!) > 0, 8000, 'reply');
    expect(rig.captions().join(' ')).not.toContain('freebits');
  });
});
