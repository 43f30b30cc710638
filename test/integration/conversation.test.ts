import { afterEach, describe, expect, it } from 'vitest';
import { startDeepgramStandin, type DeepgramStandin } from '../standins/deepgram.ts';
import { startOverlayPlayer, type OverlayPlayer } from '../standins/overlayPlayer.ts';
import type { Responder } from '../standins/ollama.ts';
import { CHANNEL, startRig, type Rig } from './harness.ts';

/**
 * Live conversation against the stand-ins (tmi.js ↔ IRC stand-in, Ollama stand-in, Deepgram TTS
 * stand-in), with an overlay client that plays the audio stream on its own clock and reports
 * `playback_end`, as overlay/audio.js does.
 */

const KEY = 'dg-conversation-key-0000';
const STORY = 'Once upon a time a pickle went for a walk. It met a cucumber on the way. They became friends.';
const ANSWER = 'Kim, you are next in line!';

let rig: Rig | undefined;
let dg: DeepgramStandin | undefined;
let page: OverlayPlayer | undefined;
afterEach(async () => {
  page?.close();
  await rig?.stop();
  await dg?.close();
  rig = undefined;
  dg = undefined;
  page = undefined;
});

const responder: Responder = ({ messages }) => {
  const current = (messages.at(-1)?.content ?? '').split('New input')[1] ?? '';
  return current.includes('what about me') ? { emotion: 'happy', text: ANSWER } : { emotion: 'excited', text: STORY };
};

describe('live conversation (real tmi.js, Ollama and Deepgram clients vs stand-ins)', () => {
  it('a mention sent while a reply is speaking gets its caption ≤ 1.5 s after that reply\'s playback_end (no cooldown wait)', async () => {
    dg = await startDeepgramStandin({ keys: [KEY], ttfbMs: 20, msPerChar: 12 });
    rig = await startRig({ ollama: { responder }, env: { DEEPGRAM_API_KEY: KEY, DEEPGRAM_URL: dg.url } });
    const r = rig;
    // The cooldown is long: an answer that waited for it would come 5 s late.
    await fetch(`${r.pickle.url}/api/settings/persona`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cooldownSec: 5 }) });
    const overlay = startOverlayPlayer(r.pickle.url);
    page = overlay;
    await r.waitFor(() => r.pickle.voice.overlay.playing() >= 1, 5000, 'the overlay playing audio');
    const starts: Array<{ replyId: string; triggerId?: string }> = [];
    r.pickle.orchestrator.on('reply.start', (e) => starts.push({ replyId: e.replyId, ...(e.triggerId ? { triggerId: e.triggerId } : {}) }));

    r.irc!.say(CHANNEL, { user: 'sam', displayName: 'Sam', text: '@Pickle tell me a story' });
    await r.waitFor(() => overlay.captions.some((c) => STORY.startsWith(c.text)), 10_000, 'the story being heard');
    r.irc!.say(CHANNEL, { user: 'kim', displayName: 'Kim', text: '@pickle what about me?' });

    const answered = await r.waitFor(() => overlay.captions.find((c) => c.text === ANSWER), 15_000, "Kim's answer");
    expect(starts).toHaveLength(2);
    expect(starts[1]!.triggerId, 'the reply names the message it answers').toMatch(/.+/);
    const storyEnd = overlay.ends.get(starts[0]!.replyId);
    expect(storyEnd, 'playback_end of the story').toBeDefined();
    const wait = answered.t - storyEnd!;
    console.log(`mention answered ${wait.toFixed(0)} ms after the story's playback_end`);
    // Kim's caption came after the story was heard to its end, and well before the 5 s cooldown.
    expect(wait).toBeGreaterThanOrEqual(0);
    expect(wait).toBeLessThanOrEqual(1500);
  }, 40_000);
});
