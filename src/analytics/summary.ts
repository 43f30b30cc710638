/**
 * What the API and the report say about a stored stream, from its lines: the summary (duration,
 * replies heard, mentions answered, median wait, the slowest stage), the per-reply and per-minute
 * series, the services' outages, and the CSV of its replies.
 */
import { STAGES, type EngagedLine, type MinuteLine, type ReplyLine, type ServiceChange, type Stage, type StreamLine } from '../../machines/analytics/records.ts';
import type { StreamFile } from './files.ts';

export interface StageFigures {
  p50: number | null;
  p95: number | null;
}

export interface StreamSummary {
  id: string;
  start: number;
  /** null while the stream runs (or when Pickle stopped without closing it: see `ended`). */
  end: number | null;
  /** `live`: the stream being recorded now; `closed`: it has its end; `cut`: Pickle stopped without closing it (a crash). */
  state: 'live' | 'closed' | 'cut';
  endReason: string | null;
  reason: 'start' | 'online';
  durationMs: number;
  /** Replies heard (each one is a caption on the overlay). */
  replies: number;
  /** Every reply begun, heard or not. */
  repliesBegun: number;
  mentionsAnswered: number;
  mentionsDropped: number;
  /** Answered / (answered + dropped), in %; null when nobody mentioned Pickle. */
  mentionsAnsweredPct: number | null;
  chatMessages: number;
  /** Message → first audio, median over the replies heard. */
  medianWaitMs: number | null;
  stages: Record<Stage, StageFigures>;
  slowestStage: { stage: Stage; p95: number } | null;
  /** Lines skipped on reading (truncated or corrupt). */
  corruptLines: number;
  /** The summary in words, for the report's top line. */
  text: string;
}

export interface Outage {
  service: string;
  from: number;
  /** null: still down at the stream's end. */
  to: number | null;
  state: string;
  fault?: string;
}

export interface StreamReport {
  summary: StreamSummary;
  replies: ReplyLine[];
  minutes: MinuteLine[];
  outages: Outage[];
  engaged: EngagedLine['top'];
}

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

const STAGE_NAMES: Record<Stage, string> = { queue: 'queue', llm: 'LLM first token', sentence: 'first sentence', tts: 'TTS first byte', audio: 'first audio' };

export function durationText(ms: number): string {
  const min = Math.floor(ms / 60_000);
  if (min < 1) return `${Math.round(ms / 1000)} s`;
  const h = Math.floor(min / 60);
  return h > 0 ? `${h} h ${min % 60} min` : `${min} min`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function streamReport(id: string, file: StreamFile, now: number, live: boolean): StreamReport | undefined {
  const head = file.lines.find((l) => l.k === 'stream');
  if (!head || head.k !== 'stream') return undefined;
  const of = <K extends StreamLine['k']>(k: K) => file.lines.filter((l): l is Extract<StreamLine, { k: K }> => l.k === k);
  const replies = of('reply');
  const minutes = of('minute').sort((a, b) => a.i - b.i);
  const endLine = of('end').at(-1);
  const lastT = file.lines.reduce((m, l) => Math.max(m, l.t), head.t);
  const state = endLine ? 'closed' : live ? 'live' : 'cut';
  const end = endLine ? endLine.t : state === 'cut' ? lastT : null;
  const durationMs = Math.max(0, (end ?? now) - head.t);

  const heard = replies.filter((r) => r.totalMs !== null && r.stages !== null);
  const sortedBy = (f: (r: ReplyLine) => number) => heard.map(f).sort((a, b) => a - b);
  const stages = {} as Record<Stage, StageFigures>;
  let slowest: StreamSummary['slowestStage'] = null;
  for (const s of STAGES) {
    const v = sortedBy((r) => r.stages![s]);
    stages[s] = { p50: percentile(v, 0.5), p95: percentile(v, 0.95) };
    const p95 = stages[s].p95;
    if (p95 !== null && (!slowest || p95 > slowest.p95)) slowest = { stage: s, p95 };
  }
  const medianWaitMs = percentile(sortedBy((r) => r.totalMs!), 0.5);
  let answered = 0;
  let dropped = 0;
  let chat = 0;
  for (const m of minutes) {
    answered += m.mentions.answered;
    for (const n of Object.values(m.mentions.dropped)) dropped += n ?? 0;
    for (const n of Object.values(m.chat)) chat += n ?? 0;
  }
  const pct = answered + dropped > 0 ? Math.round((answered / (answered + dropped)) * 100) : null;
  const words = [
    durationText(durationMs),
    `${heard.length} ${heard.length === 1 ? 'reply' : 'replies'}`,
    pct !== null ? `${pct} % of mentions answered` : 'no mentions',
    ...(medianWaitMs !== null ? [`median wait ${seconds(medianWaitMs)}`] : []),
    ...(slowest ? [`slowest stage: ${STAGE_NAMES[slowest.stage]} (p95 ${seconds(slowest.p95)})`] : []),
  ];
  const summary: StreamSummary = {
    id,
    start: head.t,
    end,
    state,
    endReason: endLine?.reason ?? null,
    reason: head.reason,
    durationMs,
    replies: heard.length,
    repliesBegun: replies.length,
    mentionsAnswered: answered,
    mentionsDropped: dropped,
    mentionsAnsweredPct: pct,
    chatMessages: chat,
    medianWaitMs,
    stages,
    slowestStage: slowest,
    corruptLines: file.corrupt,
    text: words.join(', '),
  };
  return { summary, replies, minutes, outages: outagesOf(minutes.flatMap((m) => m.services), end), engaged: of('engaged').at(-1)?.top ?? [] };
}

/** A service is out from a change to `down` (or `degraded`) until its next change to anything else. */
export function outagesOf(changes: readonly ServiceChange[], end: number | null): Outage[] {
  const open = new Map<string, Outage>();
  const out: Outage[] = [];
  for (const c of [...changes].sort((a, b) => a.t - b.t)) {
    const bad = c.state === 'down' || c.state === 'degraded';
    const current = open.get(c.service);
    if (bad && !current) {
      const o: Outage = { service: c.service, from: c.t, to: null, state: c.state, ...(c.fault ? { fault: c.fault } : {}) };
      open.set(c.service, o);
      out.push(o);
    } else if (!bad && current) {
      current.to = c.t;
      open.delete(c.service);
    }
  }
  for (const o of open.values()) o.to = end;
  return out;
}

export const CSV_HEADER = ['time', 'reply_id', 'platform', 'kind', 'addressed', 'total_ms', ...STAGES.map((s) => `${s}_ms`), 'tokens_in', 'tokens_out', 'emotion', 'blocked', 'outcome', 'reason'];

/** RFC 4180: a field with a comma, quote or line break is quoted. Every value here is Pickle's own (no chat text). */
const field = (v: string | number | boolean | null | undefined) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export function repliesCsv(replies: readonly ReplyLine[]): string {
  const rows = replies.map((r) =>
    [
      new Date(r.t).toISOString(),
      r.replyId,
      r.trigger.platform,
      r.trigger.kind,
      r.trigger.addressed,
      r.totalMs,
      ...STAGES.map((s) => r.stages?.[s] ?? null),
      r.tokensIn,
      r.tokensOut,
      r.emotion,
      Object.entries(r.blocked).map(([c, n]) => `${c}:${n}`).join(';'),
      r.outcome,
      r.reason,
    ].map(field).join(','),
  );
  return [CSV_HEADER.join(','), ...rows].map((l) => `${l}\r\n`).join('');
}
