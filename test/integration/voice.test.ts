import { afterEach, describe, expect, it } from 'vitest';
import { probeLocalVoice } from '../../src/tts/espeak.ts';
import { startDeepgramStandin, type DeepgramStandin, type DeepgramStandinOptions } from '../standins/deepgram.ts';
import { CHANNEL, startRig, type Rig, type RigOptions } from './harness.ts';

/**
 * The voice end to end: real tmi.js, ollama and @deepgram/sdk clients against their stand-ins,
 * Pickle in-process, and a socket.io client on /avatar receiving what the OBS overlay would.
 */

const local = await probeLocalVoice();
const KEY = 'dg-test-key-0123456789';

const REPLY = ['Oh hi Sam, great to see you here.', 'The stream is going really well today.', 'Stick around for the next part!'];

let rig: Rig | undefined;
let dg: DeepgramStandin | undefined;
afterEach(async () => {
  await rig?.stop();
  await dg?.close();
  rig = undefined;
  dg = undefined;
});

interface Got {
  event: string;
  data: any;
  t: number;
}

async function start(opts: { dg?: DeepgramStandinOptions; key?: string; sentences?: string[]; rig?: RigOptions } = {}) {
  dg = await startDeepgramStandin({ keys: [KEY], ttfbMs: 20, msPerChar: 4, ...opts.dg });
  const sentences = opts.sentences ?? REPLY;
  rig = await startRig({
    ollama: { responder: () => ({ emotion: 'happy', text: sentences.join(' ') }), tokenDelayMs: 2 },
    env: { DEEPGRAM_API_KEY: opts.key ?? KEY, DEEPGRAM_URL: dg.url },
    ...opts.rig,
    tuning: { ttsRetryMs: 20, ...opts.rig?.tuning },
  });
  const got: Got[] = [];
  rig.overlay.onAny((event, data) => got.push({ event, data, t: performance.now() }));
  const brain: Array<{ state: string; t: number }> = [];
  rig.pickle.orchestrator.on('brain.state', (e) => brain.push({ state: e.state, t: performance.now() }));
  const playing: string[] = [];
  rig.pickle.orchestrator.on('voice.sentenceStarted', (e) => playing.push(e.text));
  const r = rig;
  const waitFor: typeof r.waitFor = (...a) => r.waitFor(...a);
  return {
    rig: r,
    dg,
    got,
    brain,
    playing,
    waitFor,
    names: () => got.filter((g) => g.event.startsWith('stream_') || g.event === 'speaking').map((g) => (g.event === 'speaking' ? `speaking:${g.data.value}` : g.event)),
    audio: () => got.filter((g) => g.event === 'stream_audio'),
    stm: () => (r.pickle.orchestrator.system.get('brain')!.getSnapshot().context as { stm: Array<{ kind: string; text: string }> }).stm,
  };
}

const decode = (b64: string) => Buffer.from(b64, 'base64');

describe('voice: streaming speech to the overlay (Deepgram stand-in)', () => {
  it('a mention: stream_start, ordered stream_audio matching what Deepgram sent, stream_end; speaking frames it; cooldown after', async () => {
    const t = await start();
    t.rig.irc!.say(CHANNEL, { user: 'sam', displayName: 'Sam', text: 'hey @Pickle how is it going?' });
    await t.waitFor(() => t.got.some((g) => g.event === 'speaking' && g.data.value === false), 8000, 'speaking false');

    // The overlay protocol, framed by speaking.
    const names = t.names().filter((n, i, a) => n !== 'stream_audio' || a[i - 1] !== 'stream_audio');
    expect(names).toEqual(['speaking:true', 'stream_start', 'stream_audio', 'stream_end', 'speaking:false']);
    const start0 = t.got.find((g) => g.event === 'stream_start')!;
    expect(start0.data.sample_rate).toBe(24000);

    // Every sentence, in order, exactly the PCM Deepgram streamed for it: a chunk is audio only,
    // so the stream is the sentences' audio back to back.
    const audio = t.audio();
    expect(audio.every((a) => Object.keys(a.data).join() === 'audio')).toBe(true);
    const sent = REPLY.map((sentence) => t.dg.requests.find((r) => r.text === sentence)!);
    expect(sent.map((r) => r.status)).toEqual(REPLY.map(() => 200));
    const received = Buffer.concat(audio.map((a) => decode(a.data.audio)));
    expect(received.length / 2).toBe(sent.reduce((n, r) => n + r.samples, 0));
    expect(received.equals(Buffer.concat(sent.map((r) => r.audio)))).toBe(true);
    expect(t.dg.requests.every((r) => r.query.model === 'aura-asteria-en' && r.query.container === 'none')).toBe(true);

    // Speaking lasts as long as the audio; cooldown starts with its end, not before. Both moments
    // are Pickle's own (the socket's delivery of a chunk to this client can lag on a loaded machine).
    const totalMs = (t.dg.requests.reduce((n, r) => n + r.samples, 0) / 24000) * 1000;
    const firstAudio = audio[0]!.t;
    const cooldown = t.brain.find((b) => b.state === 'cooldown')!;
    const speaking = t.brain.find((b) => b.state === 'speaking')!;
    expect(speaking.t).toBeLessThanOrEqual(firstAudio);
    expect(cooldown.t - speaking.t).toBeGreaterThanOrEqual(totalMs - 40);
    expect(t.playing).toEqual(REPLY);
    expect(t.stm().filter((e) => e.kind === 'reply').map((e) => e.text)).toEqual([REPLY.join(' ')]);
  });

  it('!skip from a mod mid-reply: stream_stop at once, no further chunks, STM keeps only what was heard', async () => {
    const long = ['This is the first sentence of a rather long story.', 'Here comes the second part that nobody will hear.', 'And a third one, to be sure.'];
    const t = await start({ sentences: long, dg: { msPerChar: 25, realtimeFactor: 4 } });
    let skipAt = 0;
    let stopSentAt = 0;
    // What Pickle did, in order: chat lines as the orchestrator routed them, and the overlay stop.
    const order: string[] = [];
    t.rig.pickle.orchestrator.on('chat.message', (e) => order.push(`chat:${e.message.text}`));

    const overlayOut = t.rig.pickle.voice.overlay;
    const stopOverlay = overlayOut.stop.bind(overlayOut);
    overlayOut.stop = () => {
      stopSentAt = performance.now();
      order.push('stop');
      stopOverlay();
    };
    t.rig.irc!.say(CHANNEL, { user: 'sam', text: 'pickle tell me a story' });
    await t.waitFor(() => t.audio().length > 0, 8000, 'first audio');
    await new Promise((r) => setTimeout(r, 150));
    // From the moment the mod's line leaves Twitch (IRC stand-in) — an upper bound for Pickle's part.
    skipAt = performance.now();
    t.rig.irc!.say(CHANNEL, { user: 'mod1', text: '!skip', mod: true });
    // A viewer's line in the same IRC frame: Pickle must have stopped before it even looks at it.
    t.rig.irc!.say(CHANNEL, { user: 'viewer9', text: 'right behind the skip' });
    const stop = await t.waitFor(() => t.got.find((g) => g.event === 'stream_stop'), 3000, 'stream_stop');
    const chunksAtStop = t.audio().length;
    await new Promise((r) => setTimeout(r, 600));
    console.log(`!skip sent by the mod → stream_stop sent ${(stopSentAt - skipAt).toFixed(1)} ms, received by the overlay ${(stop.t - skipAt).toFixed(1)} ms`);
    // Sent in the same turn as the skip (the overlay flushes on receipt); delivery is the socket's.
    expect(stopSentAt).toBeGreaterThanOrEqual(skipAt);
    await t.waitFor(() => order.includes('chat:right behind the skip'), 3000, 'the line behind the skip');
    expect(order.indexOf('stop')).toBeGreaterThan(-1);
    expect(order.indexOf('stop')).toBeLessThan(order.indexOf('chat:right behind the skip'));
    expect(t.audio().length).toBe(chunksAtStop);
    expect(t.got.filter((g) => g.t > stop.t).map((g) => g.event)).not.toContain('stream_audio');
    expect(t.got.some((g) => g.event === 'speaking' && g.data.value === false && g.t >= stop.t)).toBe(true);
    // Only the first sentence was heard: that is what the brain remembers, with no marker.
    expect(t.playing).toEqual([long[0]]);
    const replies = t.stm().filter((e) => e.kind === 'reply').map((e) => e.text);
    expect(replies).toEqual([long[0]]);
    expect(replies[0]).not.toMatch(/\.\.\.|interrupted/i);
  });

  it.each([
    // After the streamer cuts in there is no cooldown: what they say next is answered at once.
    ['barge-in (the streamer starts talking)', (r: Rig): void => r.pickle.orchestrator.send({ type: 'speech.started', ts: Date.now() }), 'idle'],
    ['!mute from a mod', (r: Rig): void => void r.irc!.say(CHANNEL, { user: 'mod1', text: '!mute', mod: true }), 'cooldown'],
  ] as Array<[string, (r: Rig) => void, string]>)('%s cuts the audio the same way', async (_what, cut, after) => {
    const t = await start({ dg: { msPerChar: 25, realtimeFactor: 4 } });
    t.rig.irc!.say(CHANNEL, { user: 'sam', text: 'pickle say something' });
    await t.waitFor(() => t.audio().length > 0, 8000, 'first audio');
    cut(t.rig);
    const stop = await t.waitFor(() => t.got.find((g) => g.event === 'stream_stop'), 2000, 'stream_stop');
    const stateAtStop = t.brain.length;
    await t.waitFor(() => t.brain.slice(stateAtStop - 1).some((b) => b.state === after), 2000, after);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.got.filter((g) => g.t > stop.t).map((g) => g.event)).not.toContain('stream_audio');
    expect(t.playing.length).toBeLessThan(REPLY.length);
    expect(t.stm().filter((e) => e.kind === 'reply').map((e) => e.text)).toEqual([t.playing.join(' ')]);
  });

  it('429 once: the request is retried and the reply is still spoken in full', async () => {
    const t = await start();
    t.dg.failNext(429);
    t.rig.irc!.say(CHANNEL, { user: 'sam', text: 'pickle hello' });
    await t.waitFor(() => t.got.some((g) => g.event === 'speaking' && g.data.value === false), 8000, 'end of reply');
    // Sentences are requested in parallel: whichever came first got the 429, and was asked again.
    const limited = t.dg.requests.find((r) => r.status === 429)!;
    expect(limited.errCode).toBe('TOO_MANY_REQUESTS');
    const same = t.dg.requests.filter((r) => r.text === limited.text);
    expect(same.map((r) => r.status)).toEqual([429, 200]);
    expect(t.dg.requests).toHaveLength(REPLY.length + 1);
    // What was heard is each sentence's audio in order, the retried one from its second answer.
    const spoken = REPLY.map((sentence) => t.dg.requests.find((r) => r.text === sentence && r.status === 200)!.audio);
    const heard = Buffer.concat(t.audio().map((a) => decode(a.data.audio)));
    expect(heard.equals(Buffer.concat(spoken))).toBe(true);
    expect(t.playing).toEqual(REPLY);
    expect(t.rig.pickle.status.get('tts')!.state).toBe('up');
  });

  it.runIf(local.espeak)('Deepgram 401: espeak-ng speaks instead, and /health says why', async () => {
    const short = ['Hi Sam.', 'Good to see you here.', 'Bye for now.'];
    const t = await start({ key: 'a-wrong-key-0000', sentences: short, rig: { tuning: { localVoice: true } } });
    t.rig.irc!.say(CHANNEL, { user: 'sam', text: 'pickle are you there?' });
    await t.waitFor(() => t.got.some((g) => g.event === 'speaking' && g.data.value === false), 15000, 'end of reply');
    expect(t.dg.requests.map((r) => r.status)).toEqual([401]); // not asked again after a bad key
    const audio = Buffer.concat(t.audio().map((a) => decode(a.data.audio)));
    expect(audio.length / 2 / 24000).toBeGreaterThan(1); // seconds of real speech
    expect(t.playing).toEqual(short);
    const health = (await (await fetch(`${t.rig.pickle.url}/health`)).json()) as { services: Array<{ service: string; state: string; detail: string; fix?: string }> };
    const tts = health.services.find((s) => s.service === 'tts')!;
    expect(tts.state).toBe('down');
    expect(tts.detail).toMatch(/401/);
    expect(tts.detail).toMatch(/espeak-ng/);
    expect(tts.fix).toMatch(/DEEPGRAM_API_KEY/);
    expect(JSON.stringify(health)).not.toContain('a-wrong-key-0000');
  }, 30_000);

  it('no voice at all (no key, no espeak-ng): captions only, no audio stream, status says how to get one', async () => {
    rig = await startRig({ ollama: { responder: () => ({ emotion: 'happy', text: REPLY.join(' ') }) } });
    const got: string[] = [];
    rig.overlay.onAny((event) => got.push(event));
    rig.irc!.say(CHANNEL, { user: 'sam', text: 'pickle hi' });
    await rig.waitFor(() => rig!.captions().includes(REPLY.join(' ')), 8000, 'full caption');
    expect(got.filter((e) => e.startsWith('stream_'))).toEqual([]);
    expect(rig.pickle.status.get('tts')).toMatchObject({ state: 'disabled' });
    expect(rig.pickle.status.get('tts')!.fix).toMatch(/DEEPGRAM_API_KEY/);
  });
});
