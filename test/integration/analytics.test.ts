import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STAGES } from '../../machines/analytics/records.ts';
import type { StreamReport } from '../../src/analytics/summary.ts';
import { startDeepgramStandin, type DeepgramStandin } from '../standins/deepgram.ts';
import { CHANNEL, startRig, type Rig } from './harness.ts';

const KEY = 'dg-analytics-key';

/** Each reply is one sentence naming its question, so the overlay's captions tell the replies apart. */
const oneSentence = ({ messages }: { messages: Array<{ content: string }> }) => {
  const last = messages.at(-1)?.content ?? '';
  const n = [...last.matchAll(/question (\d+)/g)].at(-1)?.[1] ?? '?';
  return { emotion: 'happy', text: `Answer number ${n} is here.` };
};

/** Replies the overlay showed: a caption that does not continue the one before it begins a new reply. */
function shownReplies(captions: string[]): number {
  let n = 0;
  let prev = '';
  for (const c of captions) {
    if (!prev || !c.startsWith(prev)) n += 1;
    prev = c;
  }
  return n;
}

const get = async (rig: Rig, path: string) => fetch(`${rig.pickle.url}${path}`);

describe('analytics: every stream remembered in numbers', () => {
  const dirs: string[] = [];
  let rig: Rig | undefined;
  let dg: DeepgramStandin | undefined;
  afterEach(async () => {
    await rig?.stop();
    rig = undefined;
    await dg?.close();
    dg = undefined;
    for (const d of dirs.splice(0)) {
      chmodSync(d, 0o700);
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('after a few replies and a restart the stream is listed: replies as shown, stages adding up, a CSV row per reply', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pickle-streams-'));
    dirs.push(dataDir);
    // A real voice (the Deepgram stand-in's first audio after 20 ms), so the TTS stage is measured, not 0.
    dg = await startDeepgramStandin({ keys: [KEY], ttfbMs: 20, msPerChar: 1 });
    const env = { DEEPGRAM_API_KEY: KEY, DEEPGRAM_URL: dg.url };
    rig = await startRig({ dataDir, env, llm: { responder: oneSentence }, tuning: { streams: { flushMs: 50 } } });
    for (let i = 1; i <= 3; i++) {
      const spoken = () => rig!.pickle.counters.snapshot().replies;
      const before = spoken();
      rig.irc!.say(CHANNEL, { user: `viewer${i}`, text: `@Pickle question ${i}, what do you think?` });
      await rig.waitFor(() => spoken() > before, 10_000, `reply ${i}`);
    }
    const shown = shownReplies(rig.captions());
    expect(shown).toBe(3);
    const live = (await (await get(rig, '/api/streams')).json()) as { current: string; streams: Array<{ id: string; replies: number }> };
    expect(live.streams.map((s) => s.id)).toEqual([live.current]);
    await rig.stop();

    rig = await startRig({ dataDir, env, llm: { responder: oneSentence }, tuning: { streams: { flushMs: 50 } } });
    const list = (await (await get(rig, '/api/streams')).json()) as { current: string; streams: Array<{ id: string; replies: number; end: number | null; state: string }> };
    const past = list.streams.find((s) => s.id === live.current)!;
    expect(past).toMatchObject({ replies: shown, state: 'closed' });
    expect(past.end).toBeGreaterThan(0);
    expect(list.streams.map((s) => s.id)).toContain(list.current);

    const report = (await (await get(rig, `/api/streams/${past.id}`)).json()) as StreamReport;
    const heard = report.replies.filter((r) => r.outcome === 'spoken');
    expect(heard).toHaveLength(3);
    for (const r of heard) {
      expect(r.trigger).toEqual({ platform: 'twitch', kind: 'chat', addressed: true });
      expect(Object.keys(r.stages!)).toEqual([...STAGES]);
      const sum = STAGES.reduce((a, s) => a + r.stages![s], 0);
      expect(Math.abs(sum - r.totalMs!)).toBeLessThanOrEqual(5);
      expect(r.stages!.llm).toBeGreaterThan(0);
      expect(r.stages!.tts).toBeGreaterThanOrEqual(15);
      expect(r.emotion).toBe('happy');
      expect(r.tokensIn).toBeGreaterThan(0);
    }
    expect(report.summary.mentionsAnswered).toBe(3);
    expect(report.summary.text).toMatch(/3 replies, 100 % of mentions answered, median wait \d+\.\d s, slowest stage: /);
    expect(report.minutes.length).toBeGreaterThan(0);
    expect(report.minutes.reduce((n, m) => n + (m.chat.twitch ?? 0), 0)).toBe(3);

    const csv = await get(rig, `/api/streams/${past.id}.csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = (await csv.text()).trimEnd().split('\r\n');
    expect(rows[0]).toBe('time,reply_id,platform,kind,addressed,total_ms,queue_ms,llm_ms,sentence_ms,tts_ms,audio_ms,tokens_in,tokens_out,emotion,blocked,outcome,reason');
    expect(rows).toHaveLength(1 + report.replies.length);
    // No chat text in what is stored.
    const stored = readFileSync(join(dataDir, 'streams', `${past.id}.ndjson`), 'utf8');
    expect(stored).not.toContain('question 1');
    expect(stored).toContain('twitch:viewer1');
  }, 60_000);

  it('unknown or malformed ids are 404; a corrupt line and a truncated last line are skipped and counted; !forgetme removes the viewer', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pickle-streams-'));
    dirs.push(dataDir);
    rig = await startRig({ dataDir, tuning: { streams: { flushMs: 50 } } });
    for (const bad of ['20991231-000000-000', 'nope', '..%2F..%2Fsettings', '20991231-000000-000.csv', '%00']) {
      expect((await get(rig, `/api/streams/${bad}`)).status, bad).toBe(404);
    }
    expect((await get(rig, '/report/20991231-000000-000')).status).toBe(404);
    expect((await get(rig, '/report/..%2Fsettings.json')).status).toBe(404);

    const id = '20261207-200000-000';
    const file = join(dataDir, 'streams', `${id}.ndjson`);
    writeFileSync(file, `${JSON.stringify({ k: 'stream', v: 1, id, t: 1_796_500_000_000, reason: 'start' })}\nnot json at all\n`);
    appendFileSync(file, `${JSON.stringify({ k: 'engaged', t: 1_796_500_060_000, top: [{ viewer: 'twitch:alice', messages: 4 }, { viewer: 'twitch:bob', messages: 2 }] })}\n`);
    appendFileSync(file, '{"k":"minute","i":0,"t":1796500000000,"chat":{"twi');
    const r = (await (await get(rig, `/api/streams/${id}`)).json()) as StreamReport;
    expect(r.summary).toMatchObject({ corruptLines: 2, state: 'cut', replies: 0 });

    rig.irc!.say(CHANNEL, { user: 'alice', text: '!forgetme' });
    await rig.waitFor(() => !readFileSync(file, 'utf8').includes('alice'), 5000, 'alice removed from the stored stream');
    const after = (await (await get(rig, `/api/streams/${id}`)).json()) as StreamReport;
    expect(after.engaged).toEqual([{ viewer: 'twitch:bob', messages: 2 }]);
  }, 30_000);

  it('a data folder that cannot be written: analytics degraded with the fix on /health, and Pickle still answers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pickle-streams-'));
    dirs.push(dataDir);
    // A file where the streams folder should be: no user (root included) can write streams there.
    writeFileSync(join(dataDir, 'streams'), 'in the way');
    rig = await startRig({ dataDir, tuning: { streams: { flushMs: 50 } } });
    const health = (await (await get(rig, '/health')).json()) as { services: Array<{ service: string; state: string; fix?: string }> };
    const a = health.services.find((s) => s.service === 'analytics');
    expect(a?.state).toBe('degraded');
    expect(a?.fix).toMatch(/writable/);
    rig.irc!.say(CHANNEL, { user: 'sam', text: '@Pickle are you still there?' });
    await rig.waitFor(() => rig!.pickle.counters.snapshot().replies > 0, 10_000, 'a reply');
    expect((await (await get(rig, '/api/streams')).json()) as unknown).toMatchObject({ streams: [] });
    expect(readdirSync(dataDir)).toContain('streams');
  }, 30_000);
});
