import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPickle } from '../src/app.ts';
import { parseEnv } from '../src/config/env.ts';
import { silentLogger } from '../src/log.ts';
import { startDeepgramStandin } from '../test/standins/deepgram.ts';
import { startOllamaStandin } from '../test/standins/ollama.ts';
import { startOverlayPlayer } from '../test/standins/overlayPlayer.ts';
import { startTwitchIrcStandin } from '../test/standins/twitchIrc.ts';
import { chatLog, mentionText, seeded, viewers } from './_chatLog.ts';

/**
 * conversation: replays a synthetic IRL chat log in real time through the IRC stand-in into a
 * real Pickle (tmi.js, machines, Ollama and Deepgram TTS stand-ins, an overlay that plays the
 * audio and reports `playback_end`), and injects mentions while Pickle is speaking.
 * For every mention: answered (its reply was heard), or dropped with a visible reason
 * (`brain.decision` with its message id), or failed; anything else is a silent drop. Half-way, 7
 * viewers speak to Pickle at once (the queue holds 5), so drops and their reasons are exercised.
 * `waitAfterFreeMs`: from the moment Pickle was free for it (the end of the audio it was
 * speaking, or the mention's arrival if later) to the first caption of its answer.
 * Goal: p95 ≤ 1,500 ms and no mention silently dropped.
 * Arguments: [seconds] (or BENCH_SECONDS; default 60) [seed].
 */
/** Mentions in the half-way burst: two more than the queue holds. */
const BURST = 7;

export default async function conversation(args: string[]): Promise<Record<string, unknown>> {
  const seconds = Number(args[0] ?? process.env.BENCH_SECONDS ?? 60);
  const seed = Number(args[1] ?? 42);
  const rand = seeded(seed + 1);
  const log = chatLog(seconds, seed);
  const people = viewers(seeded(seed));

  const channel = 'irlchannel';
  const key = 'dg-bench-conversation-key';
  const irc = await startTwitchIrcStandin();
  const ollama = await startOllamaStandin({
    firstTokenDelayMs: 250,
    tokenDelayMs: 12,
    responder: ({ messages }) => {
      const current = (messages.at(-1)?.content ?? '').split('New input')[1] ?? '';
      const replies = ['Ha, good one!', 'Honestly, I would try the ramen first.', 'Hi there, welcome in! Grab a snack and enjoy the walk.', 'Ten out of ten, no notes.'];
      return { emotion: 'happy', text: replies[current.length % replies.length]! };
    },
  });
  // Speech at ~15 characters a second, as a TTS voice talks.
  const dg = await startDeepgramStandin({ keys: [key], ttfbMs: 150, msPerChar: 65 });
  const dataDir = mkdtempSync(join(tmpdir(), 'pickle-conversation-'));
  const env = parseEnv({
    PORT: '0',
    PICKLE_DATA_DIR: dataDir,
    OLLAMA_HOST: ollama.url,
    TWITCH_CHANNEL: channel,
    TWITCH_IRC_URL: irc.url,
    DEEPGRAM_API_KEY: key,
    DEEPGRAM_URL: dg.url,
    STT_ENABLED: 'false',
    MEMORY_ENABLED: 'false',
    PLUGINS_DIR: join(dataDir, 'plugins'),
  });
  const pickle = await startPickle({ env, log: silentLogger(), random: seeded(seed + 2), tuning: { localVoice: false } });
  await irc.waitFor(() => irc.joined.includes(channel) || irc.joined.includes(`#${channel}`), 10_000, 'join');
  const overlay = startOverlayPlayer(pickle.url);
  for (let i = 0; i < 100 && pickle.voice.overlay.playing() < 1; i++) await new Promise((r) => setTimeout(r, 50));

  // ---- what happens to each mention
  const mentions = new Map<string, { sentAt: number; injected: boolean; decidedAt?: number; dropped?: string; failed?: string; freeAt?: number; heardAt?: number }>();
  const replyOf = new Map<string, string>();
  let speaking: string | undefined;
  let burstDone = false;
  let t0 = 0;
  let lastAudioEnd = 0;
  pickle.orchestrator.on('brain.decision', ({ decision: d }) => {
    const m = d.triggerId ? mentions.get(d.triggerId) : undefined;
    if (!m) return;
    if (d.respond) m.decidedAt ??= performance.now();
    else if (!m.heardAt) m.dropped = d.reason;
  });
  pickle.orchestrator.on('reply.start', (e) => {
    const m = e.triggerId ? mentions.get(e.triggerId) : undefined;
    if (!m) return;
    replyOf.set(e.replyId, e.triggerId!);
    // Free for this mention: when the audio before it ended, or when it arrived, whichever is later.
    m.freeAt = Math.max(m.decidedAt ?? m.sentAt, lastAudioEnd);
    m.failed = undefined;
  });
  pickle.orchestrator.on('reply.failed', (e) => {
    const m = mentions.get(replyOf.get(e.replyId) ?? '');
    if (m && !m.heardAt) m.failed = e.reason;
  });
  pickle.orchestrator.on('voice.sentenceStarted', (e) => {
    const m = mentions.get(replyOf.get(e.replyId) ?? '');
    if (m && e.index === 0 && !m.heardAt) m.heardAt = performance.now();
    if (!e.first) return;
    speaking = e.replyId;
    // Now and then viewers speak to Pickle while it talks (sometimes two at once)…
    if (rand() < 0.75) setTimeout(() => inject(), 300 + rand() * 1200);
    if (rand() < 0.35) setTimeout(() => inject(), 500 + rand() * 1500);
    // …and once, half-way, a raid-sized burst: more viewers at once than the queue holds.
    if (!burstDone && t0 > 0 && performance.now() - t0 > seconds * 500) {
      burstDone = true;
      setTimeout(() => {
        for (const p of people.slice(10, 10 + BURST)) if (speaking) say(p.user, mentionText(rand), false, true);
      }, 400);
    }
  });
  pickle.orchestrator.on('voice.done', (e) => {
    if (speaking === e.replyId) speaking = undefined;
    lastAudioEnd = overlay.ends.get(e.replyId) ?? performance.now();
  });

  const say = (user: string, text: string, mod: boolean, injected: boolean) => {
    const id = irc.say(channel, { user, text, mod });
    if (injected || /\bpickle\b/i.test(text)) mentions.set(id, { sentAt: performance.now(), injected });
  };
  const inject = () => {
    if (!speaking || stopped) return;
    const p = people[Math.floor(rand() * people.length)]!;
    say(p.user, mentionText(rand), p.mod, true);
  };

  // ---- replay in real time
  let stopped = false;
  t0 = performance.now();
  for (const line of log) {
    const due = t0 + line.at - performance.now();
    if (due > 0) await new Promise((r) => setTimeout(r, due));
    say(line.user, line.text, line.mod, false);
  }
  stopped = true;
  // Let what is queued be answered (or expire: entries live 45 s).
  const settleEnd = performance.now() + 60_000;
  const unresolved = () => [...mentions.values()].filter((m) => !m.heardAt && !m.dropped && !m.failed);
  while (performance.now() < settleEnd && (unresolved().length > 0 || speaking)) await new Promise((r) => setTimeout(r, 200));

  const all = [...mentions.values()];
  const waits = all.filter((m) => m.heardAt && m.freeAt).map((m) => m.heardAt! - m.freeAt!).sort((a, b) => a - b);
  const q = (p: number) => (waits.length ? Math.round(waits[Math.min(waits.length - 1, Math.ceil((p / 100) * waits.length) - 1)]!) : null);
  const droppedByReason: Record<string, number> = {};
  for (const m of all) if (!m.heardAt && m.dropped) droppedByReason[m.dropped] = (droppedByReason[m.dropped] ?? 0) + 1;
  const failedByReason: Record<string, number> = {};
  for (const m of all) if (!m.heardAt && !m.dropped && m.failed) failedByReason[m.failed] = (failedByReason[m.failed] ?? 0) + 1;
  const silent = unresolved().length;
  const p95 = q(95);
  const counts = pickle.counters.snapshot();
  const result = {
    seconds,
    seed,
    chatLines: log.length,
    viewers: people.length,
    mentions: all.length,
    mentionsInjectedWhileSpeaking: all.filter((m) => m.injected).length,
    burstOfMentions: burstDone ? BURST : 0,
    answered: all.filter((m) => m.heardAt).length,
    droppedByReason,
    failedByReason,
    silentlyDropped: silent,
    waitAfterFreeMs: { n: waits.length, median: q(50), p95, max: waits.length ? Math.round(waits[waits.length - 1]!) : null },
    decisions: counts.decisions,
    goals: { p95WaitMs: 1500, p95Met: p95 !== null && p95 <= 1500, noSilentDrops: silent === 0 },
    setup: 'Ollama stand-in (first token 250 ms), Deepgram TTS stand-in (150 ms to first byte, 65 ms/char), overlay reporting playback_end, cooldown 5 s',
  };
  overlay.close();
  await pickle.stop();
  await irc.close();
  await ollama.close();
  await dg.close();
  rmSync(dataDir, { recursive: true, force: true });
  return result;
}
