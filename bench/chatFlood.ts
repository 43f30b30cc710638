import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startPickle } from '../src/app.ts';
import { parseEnv } from '../src/config/env.ts';
import { silentLogger } from '../src/log.ts';
import { startOllamaStandin } from '../test/standins/ollama.ts';

/**
 * chat-flood: 2,000 chat messages/s for 30 s from the IRC stand-in (another process) into a
 * real Pickle (tmi.js adapter, machines, server), with the Ollama stand-in at fixed delays.
 * Goal: event-loop p99 ≤ 20 ms, RSS growth ≤ 64 MB, a mention in the middle answered within
 * cooldown + LLM time, and every message counted (received or dropped with a reason).
 *
 * Two runs, one after the other: the spine alone (long-term memory off), then the default
 * configuration with long-term memory (embedded Chroma + embedder) on. `heapAfterGcMB.retained`
 * tells growth that stays from V8's headroom (which scales with the live heap at start).
 * Stream recording (src/analytics) is measured side by side: the spine twice without it and once
 * more with it (A B B A), the CPU each used during the flood and the difference of the means
 * (goal: ≤ 1 % of a core), and the event loop's p99 while recording (goal: ≤ 10 ms).
 * Arguments: [rate] [seconds] [off|on|both|recording|multi] (`recording`: only the two spine runs;
 * `multi`: the same rate spread over Twitch, YouTube and Kick, a third each through their stand-ins,
 * long-term memory off, recording on; goal: event-loop p99 ≤ 10 ms and every line counted).
 */
export default async function chatFlood(args: string[]): Promise<Record<string, unknown>> {
  const rate = Number(args[0] ?? 2000);
  const which = args[2] ?? 'both';
  const seconds = Number(args[1] ?? (which === 'multi' ? 20 : 30));
  const out: Record<string, unknown> = {};
  if (which === 'multi') return { multiPlatformLongTermMemoryOff: await floodOnce(rate, seconds, false, true, true) };
  if (which !== 'on') {
    const recording = await floodOnce(rate, seconds, false, true);
    out.spineLongTermMemoryOff = recording;
    if (which !== 'off') {
      // Recording off, off, then on again (A B B A): a machine that gets busier or quieter during the runs weighs on both sides alike.
      const notRecording = [await floodOnce(rate, seconds, false, false), await floodOnce(rate, seconds, false, false)];
      const recordingAgain = await floodOnce(rate, seconds, false, true);
      const on = [recording, recordingAgain];
      const mean = (runs: Array<{ cpuCoreShare: number }>) => +(runs.reduce((a, r) => a + r.cpuCoreShare, 0) / runs.length).toFixed(4);
      out.spineNotRecording = notRecording[0];
      out.streamRecording = {
        cpuCoreShareRecording: on.map((r) => r.cpuCoreShare),
        cpuCoreShareNotRecording: notRecording.map((r) => r.cpuCoreShare),
        overheadCoreShare: +(mean(on) - mean(notRecording)).toFixed(4),
        eventLoopP99MsRecording: on.map((r) => r.eventLoopDelayMs.p99),
        eventLoopP99MsNotRecording: notRecording.map((r) => r.eventLoopDelayMs.p99),
        goals: { overheadCoreShare: 0.01, eventLoopP99Ms: 10 },
      };
    }
  }
  if (which !== 'off' && which !== 'recording') out.defaultLongTermMemoryOn = await floodOnce(rate, seconds, true, true);
  return out;
}

async function floodOnce(rate: number, seconds: number, longTermMemory: boolean, record: boolean, multi = false) {
  const channel = 'floodchannel';
  const server = fork(fileURLToPath(new URL('./_floodServer.ts', import.meta.url)), multi ? ['multi'] : [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const messages: Array<Record<string, any>> = [];
  const waiters: Array<(m: Record<string, any>) => boolean> = [];
  server.on('message', (m: Record<string, any>) => {
    messages.push(m);
    for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]!(m)) waiters.splice(i, 1);
  });
  const next = (type: string) =>
    new Promise<Record<string, any>>((resolve) => {
      const found = messages.find((m) => m.type === type);
      if (found) return resolve(found);
      waiters.push((m) => (m.type === type ? (resolve(m), true) : false));
    });
  const ready = await next('ready');
  const url = String(ready.url);
  const platforms: Record<string, string> = ready.youtube && ready.kick
    ? {
        YOUTUBE_API_KEY: ready.youtube.apiKey, YOUTUBE_VIDEO_ID: ready.youtube.videoId, YOUTUBE_API_URL: ready.youtube.url, YOUTUBE_DAILY_QUOTA: '100000000',
        KICK_CHANNEL: ready.kick.slug, KICK_API_URL: ready.kick.apiUrl, KICK_PUSHER_URL: ready.kick.pusherUrl,
      }
    : {};

  const ollama = await startOllamaStandin({ firstTokenDelayMs: 200, tokenDelayMs: 25 });
  const dataDir = mkdtempSync(join(tmpdir(), 'pickle-flood-'));
  const env = parseEnv({ PORT: '0', PICKLE_DATA_DIR: dataDir, OLLAMA_HOST: ollama.url, TWITCH_CHANNEL: channel, TWITCH_IRC_URL: url, MEMORY_ENABLED: String(longTermMemory), ...platforms });
  const pickle = await startPickle({ env, log: silentLogger(), tuning: { streams: { record } } });
  server.send({ type: 'waitJoin', channel });
  await next('joined');
  for (let i = 0; multi && i < 300 && !(pickle.status.get('youtube')?.state === 'up' && pickle.status.get('kick')?.state === 'up'); i++) await new Promise((r) => setTimeout(r, 100));
  // Memory loads its embedder and Chroma in the background: measure a Pickle that has finished starting.
  for (let i = 0; i < 600 && pickle.memory.health().enabled && pickle.memory.health().embedder === 'loading'; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 1000));

  // What a streamer would see: the first caption of the reply to the mention.
  let mentionId = '';
  let mentionAnsweredAt = 0;
  const replyStarts = new Map<string, string>();
  // The reply may start before the stand-in's "mention" note reaches this bench (chat and the
  // note travel on different sockets): match it by its trigger when its voice starts.
  pickle.orchestrator.on('reply.start', (e) => {
    if (e.triggerId) replyStarts.set(e.replyId, e.triggerId);
  });
  pickle.orchestrator.on('voice.sentenceStarted', (e) => {
    if (e.first && !mentionAnsweredAt && mentionId && replyStarts.get(e.replyId) === mentionId) mentionAnsweredAt = Date.now();
  });
  let replies = 0;
  pickle.orchestrator.on('reply.spoken', () => (replies += 1));
  // When the reply already under way at the mention ended (Pickle never talks over itself); the
  // mention's own reply ending later is not that.
  let busyUntil = 0;
  pickle.orchestrator.on('brain.state', (e) => {
    if (mentionId && !busyUntil && !mentionAnsweredAt && (e.state === 'cooldown' || e.state === 'idle')) busyUntil = Date.now();
  });

  // Warm-up: a short flood first, so V8 has sized its heap for this load (a one-time cost any
  // long-running Pickle has paid) and the figures below are the steady state of a flood.
  server.send({ type: 'flood', channel, rate, seconds: 5, mentionAt: 2, name: 'Pickle' });
  await next('flooded');
  messages.splice(messages.findIndex((m) => m.type === 'flooded'), 1);
  await new Promise((r) => setTimeout(r, 6000)); // the warm-up's reply and cooldown end
  const warm = pickle.counters.snapshot();
  const warmupReceived = warm.received;
  const cooldownMs = 5000;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  global.gc?.();
  const heapStart = process.memoryUsage().heapUsed;
  const rssStart = process.memoryUsage().rss;
  let rssPeak = rssStart;
  const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
  loop.enable();
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  server.send({ type: 'flood', channel, rate, seconds, mentionAt: 0.5, name: 'Pickle' });
  const mention = await next('mention');
  mentionId = mention.id;
  const flooded = await next('flooded');
  const cpu = process.cpuUsage(cpu0);
  const cpuCoreShare = +((cpu.user + cpu.system) / 1000 / (Date.now() - t0)).toFixed(4);
  // Let the last lines arrive and the pending reply finish.
  const settleEnd = Date.now() + 15_000;
  while (Date.now() < settleEnd && (pickle.counters.snapshot().received - warmupReceived < flooded.sent || !mentionAnsweredAt)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  loop.disable();
  clearInterval(rssTimer);
  const counts = pickle.counters.snapshot();
  global.gc?.();
  const heapEnd = process.memoryUsage().heapUsed;
  const result = {
    rate,
    seconds,
    floodMs: Date.now() - t0,
    recording: record,
    /** CPU this process used during the flood, in cores (1 = one core all the time). */
    cpuCoreShare,
    messagesSent: flooded.sent,
    warmupMessages: warmupReceived,
    messagesReceived: counts.received - warmupReceived,
    lost: flooded.sent - (counts.received - warmupReceived),
    batches: counts.batches - warm.batches,
    dropped: counts.dropped - warm.dropped,
    droppedByReason: counts.ignored,
    decisions: counts.decisions,
    replies,
    memory: pickle.memory.health(),
    eventLoopDelayMs: { p50: +(loop.percentile(50) / 1e6).toFixed(2), p99: +(loop.percentile(99) / 1e6).toFixed(2), max: +(loop.max / 1e6).toFixed(2) },
    rssMB: { start: Math.round(rssStart / 2 ** 20), peak: Math.round(rssPeak / 2 ** 20), growth: Math.round((rssPeak - rssStart) / 2 ** 20) },
    heapAfterGcMB: global.gc ? { start: Math.round(heapStart / 2 ** 20), end: Math.round(heapEnd / 2 ** 20), retained: Math.round((heapEnd - heapStart) / 2 ** 20) } : 'run with --expose-gc',
    mention: {
      answered: mentionAnsweredAt > 0,
      latencyMs: mentionAnsweredAt ? mentionAnsweredAt - mention.at : null,
      // The mention waits only for the reply already under way (none: 0), never for the cooldown.
      replyInProgressMs: busyUntil ? Math.max(0, busyUntil - mention.at) : 0,
      cooldownMs,
      freeToFirstCaptionMs: mentionAnsweredAt ? mentionAnsweredAt - Math.max(mention.at, busyUntil) : null,
      answeredWithoutCooldownWait: mentionAnsweredAt > 0 && mentionAnsweredAt - Math.max(mention.at, busyUntil) < cooldownMs,
    },
    ...(multi ? { platforms: { youtube: pickle.status.get('youtube')?.detail, kick: pickle.status.get('kick')?.detail } } : {}),
    goals: { eventLoopP99Ms: multi ? 10 : 20, rssGrowthMB: 64 },
  };
  server.send({ type: 'close' });
  await pickle.stop();
  await ollama.close();
  rmSync(dataDir, { recursive: true, force: true });
  return result;
}
