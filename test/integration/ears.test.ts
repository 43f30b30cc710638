import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { PickleEvent } from '../../machines/events.ts';
import { wavToPcm16Mono } from '../../src/audio/wav.ts';
import { startDeepgramLiveStandin, type DeepgramLiveStandin, type DeepgramLiveStandinOptions } from '../standins/deepgramLive.ts';
import { hasEspeak, sleep, speechWav, wavDurationMs } from '../stt/audioFixtures.ts';
import { startRig, type Rig, type RigOptions } from './harness.ts';

/**
 * Ears end to end: Pickle in-process, its audio input a real WAV (espeak-ng) or a pipe, the
 * real @deepgram/sdk client against the Deepgram live stand-in, replies from the Ollama stand-in.
 */

let rig: Rig | undefined;
let dg: DeepgramLiveStandin | undefined;
const feeds: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const f of feeds.splice(0)) clearInterval(f);
  await rig?.stop();
  await dg?.close();
  rig = dg = undefined;
});

/** A live microphone with nobody talking: 100 ms of silence every 100 ms on the piped input (`stt: up` needs audio reaching Deepgram). */
function quietMic(): PassThrough {
  const stdin = new PassThrough();
  feeds.push(setInterval(() => stdin.write(Buffer.alloc(3200)), 100));
  return stdin;
}

async function startEarsRig(standin: DeepgramLiveStandinOptions, env: Record<string, string>, opts: RigOptions = {}) {
  dg = await startDeepgramLiveStandin(standin);
  rig = await startRig({
    twitch: false,
    ...opts,
    env: { DEEPGRAM_API_KEY: dg.key, DEEPGRAM_URL: dg.url, ...env, ...opts.env },
  });
  const seen: PickleEvent[] = [];
  rig.pickle.orchestrator.on('*', (e) => seen.push(e as PickleEvent));
  const of = <T extends PickleEvent['type']>(type: T) => seen.filter((e) => e.type === type) as Extract<PickleEvent, { type: T }>[];
  return { rig, dg, seen, of };
}

const userText = (r: Rig, i: number) => JSON.stringify((r.ollama.chatRequests()[i]?.messages as unknown[]) ?? []);

describe.runIf(hasEspeak)('ears: espeak-ng WAV → file source → Deepgram stand-in → reply', () => {
  it('valid PCM16 16 kHz arrives; "Hey." is ignored; "Pickle, what\'s up?" gets a reply; silence is kept alive; stop sends CloseStream', async () => {
    // Long enough that the script below starts 1.5 s into the audio: the app may still be finishing
    // its start (and this test attaching its listeners) on a loaded machine before that.
    const wav = await speechWav("Pickle, what's up? I was just wondering how the stream is going today, my friend.", 'ears-long.wav');
    const durationMs = wavDurationMs(readFileSync(wav));
    const filePacedFrom = Date.now(); // the file source starts with the app, after this
    const t = await startEarsRig(
      {
        idleTimeoutMs: 1_500, // Deepgram's 10 s, scaled down (still far above any event-loop stall)
        script: [
          { at: { audioMs: 1_500 }, do: { type: 'SpeechStarted' } },
          { at: { audioMs: 1_650 }, do: { type: 'Results', transcript: 'Hey.', is_final: true, speech_final: true } },
          { at: { audioMs: 1_950 }, do: { type: 'Results', transcript: 'Pickle what' } },
          { at: { audioMs: 2_250 }, do: [{ type: 'Results', transcript: "Pickle, what's up?", is_final: true, speech_final: true }, { type: 'UtteranceEnd' }] },
        ],
      },
      { AUDIO_INPUT_FILE: wav },
      { tuning: { stt: { keepAliveMs: 100 } } }, // Pickle's 4 s, scaled the same
    );
    const conn = await t.rig.waitFor(() => t.dg.connections[0], 5000, 'a Deepgram connection');
    const said = JSON.parse((await t.rig.ollama.nextStream()).content).text as string;
    await t.rig.waitFor(() => t.rig.captions().includes(said), 5000, 'the reply caption');
    expect(t.rig.ollama.chatRequests()).toHaveLength(1);
    expect(userText(t.rig, 0)).toContain("Pickle, what's up?");
    expect(userText(t.rig, 0)).not.toContain('Hey.');
    expect(t.of('speech.ignored')).toEqual([expect.objectContaining({ reason: 'short', text: 'Hey.' })]);
    expect(t.of('speech.final')).toEqual([expect.objectContaining({ text: "Pickle, what's up?", speaker: 'streamer' })]);

    // The whole file arrived as PCM16 at 16 kHz, in real time.
    await t.rig.waitFor(() => conn.audioMs() >= durationMs - 5, durationMs + 3000, 'all the audio');
    const a = conn.analysis();
    expect(conn.query).toMatchObject({ encoding: 'linear16', sample_rate: '16000', channels: '1', model: 'nova-3' });
    expect(a.plausiblePcm16).toBe(true);
    expect(Math.abs(a.audioMs - durationMs)).toBeLessThan(5);
    // Paced, not a burst: the pacer never runs more than one chunk (100 ms) ahead of the clock, so
    // the last frame cannot arrive before that (load only makes it later; exact pacing: pacer.test.ts).
    expect(a.lastFrameAt - filePacedFrom).toBeGreaterThanOrEqual(durationMs - 150);
    console.log(`file input: realtime factor ${a.realtimeFactor.toFixed(2)} as received`);

    // Silence (the file is over): twice the idle timeout, still the same open stream.
    const before = conn.keepAlives;
    await sleep(3_200);
    expect(conn.closed).toBeUndefined();
    expect(conn.keepAlives - before).toBeGreaterThanOrEqual(8);
    expect(t.dg.handshakes).toHaveLength(1);

    // Stop: CloseStream, then the server's Metadata and a normal close.
    await t.rig.stop();
    rig = undefined;
    expect(conn.closeStream).toBe(true);
    expect(conn.closed).toMatchObject({ code: 1000, by: 'server' });
  });
});

describe('ears: the echo guard with the whole app', () => {
  it('while Pickle speaks, its own sentence heard back neither answers nor cuts it; the streamer\'s words do', async () => {
    const s1 = 'Bananas are the best snack for a long walk in the park.';
    const s2 = 'I would eat ten of them right now if I had hands.';
    const t = await startEarsRig(
      {},
      { AUDIO_INPUT_FILE: '-' },
      {
        ollama: { responder: ({ messages }) => (JSON.stringify(messages).includes('tacos') ? { emotion: 'happy', text: 'Tacos win.' } : { emotion: 'happy', text: `${s1} ${s2}` }) },
        tuning: { voiceMsPerChar: 40, minSentenceMs: 300, stt: { stdin: quietMic() } },
      },
    );
    await fetch(`${t.rig.pickle.url}/api/settings/persona`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cooldownSec: 0.3 }) });
    const conn = await t.rig.waitFor(() => t.dg.connections[0], 5000, 'a Deepgram connection');
    await t.rig.waitFor(() => t.rig.pickle.status.get('stt')?.state === 'up', 5000, 'stt up');
    conn.push({ type: 'Results', transcript: 'Pickle, tell me about bananas?', is_final: true, speech_final: true });
    await t.rig.waitFor(() => t.of('voice.sentenceStarted').length > 0, 5000, 'Pickle speaking');
    const startedBefore = t.of('speech.started').length;

    // The microphone picks up the speakers.
    conn.push({ type: 'SpeechStarted' });
    conn.push({ type: 'Results', transcript: 'bananas are the best snack' });
    conn.push({ type: 'Results', transcript: 'Bananas are the best snack for a long walk in the park.', is_final: true, speech_final: true });
    await t.rig.waitFor(() => t.of('speech.ignored').length > 0, 3000, 'the echo noticed');
    await sleep(300);
    expect(t.of('speech.ignored')).toEqual([expect.objectContaining({ reason: 'echo' })]);
    expect(t.of('speech.started')).toHaveLength(startedBefore);
    expect(t.of('voice.done')).toEqual([]);
    expect(t.rig.ollama.chatRequests()).toHaveLength(1);

    // The streamer talks over Pickle.
    conn.push({ type: 'SpeechStarted' });
    conn.push({ type: 'Results', transcript: 'wait Pickle' });
    await t.rig.waitFor(() => t.of('voice.done').length > 0, 3000, 'the reply cut');
    expect(t.of('speech.started')).toHaveLength(startedBefore + 1);
    expect(t.of('voice.done')[0]).toMatchObject({ interrupted: true });
    conn.push({ type: 'Results', transcript: 'Wait, Pickle, what about tacos?', is_final: true, speech_final: true });
    await t.rig.waitFor(() => t.rig.captions().includes('Tacos win.'), 5000, 'the answer to the streamer');
    expect(userText(t.rig, 1)).toContain('what about tacos?');
  });
});

describe('ears: connection faults', () => {
  it('the stand-in drops the stream: reconnect within 2 s (default backoff), later transcripts still answered', async () => {
    const t = await startEarsRig(
      { script: (i) => (i === 1 ? [{ at: { ms: 100 }, do: { type: 'Results', transcript: 'Pickle, are you still there?', is_final: true, speech_final: true } }] : []) },
      { AUDIO_INPUT_FILE: '-' },
      { tuning: { stt: { stdin: quietMic() } } },
    );
    const first = await t.rig.waitFor(() => t.dg.connections[0], 5000, 'a Deepgram connection');
    await t.rig.waitFor(() => t.rig.pickle.status.get('stt')?.state === 'up', 5000, 'stt up');
    const droppedAt = Date.now();
    first.drop();
    const second = await t.rig.waitFor(() => t.dg.connections[1], 3000, 'a new connection');
    const reconnectMs = second.openedAt - droppedAt;
    expect(reconnectMs).toBeLessThan(2000);
    const said = JSON.parse((await t.rig.ollama.nextStream()).content).text as string;
    await t.rig.waitFor(() => t.rig.captions().includes(said), 5000, 'the reply');
    expect(userText(t.rig, 0)).toContain('are you still there?');
    expect(t.rig.pickle.status.get('stt')?.state).toBe('up');
  });

  it('401: stt is down with the fix, Deepgram is asked once, and the rest of Pickle keeps working', async () => {
    const t = await startEarsRig({}, { AUDIO_INPUT_FILE: '-' }, { env: { DEEPGRAM_API_KEY: 'not-the-right-key-000' }, tuning: { stt: { stdin: new PassThrough(), backoffMs: 50 } } });
    await t.rig.waitFor(() => t.rig.pickle.status.get('stt')?.state === 'down', 5000, 'stt down');
    await sleep(1500);
    expect(t.dg.handshakes.map((h) => h.status)).toEqual([401]);
    const health = (await (await fetch(`${t.rig.pickle.url}/health`)).json()) as Record<string, unknown>;
    expect(JSON.stringify(health)).toContain('DEEPGRAM_API_KEY');
    expect(JSON.stringify(health)).not.toContain('not-the-right-key-000');
    await fetch(`${t.rig.pickle.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'sam', text: 'pickle are you there?' }) });
    await t.rig.waitFor(() => t.rig.captions().length > 0, 5000, 'a reply to chat');
  });

  it('AUDIO_INPUT=naudiodon and no naudiodon: stt disabled with the way out, Deepgram never called, no crash', async () => {
    const t = await startEarsRig({}, { AUDIO_INPUT: 'naudiodon' });
    const s = t.rig.pickle.status.get('stt');
    expect(s?.state).toBe('disabled');
    expect(s?.detail).toMatch(/no microphone support: naudiodon/);
    expect(s?.fix).toMatch(/npm install naudiodon/);
    expect(s?.fix).toMatch(/AUDIO_INPUT_FILE/);
    await sleep(200);
    expect(t.dg.handshakes).toEqual([]);
  });
});

describe.runIf(hasEspeak)('ears: stdin (AUDIO_INPUT_FILE=-)', () => {
  it('raw PCM16 piped in all at once is streamed in real time', async () => {
    const wav = await speechWav('Testing the pipe from OBS, one two three.', 'pipe.wav');
    const { pcm, durationMs } = wavToPcm16Mono(readFileSync(wav));
    const stdin = new PassThrough();
    const t = await startEarsRig({}, { AUDIO_INPUT_FILE: '-' }, { tuning: { stt: { stdin } } });
    const conn = await t.rig.waitFor(() => t.dg.connections[0], 5000, 'a Deepgram connection');
    const startedAt = Date.now();
    stdin.end(pcm);
    await t.rig.waitFor(() => conn.audioMs() >= durationMs - 1, durationMs + 3000, 'all the audio');
    expect(Date.now() - startedAt).toBeGreaterThan(durationMs * 0.8);
    const a = conn.analysis();
    expect(a.bytes).toBe(pcm.length);
    expect(a.plausiblePcm16).toBe(true);
    console.log(`stdin: realtime factor ${a.realtimeFactor.toFixed(2)} as received`);
  });
});
