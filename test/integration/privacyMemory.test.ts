/**
 * Nothing heard is stored in long-term memory while Pickle is muted: Pickle in-process with its
 * embedded Chroma (real server), the real @deepgram/sdk client against the Deepgram live stand-in
 * (audio from a pipe; the stand-in says what it "heard").
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startDeepgramLiveStandin, type DeepgramLiveStandin } from '../standins/deepgramLive.ts';
import { until } from '../memory/helpers.ts';
import { startRig, type Rig } from './harness.ts';

let rig: Rig | undefined;
let dg: DeepgramLiveStandin | undefined;
afterEach(async () => {
  await rig?.stop();
  await dg?.close();
  rig = dg = undefined;
});

const memoriesOf = async (r: Rig, user: string) =>
  ((await (await fetch(`${r.pickle.url}/api/memory?user=${user}&limit=200`)).json()) as { memories: Array<{ text: string }> }).memories.map((m) => m.text);
const post = (r: Rig, path: string) => fetch(`${r.pickle.url}${path}`, { method: 'POST' });

describe('privacy and long-term memory (real Chroma)', () => {
  it('what the streamer says while Pickle is muted is not remembered; after unmute it is', async () => {
    dg = await startDeepgramLiveStandin({});
    rig = await startRig({
      twitch: false,
      env: { MEMORY_ENABLED: 'true', HF_HUB_OFFLINE: 'true', DEEPGRAM_API_KEY: dg.key, DEEPGRAM_URL: dg.url, AUDIO_INPUT_FILE: '-' },
      tuning: { stt: { stdin: new PassThrough() }, memory: { batchMs: 20, retryMs: 100 } },
    });
    await until(async () => (await fetch(`${rig!.pickle.url}/api/memory`)).status === 200, 15_000, 'long-term memory ready');
    const conn = await rig.waitFor(() => dg!.connections[0], 5000, 'a Deepgram connection');
    const finals: string[] = [];
    rig.pickle.orchestrator.on('speech.final', (e) => finals.push(e.text));

    await post(rig, '/api/control/mute');
    conn.push({ type: 'Results', transcript: 'My sister lives at 12 Baker Street and works as a dentist.', is_final: true, speech_final: true });
    await rig.waitFor(() => finals.length === 1, 5000, 'the muted speech heard');

    await post(rig, '/api/control/unmute');
    await new Promise((r) => setTimeout(r, 200));
    conn.push({ type: 'Results', transcript: 'I have been learning to play the cello for three years now.', is_final: true, speech_final: true });
    await rig.waitFor(() => finals.length === 2, 5000, 'the unmuted speech heard');
    await until(async () => (await memoriesOf(rig!, 'streamer')).some((t) => t.includes('cello')), 10_000, 'the unmuted speech stored');
    expect((await memoriesOf(rig, 'streamer')).filter((t) => t.includes('Baker Street'))).toEqual([]);
  });
});
