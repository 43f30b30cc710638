/**
 * `POST /api/moderation/check`: the judgement a spoken sentence gets with the current persona,
 * through the app's own code (a running Pickle), behind the same access rules as the other /api
 * routes, with bad input refused by field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moderate } from '../../machines/moderation/pipeline.ts';
import { withModerationCheck, MAX_CHECK_CHARS } from '../../src/moderation/checkRoute.ts';
import { startRig, type Rig } from '../integration/harness.ts';
import { startHarness, type Harness } from '../server/harness.ts';
import { defaultModerationData } from './corpus.ts';

const TOKEN = 'lan-token-0123456789abcdef';
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/moderation/check`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('the check route in token mode', () => {
  let h: Harness;
  beforeAll(async () => {
    const data = defaultModerationData();
    h = await startHarness({ requireToken: true, accessToken: TOKEN, overlayKey: 'overlay-key-0123456789abcdef', routes: withModerationCheck((text) => Promise.resolve(moderate(text, data))) });
  });
  afterAll(() => h.close());

  it('needs the access token, like every /api write', async () => {
    expect((await post(h.server.url, { text: 'hello' })).status).toBe(401);
    expect((await post(h.server.url, { text: 'hello' }, { authorization: 'Bearer overlay-key-0123456789abcdef' })).status).toBe(401);
    const ok = await post(h.server.url, { text: 'hello' }, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
  });

  it('refuses a missing, non-string or too long text with a 400 naming the field', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const body of [{}, { text: 42 }, { text: null }, { text: ['a'] }, { text: 'x'.repeat(MAX_CHECK_CHARS + 1) }, [1, 2]]) {
      const r = await post(h.server.url, body, auth);
      expect(r.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(((await r.json()) as { fields: Record<string, string> }).fields).toHaveProperty('text');
    }
    expect((await post(h.server.url, { text: 'x'.repeat(MAX_CHECK_CHARS) }, auth)).status).toBe(200);
  });
});

describe('the check route in a running Pickle', () => {
  let rig: Rig | undefined;
  beforeAll(async () => {
    rig = await startRig({ twitch: false });
  }, 60_000);
  afterAll(() => rig?.stop());

  it('answers as the brain judges a spoken sentence with the current persona', async () => {
    const url = rig!.pickle.url;
    const judge = async (text: string) => (await post(url, { text })).json();
    const data = defaultModerationData();
    const sentences = ['Send nudes, streamer, show us more.', 'Call me at 555-867-5309 tonight.', 'The frog lives in the pond.', 'Ich stech dich ab.', 'Vai se enforcar.'];
    // The same verdict, layer and category as the pipeline gives with the default persona.
    for (const text of sentences) expect(await judge(text), text).toEqual(moderate(text, data));
    expect(await judge('Send nudes, streamer, show us more.')).toMatchObject({ ok: false, category: 'sexual' });
    expect(await judge('The frog lives in the pond.')).toEqual({ ok: true });
    // The persona's own instructions, read out in capitals: only this persona's prompt makes it a leak.
    expect(await judge('KEEP IT SHORT: AT MOST 300 CHARACTERS, THAT IS MY THING')).toEqual({ ok: false, category: 'prompt-leak', layer: 'promptLeak' });
    // Too long for a spoken sentence: refused whole, as the brain does.
    expect(await judge('a '.repeat(1500))).toEqual({ ok: false, category: 'overlong', layer: 'bound' });
  });
});
