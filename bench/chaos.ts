import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { io } from 'socket.io-client';
import { startPickle } from '../src/app.ts';
import { parseEnv } from '../src/config/env.ts';
import { createLogger } from '../src/log.ts';
import { findBrowser } from '../src/vision/chrome.ts';
import { BLUE, GREEN, RED, writeY4m } from '../test/standins/camera.ts';
import { startDeepgramStandin } from '../test/standins/deepgram.ts';
import { startDeepgramLiveStandin, type ScriptStep } from '../test/standins/deepgramLive.ts';
import { startOllamaStandin } from '../test/standins/ollama.ts';
import { startTwitchIrcStandin } from '../test/standins/twitchIrc.ts';
import { FAULTS, LAST_FAULT, type ChaosWorld, type Fault } from './_chaosFaults.ts';
import { startDeepgramRouter } from './_deepgramRouter.ts';

/**
 * chaos: a real Pickle (in this process) with every stand-in, the real embedded Chroma, vision on
 * with Chromium and a fake camera, hearing a stdin "microphone", replies posted in chat. Viewers
 * chat about once a second and name Pickle every ~10 s; every ~10 s one fault from _chaosFaults.ts
 * hits. After each fault clears a viewer names Pickle, and the time to the next spoken reply is
 * how long the brain was stuck. At the end, every memory Pickle admitted must be in Chroma or in
 * its write journal. CHAOS_SECONDS sets the length (default 600); CHAOS_ONLY=name,… picks faults.
 */

const CHANNEL = 'chaosstreamer';
const BOT_TOKEN = 'chaosbottoken0123456789';
const DG_KEY = 'dg-chaos-key-0123456789';
const FAULT_EVERY_MS = 10_000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** RSS and JS heap after a full collection when the bench runs with --expose-gc (npm run bench does). */
function memory(): { rss: number; heap: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

const CHATTER = ['lol', 'this stream is so good today honestly', 'where are you right now?', 'the view is amazing', 'hi chat', 'W', 'that dog was so cute', 'what song is this', 'first time here, loving it', 'my favourite game is Elden Ring and I play every night'];
const ASKS = ['what do you think of this place', 'what should we eat tonight', 'tell us a joke', 'how is the weather looking', 'do you remember me'];

export default async function chaos(): Promise<Record<string, unknown>> {
  const seconds = Number(process.env.CHAOS_SECONDS ?? 600);
  if (!(seconds >= 20)) throw new Error('CHAOS_SECONDS must be at least 20');
  const unhandled: string[] = [];
  const onUnhandled = (err: unknown) => void unhandled.push(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);

  const dataDir = mkdtempSync(join(tmpdir(), 'pickle-chaos-'));
  const random = rng(7);
  const irc = await startTwitchIrcStandin({ validTokens: [BOT_TOKEN] });
  let replyNo = 0;
  const ollama = await startOllamaStandin({ loadDelayMs: 1_500, firstTokenDelayMs: 150, tokenDelayMs: 12 });
  ollama.responder = () => ({ emotion: 'happy', text: `Reply number ${++replyNo}. That is a great question, chat! Let us keep going.` });
  const tts = await startDeepgramStandin({ keys: [DG_KEY], maxConcurrent: 2, ttfbMs: 80, msPerChar: 20, realtimeFactor: 4 });
  const sttScript = (): ScriptStep[] =>
    Array.from({ length: 40 }, (_, i) => ({
      at: { audioMs: 15_000 * (i + 1) },
      do: [{ type: 'SpeechStarted' as const }, { type: 'Results' as const, transcript: 'so chat, this place is really something', is_final: true, speech_final: true }],
    }));
  const stt = await startDeepgramLiveStandin({ key: DG_KEY, script: sttScript });
  const router = await startDeepgramRouter(tts.url, stt.url);
  const camera = join(dataDir, 'camera.y4m');
  writeY4m(camera, { width: 320, height: 240, fps: 2, frames: [...Array<typeof RED>(8).fill(RED), ...Array<typeof RED>(8).fill(BLUE), ...Array<typeof RED>(8).fill(GREEN)] });
  const chrome = findBrowser({ platform: process.platform, env: process.env, chromePath: process.env.CHROME_PATH });
  // The "microphone": quiet noise, 100 ms at a time, as long as the run lasts.
  const mic = new PassThrough();
  const micTimer = setInterval(() => {
    const b = Buffer.alloc(3_200);
    for (let i = 0; i < b.length; i += 2) b.writeInt16LE(Math.round((random() - 0.5) * 600), i);
    mic.write(b);
  }, 100);

  const logFile = join(tmpdir(), `pickle-chaos-${process.pid}.log`);
  const env = parseEnv({
    PORT: '0',
    PICKLE_DATA_DIR: dataDir,
    OLLAMA_HOST: ollama.url,
    MEMORY_ENABLED: 'true',
    HF_HUB_OFFLINE: 'true',
    PLUGINS_DIR: join(dataDir, 'plugins'),
    TWITCH_CHANNEL: CHANNEL,
    TWITCH_IRC_URL: irc.url,
    TWITCH_BOT_TOKEN: `oauth:${BOT_TOKEN}`,
    TWITCH_BOT_USERNAME: 'chaos_cohost',
    DEEPGRAM_API_KEY: DG_KEY,
    DEEPGRAM_URL: router.url,
    AUDIO_INPUT_FILE: '-',
    VISION_ENABLED: chrome ? 'true' : 'false',
    VISION_CAMERA_FILE: camera,
    VISION_INTERVAL_SEC: '2',
    OLLAMA_VISION_MODEL: 'moondream',
    ...(chrome ? { CHROME_PATH: chrome.path } : {}),
  });
  const pickle = await startPickle({
    env,
    log: createLogger({ level: 'info', destination: createWriteStream(logFile) }),
    console: { line: () => undefined },
    tuning: { stt: { stdin: mic }, localVoice: false },
  });
  const overlay = io(`${pickle.url}/avatar`, { transports: ['websocket'] });
  await fetch(`${pickle.url}/api/settings/persona`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ cooldownSec: 2, replyInChat: true }),
  });

  // Every memory Pickle admits: it must end up in Chroma or in the journal.
  const admitted = new Set<string>();
  const writer = pickle.memory.writer;
  if (writer) {
    const push = writer.push.bind(writer);
    writer.push = (op) => {
      if (op.op === 'upsert') for (const r of op.records) admitted.add(r.id);
      push(op);
    };
  }
  const starts = new Map<string, { trigger?: string; at: number }>();
  const spoken: Array<{ replyId: string; at: number }> = [];
  pickle.orchestrator.on('reply.start', (e) => starts.set(e.replyId, { ...(e.triggerId ? { trigger: e.triggerId } : {}), at: Date.now() }));
  pickle.orchestrator.on('reply.spoken', (e) => spoken.push({ replyId: e.replyId, at: Date.now() }));

  const mentions: Array<{ id: string; at: number }> = [];
  const say = (user: string, text: string) => irc.say(CHANNEL, { user, text });
  const mention = () => {
    const user = `viewer${Math.floor(random() * 30)}`;
    mentions.push({ id: say(user, `@Pickle ${ASKS[Math.floor(random() * ASKS.length)]}?`), at: Date.now() });
  };

  const world: ChaosWorld = { pickle, irc, channel: CHANNEL, ollama, tts, stt, dataDir, notes: [] };
  const startedAt = Date.now();
  const endAt = startedAt + seconds * 1000;
  let baseline: { rss: number; heap: number } | undefined;
  const faultLog: Array<{ fault: string; at: number; clearedAt: number }> = [];

  const chatLoop = (async () => {
    while (Date.now() < endAt) {
      await sleep(700 + random() * 600);
      if (random() < 0.1) mention();
      else say(`viewer${Math.floor(random() * 30)}`, CHATTER[Math.floor(random() * CHATTER.length)]!);
    }
  })();

  const faultLoop = (async () => {
    await sleep(FAULT_EVERY_MS);
    // CHAOS_ONLY=name,name: only those faults (to look at one closely); the default is all of them in turn.
    const only = (process.env.CHAOS_ONLY ?? '').split(',').filter(Boolean);
    const faults = only.length ? FAULTS.filter((f) => only.includes(f.name)) : FAULTS;
    let n = 0;
    while (Date.now() < endAt - FAULT_EVERY_MS) {
      const last = Date.now() + FAULT_EVERY_MS >= endAt - FAULT_EVERY_MS; // no room for another after this one
      const fault: Fault = last && !only.length ? LAST_FAULT : faults[n % faults.length]!;
      n++;
      const at = Date.now();
      // The baseline is taken once everything is warm (Chroma, the browser, the first replies).
      if (!baseline && at - startedAt >= Math.min(60_000, (seconds * 1000) / 5)) baseline = memory();
      await fault.inject(world).catch((err: unknown) => onUnhandled(new Error(`bench: fault ${fault.name} failed: ${String(err)}`)));
      const clearedAt = Date.now();
      faultLog.push({ fault: fault.name, at, clearedAt });
      // Someone names Pickle as soon as the fault is over. Chat sent while the bot is out of the
      // channel never reaches it (IRC keeps no history), so that line waits until it is back in;
      // the time it took still counts as stuck.
      const back = Date.now() + 30_000;
      while (!irc.joined.includes(CHANNEL) && Date.now() < back) await sleep(50);
      mention();
      await sleep(Math.max(0, at + FAULT_EVERY_MS - Date.now()));
    }
  })();

  await Promise.all([chatLoop, faultLoop]);
  const end = memory();
  // The last mention gets its answer before the books close.
  const lastMention = mentions.at(-1)?.at ?? 0;
  const answerBy = Date.now() + 20_000;
  while (Date.now() < answerBy && !spoken.some((s) => s.at > lastMention)) await sleep(250);
  // Settle: the last replies finish, Chroma comes back, the journal drains.
  const settleUntil = Date.now() + 30_000;
  while (Date.now() < settleUntil && (writer?.journaling || (writer?.queueLength ?? 0) > 0)) await sleep(250);
  await sleep(3_000);

  // Stuck: from a fault's clearing to the next spoken reply (a mention was waiting each time).
  const stuck = faultLog.map((f) => ({ fault: f.fault, ms: (spoken.find((s) => s.at >= f.clearedAt)?.at ?? Date.now()) - f.clearedAt }));
  // Answered: a spoken reply to it, or to a later mention that arrived while it still waited or was
  // being retried (Pickle answers the latest of the mentions that came in while it was busy), within 30 s.
  const mentionAt = new Map(mentions.map((m) => [m.id, m.at]));
  const spokenIds = new Set(spoken.map((s) => s.replyId));
  const isAnswered = (m: { id: string; at: number }) => {
    const after = [...starts.entries()].filter(([, r]) => r.at >= m.at && r.at <= m.at + 30_000).sort((a, b) => a[1].at - b[1].at);
    for (const [replyId, r] of after) {
      const tAt = r.trigger !== undefined ? mentionAt.get(r.trigger) : undefined;
      if (r.trigger === m.id) {
        if (spokenIds.has(replyId)) return true;
        continue; // failed: only a retry of this same mention counts now
      }
      if (tAt !== undefined && tAt > m.at && spokenIds.has(replyId)) return true;
    }
    return false;
  };
  const answered = mentions.filter(isAnswered).length;
  const rel = (t: number) => Math.round((t - startedAt) / 100) / 10;
  const unansweredSamples = mentions
    .filter((m) => !isAnswered(m))
    .slice(0, 8)
    .map((m) => ({ at_s: rel(m.at), replies_started_s: [...starts.values()].filter((r) => r.at >= m.at - 3_000 && r.at <= m.at + 20_000).map((r) => rel(r.at)) }));

  let lost = admitted.size;
  const journalIds = new Set<string>();
  for (const f of ['journal.jsonl', 'journal.replaying.jsonl']) {
    const p = join(dataDir, 'memory', f);
    if (existsSync(p)) for (const id of readFileSync(p, 'utf8').match(/"id":"[^"]+"/g) ?? []) journalIds.add(id.slice(6, -1));
  }
  const store = pickle.memory.store;
  if (store) {
    lost = 0;
    for (const id of admitted) {
      if (journalIds.has(id)) continue;
      const found = await store.get(id).catch(() => undefined);
      if (!found) lost++;
    }
  }

  overlay.close();
  clearInterval(micTimer);
  mic.end();
  await pickle.stop();
  await Promise.all([irc.close(), ollama.close(), tts.close(), stt.close(), router.close()]);
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  rmSync(dataDir, { recursive: true, force: true });

  const worst = [...stuck].sort((a, b) => b.ms - a.ms).slice(0, 3);
  return {
    seconds,
    faults_injected: faultLog.length,
    faults_by_kind: faultLog.reduce<Record<string, number>>((m, f) => ({ ...m, [f.fault]: (m[f.fault] ?? 0) + 1 }), {}),
    replies: spoken.length,
    mentions: mentions.length,
    mentions_answered: answered,
    unanswered_samples: unansweredSamples,
    faults_timeline_s: faultLog.map((f) => `${rel(f.at)}-${rel(f.clearedAt)} ${f.fault}`),
    max_stuck_ms: Math.max(0, ...stuck.map((s) => s.ms)),
    worst_stuck: worst,
    memory_admitted: admitted.size,
    memory_writes_lost: lost,
    unhandled_errors: unhandled.length,
    unhandled_samples: unhandled.slice(0, 5),
    rss_growth_mb: baseline ? Math.round(((end.rss - baseline.rss) / 1_048_576) * 10) / 10 : null,
    heap_growth_mb: baseline ? Math.round(((end.heap - baseline.heap) / 1_048_576) * 10) / 10 : null,
    memory_at_baseline_mb: baseline ? { rss: Math.round(baseline.rss / 1_048_576), heap: Math.round(baseline.heap / 1_048_576) } : null,
    memory_at_end_mb: { rss: Math.round(end.rss / 1_048_576), heap: Math.round(end.heap / 1_048_576) },
    vision: chrome ? 'on' : 'off (no Chromium found)',
    tts_requests: tts.requests.length,
    tts_429: tts.requests.filter((r) => r.status === 429).length,
    chat_lines_posted: irc.sent.length,
    notes: [...new Set(world.notes)],
    log: logFile,
  };
}
