import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ollama } from 'ollama';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { startPickle } from '../src/app.ts';
import { parseEnv } from '../src/config/env.ts';
import { REPLY_SCHEMA } from '../src/llm/ollama.ts';
import { ReplyStreamParser } from '../src/llm/replyStream.ts';
import { silentLogger } from '../src/log.ts';
import { createDeepgramTts } from '../src/tts/deepgram.ts';
import { startDeepgramStandin } from '../test/standins/deepgram.ts';
import { renderContent, startOllamaStandin, toPieces } from '../test/standins/ollama.ts';

/**
 * `npm run bench -- voice-latency [--trials N]`: time from a chat message's arrival to the first
 * audio chunk on /avatar, for Pickle (sentence streaming) and for the seed's sequential pipeline
 * (whole reply, then whole TTS, then play), side by side in one run against the same stand-ins:
 * LLM first token 200 ms then 25 ms per token, TTS first byte 150 ms, 3-sentence replies.
 *
 * The physical limit of a reply is first token + the tokens until its first sentence is complete
 * + TTS first byte; Pickle's overhead is what it adds on top (parsing, gating, prompt, voice,
 * socket delivery).
 *
 * `mlGuard`: the same measure for a second Pickle with `MODERATION=ollama` (llama-guard3:1b on the
 * stand-in, answering in GUARD_MS), alternating with the first (no guard): the time the ML layer
 * adds to first audio. The classifier judges a sentence while it is synthesised, so it adds only
 * what the guard takes beyond the TTS first byte (here nothing) plus its bookkeeping.
 */

const FIRST_TOKEN_MS = 200;
const TOKEN_MS = 25;
const TTS_FIRST_BYTE_MS = 150;
const GUARD_MS = 150;
/** Natural speech: ~16 characters per second. */
const AUDIO_MS_PER_CHAR = 60;
/** Deepgram makes audio faster than real time; how much faster sets how long "whole TTS" takes. */
const TTS_REALTIME_FACTOR = 5;
const KEY = 'bench-deepgram-key';

const REPLIES = [
  'Oh hey Sam, welcome back! The stream has been wild today, you missed a goose chase. Grab a snack and stay a while.',
  'Great question, chat. The answer is obviously pickles, in every situation. I will not be taking questions at this time.',
  'Honestly? That was the best jump of the whole stream. Somebody clip it before the streamer denies it happened. Legendary stuff.',
  'Wait, is that a dog in the background? Everybody say hi to the dog! The dog is now the main character of this stream.',
];

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const stats = (xs: number[]) => ({
  median: Math.round(pct(xs, 50)),
  p95: Math.round(pct(xs, 95)),
  min: Math.round(Math.min(...xs)),
  max: Math.round(Math.max(...xs)),
});

/** Token index at which the first sentence of `text` is known (the sentence cutter's view of the stream). */
function firstSentencePiece(text: string): number {
  const pieces = toPieces(renderContent({ emotion: 'happy', text }, REPLY_SCHEMA, false));
  const parser = new ReplyStreamParser();
  for (let k = 0; k < pieces.length; k++) if (parser.push(pieces[k]!).some((p) => p.type === 'sentence')) return k;
  return pieces.length;
}

function waitFor<T>(check: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = check();
      if (v !== undefined && v !== false) return resolve(v);
      if (Date.now() > end) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 2);
    };
    tick();
  });
}

export default async function voiceLatency(args: string[] = []): Promise<Record<string, unknown>> {
  const trialsArg = args.indexOf('--trials');
  const trials = trialsArg >= 0 ? Number(args[trialsArg + 1]) : 24;
  let current = REPLIES[0]!;
  const ollama = await startOllamaStandin({
    firstTokenDelayMs: FIRST_TOKEN_MS,
    tokenDelayMs: TOKEN_MS,
    loadDelayMs: 0,
    guardDelayMs: GUARD_MS,
    models: ['phi3.5:latest', 'all-minilm:latest', 'llama-guard3:1b'],
    responder: () => ({ emotion: 'happy', text: current }),
  });
  const dg = await startDeepgramStandin({ keys: [KEY], ttfbMs: TTS_FIRST_BYTE_MS, msPerChar: AUDIO_MS_PER_CHAR, realtimeFactor: TTS_REALTIME_FACTOR });
  const dataDir = mkdtempSync(join(tmpdir(), 'pickle-bench-voice-'));

  // ---------------------------------------------------------------- Pickle
  const pickle = await startPickle({
    env: parseEnv({
      PORT: '0',
      PICKLE_DATA_DIR: dataDir,
      OLLAMA_HOST: ollama.url,
      DEEPGRAM_API_KEY: KEY,
      DEEPGRAM_URL: dg.url,
      STT_ENABLED: 'false',
      MEMORY_ENABLED: 'false',
    }),
    log: silentLogger(),
    tuning: { localVoice: false },
  });
  await fetch(`${pickle.url}/api/settings/persona`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cooldownSec: 0 }) });
  const overlay: Socket = connect(`${pickle.url}/avatar`, { transports: ['websocket'] });
  await new Promise<void>((r) => overlay.once('connect', () => r()));
  let firstAudio: number | undefined;
  overlay.on('stream_audio', () => (firstAudio ??= performance.now()));
  let arrival: number | undefined;
  pickle.orchestrator.on('chat.message', () => (arrival ??= performance.now()));
  // Where Pickle's time goes (the stand-ins run in this process, so one clock serves all).
  const marks: Partial<Record<'llmRequest' | 'firstSentence' | 'ttsRequest' | 'ttsFirstByte' | 'firstAudioInPickle', number>> = {};
  ollama.events.on('request', (r) => {
    if (r.path === '/api/chat') marks.llmRequest ??= performance.now();
  });
  pickle.orchestrator.on('reply.sentence', (e) => {
    if (e.index === 0) marks.firstSentence ??= performance.now();
  });
  dg.events.on('request', (rec) => {
    if (marks.ttsRequest !== undefined) return;
    marks.ttsRequest = performance.now();
    // Its first byte is written later; read it when Pickle has it.
    firstByteOf = () => rec.firstByteAt;
  });
  let firstByteOf: () => number | undefined = () => undefined;
  pickle.orchestrator.on('voice.sentenceStarted', () => (marks.firstAudioInPickle ??= performance.now()));
  let phase = 'idle';
  pickle.orchestrator.on('brain.state', (e) => (phase = e.state));

  async function pickleTrial(text: string): Promise<{ ms: number; steps: Record<string, number> }> {
    current = text;
    for (const k of Object.keys(marks) as Array<keyof typeof marks>) delete marks[k];
    arrival = undefined;
    firstAudio = undefined;
    await fetch(`${pickle.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'sam', text: 'hey pickle, what is up?' }) });
    await waitFor(() => firstAudio, 15_000, 'first audio');
    const ms = firstAudio! - arrival!;
    const a = arrival!;
    const steps = {
      arrivalToLlmRequest: marks.llmRequest! - a,
      firstSentenceLateVsTokens: marks.firstSentence! - (marks.llmRequest! + FIRST_TOKEN_MS + firstSentencePiece(text) * TOKEN_MS),
      sentenceToTtsRequest: marks.ttsRequest! - marks.firstSentence!,
      ttsStandinLate: firstByteOf()! - marks.ttsRequest! - TTS_FIRST_BYTE_MS,
      ttsFirstByteToPickle: marks.firstAudioInPickle! - firstByteOf()!,
      pickleToOverlay: firstAudio! - marks.firstAudioInPickle!,
    };
    // Cut the rest (the measure is the first chunk) and wait until Pickle is ready again.
    await fetch(`${pickle.url}/api/control/skip`, { method: 'POST' });
    await waitFor(() => phase === 'idle', 15_000, 'idle');
    return { ms, steps };
  }

  // ---------------------------------------------------------------- the same Pickle with the ML guard
  const guardDataDir = mkdtempSync(join(tmpdir(), 'pickle-bench-voice-guard-'));
  const guarded = await startPickle({
    env: parseEnv({
      PORT: '0',
      PICKLE_DATA_DIR: guardDataDir,
      OLLAMA_HOST: ollama.url,
      DEEPGRAM_API_KEY: KEY,
      DEEPGRAM_URL: dg.url,
      STT_ENABLED: 'false',
      MEMORY_ENABLED: 'false',
      MODERATION: 'ollama',
      MODERATION_MODEL: 'llama-guard3:1b',
    }),
    log: silentLogger(),
    tuning: { localVoice: false },
  });
  // The guard model loads in the background: wait until the classifier is up.
  for (let i = 0; i < 200; i++) {
    const m = (await (await fetch(`${guarded.url}/api/moderation`)).json()) as { classifier?: string };
    if (m.classifier?.includes('llama-guard3')) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await fetch(`${guarded.url}/api/settings/persona`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cooldownSec: 0 }) });
  const guardedOverlay: Socket = connect(`${guarded.url}/avatar`, { transports: ['websocket'] });
  await new Promise<void>((r) => guardedOverlay.once('connect', () => r()));
  let guardedFirst: number | undefined;
  let guardedArrival: number | undefined;
  let guardedPhase = 'idle';
  let judged = 0;
  guardedOverlay.on('stream_audio', () => (guardedFirst ??= performance.now()));
  guarded.orchestrator.on('chat.message', () => (guardedArrival ??= performance.now()));
  guarded.orchestrator.on('brain.state', (e) => (guardedPhase = e.state));
  guarded.orchestrator.on('reply.judged', () => (judged += 1));

  async function guardedTrial(text: string): Promise<number> {
    current = text;
    guardedFirst = undefined;
    guardedArrival = undefined;
    await fetch(`${guarded.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'sam', text: 'hey pickle, what is up?' }) });
    await waitFor(() => guardedFirst, 15_000, 'first audio with the guard');
    const ms = guardedFirst! - guardedArrival!;
    await fetch(`${guarded.url}/api/control/skip`, { method: 'POST' });
    await waitFor(() => guardedPhase === 'idle', 15_000, 'idle');
    return ms;
  }

  // ---------------------------------------------------------------- sequential baseline (the seed's order)
  const http = createServer();
  const io = new Server(http);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const avatar = io.of('/avatar');
  const client: Socket = connect(`${baseUrl}/avatar`, { transports: ['websocket'] });
  await new Promise<void>((r) => client.once('connect', () => r()));
  let baseFirst: number | undefined;
  client.on('stream_audio', () => (baseFirst ??= performance.now()));
  const llm = new Ollama({ host: ollama.url });
  const tts = createDeepgramTts({ apiKey: KEY, url: dg.url });

  async function baselineTrial(text: string): Promise<number> {
    current = text;
    baseFirst = undefined;
    const t0 = performance.now();
    // 1. the whole reply
    const stream = await llm.chat({ model: 'phi3.5:latest', messages: [{ role: 'user', content: 'hey pickle, what is up?' }], format: REPLY_SCHEMA, stream: true });
    let content = '';
    for await (const part of stream) content += part.message.content;
    const reply = JSON.parse(content) as { text: string };
    // 2. the whole audio
    const chunks: Buffer[] = [];
    await tts.speak({ text: reply.text, model: 'aura-asteria-en', speed: 1, signal: new AbortController().signal, onAudio: (c) => chunks.push(c) });
    // 3. play it
    avatar.emit('stream_start', { sample_rate: 24000 });
    avatar.emit('stream_audio', { audio: Buffer.concat(chunks).toString('base64') });
    avatar.emit('stream_end', {});
    await waitFor(() => baseFirst, 15_000, 'baseline audio');
    return baseFirst! - t0;
  }

  // ---------------------------------------------------------------- run, alternating
  const rows: Array<{ reply: number; pickleMs: number; baselineMs: number; physicalMs: number; overheadMs: number; steps: Record<string, number> }> = [];
  const steps: Array<Record<string, number>> = [];
  const guardedMs: number[] = [];
  await pickleTrial(REPLIES[0]!); // warm-up: connections, JIT
  await guardedTrial(REPLIES[0]!);
  await baselineTrial(REPLIES[0]!);
  for (let i = 0; i < trials; i++) {
    const text = REPLIES[i % REPLIES.length]!;
    const physicalMs = FIRST_TOKEN_MS + firstSentencePiece(text) * TOKEN_MS + TTS_FIRST_BYTE_MS;
    const p = await pickleTrial(text);
    const pickleMs = p.ms;
    steps.push(p.steps);
    guardedMs.push(await guardedTrial(text));
    const baselineMs = await baselineTrial(text);
    rows.push({ reply: i % REPLIES.length, pickleMs, baselineMs, physicalMs, overheadMs: pickleMs - physicalMs, steps: p.steps });
  }

  overlay.close();
  guardedOverlay.close();
  client.close();
  await pickle.stop();
  await guarded.stop();
  rmSync(guardDataDir, { recursive: true, force: true });
  await new Promise<void>((r) => io.close(() => r()));
  await ollama.close();
  await dg.close();
  rmSync(dataDir, { recursive: true, force: true });

  const pickleStats = stats(rows.map((r) => r.pickleMs));
  const baselineStats = stats(rows.map((r) => r.baselineMs));
  const overhead = stats(rows.map((r) => r.overheadMs));
  const ratio = Math.round((baselineStats.median / pickleStats.median) * 100) / 100;
  const guardStats = stats(guardedMs);
  const addedP95 = guardStats.p95 - pickleStats.p95;
  return {
    setup: {
      trials,
      llmFirstTokenMs: FIRST_TOKEN_MS,
      llmMsPerToken: TOKEN_MS,
      ttsFirstByteMs: TTS_FIRST_BYTE_MS,
      ttsRealtimeFactor: TTS_REALTIME_FACTOR,
      audioMsPerChar: AUDIO_MS_PER_CHAR,
      sentencesPerReply: 3,
      measured: 'chat message arrival at Pickle → first stream_audio received by an /avatar client',
    },
    pickleMs: pickleStats,
    sequentialBaselineMs: baselineStats,
    physicalLimitMs: stats(rows.map((r) => r.physicalMs)),
    pickleOverheadMs: overhead,
    speedupMedian: ratio,
    mlGuard: {
      backend: `MODERATION=ollama, llama-guard3:1b on the Ollama stand-in answering in ${GUARD_MS} ms`,
      withGuardMs: guardStats,
      withoutGuardMs: pickleStats,
      addedToFirstAudioMs: { median: guardStats.median - pickleStats.median, p95: addedP95 },
      sentencesJudged: judged,
    },
    /**
     * Medians of where the overhead goes: arrival to the LLM request; first sentence cut vs the token
     * schedule (stand-in timer lateness + parsing); sentence to TTS request; the TTS stand-in's own
     * lateness past its 150 ms; its first byte to Pickle's voice (SDK, stream, machine); Pickle to the
     * overlay client (socket). Everything runs in one process on one clock.
     */
    pickleOverheadBreakdownMs: Object.fromEntries(Object.keys(steps[0] ?? {}).map((k) => [k, Math.round(pct(steps.map((x) => x[k]!), 50) * 10) / 10])),
    goals: { speedupAtLeast3x: ratio >= 3, overheadP95AtMost30ms: overhead.p95 <= 30, mlGuardAddsAtMost30msP95: addedP95 <= 30 },
    machineLoad1m: Math.round(loadavg()[0]! * 100) / 100,
    trialsDetail: rows.map((r) => ({
      ...r,
      pickleMs: Math.round(r.pickleMs),
      baselineMs: Math.round(r.baselineMs),
      overheadMs: Math.round(r.overheadMs),
      steps: Object.fromEntries(Object.entries(r.steps).map(([k, v]) => [k, Math.round(v * 10) / 10])),
    })),
  };
}
