/**
 * Every stream remembered in numbers. The analytics machine (machines/analytics) decides what a
 * stream is and what it counts; this adapter hands it the facts, stamped with the clock (the
 * orchestrator's events, a second's chat lines at once, CPU and RSS samples, service changes),
 * and writes the lines it emits to `PICKLE_DATA_DIR/streams/` (files.ts). A folder that cannot
 * be written turns `analytics: degraded` with the fix; Pickle streams on either way.
 */
import { join } from 'node:path';
import type express from 'express';
import type { AnalyticsEvent } from '../../machines/analytics/machine.ts';
import type { ChatSeen } from '../../machines/analytics/minute.ts';
import { countsForAnalytics } from '../../machines/analytics/records.ts';
import type { ChatPlatform } from '../../machines/events.ts';
import type { PickleActor } from '../../machines/orchestrator.ts';
import { tell, type ChildHost } from '../children.ts';
import type { Logger } from '../log.ts';
import type { ServiceStatus, StatusBoard } from '../status.ts';
import { STREAMS_FOLDER, openStreamFolder, streamWriter } from './files.ts';
import { analyticsRouter } from './routes.ts';

export interface StreamAnalyticsOptions {
  dataDir: string;
  /** ANALYTICS_KEEP_DAYS: streams older than this are deleted. */
  keepDays: number;
  log: Logger;
  status: StatusBoard;
  orchestrator: PickleActor;
  /** Long-term memory's size, when memory is on. */
  memorySize: () => number | null;
  /** `record: false`: nothing is recorded (the chat-flood benchmark's baseline). */
  tuning?: { minuteMs?: number; flushMs?: number; sampleMs?: number; record?: boolean };
}

export interface StreamAnalytics {
  /** The API and the report page (mounted with the other routes). */
  router(overlayDir: string): express.Router;
  /** Begins recording: the machine joins the orchestrator, and the first stream opens (Pickle's start). */
  start(children: ChildHost): void;
  /** The stream being recorded, if any. */
  current(): string | undefined;
  /** Ends the stream (Pickle stops) and writes everything gathered. */
  stop(): void;
}

const SERVICE = 'analytics';
/** Chat lines remembered by id, so a reply's wait is measured from the message it answers. */
const ARRIVALS_KEPT = 1_000;

export function createStreamAnalytics(o: StreamAnalyticsOptions): StreamAnalytics {
  const dir = join(o.dataDir, STREAMS_FOLDER);
  const log = o.log.child({ service: SERVICE });
  const clock = () => performance.timeOrigin + performance.now();
  const fix = `make ${dir} writable by the user running Pickle (or set PICKLE_DATA_DIR to a writable folder)`;
  const degraded = (err: Error) => {
    o.status.set(SERVICE, 'degraded', `streams are not being recorded: ${err.message}`, { fix, lastError: err.message });
    log.warn({ event: 'analytics.write-failed', err: err.message }, 'stream record not written');
  };
  const writer = streamWriter({
    dir,
    onError: degraded,
    onRecovered: () => o.status.set(SERVICE, 'up', `recording streams in ${dir}`),
  });
  try {
    openStreamFolder(dir);
    o.status.set(SERVICE, 'up', `recording streams in ${dir}`);
    const pruned = writer.prune(o.keepDays, Date.now());
    if (pruned > 0) log.info({ event: 'analytics.pruned', streams: pruned, keepDays: o.keepDays }, 'old stream records deleted');
  } catch (err) {
    degraded(err instanceof Error ? err : new Error(String(err)));
  }

  let current: string | undefined;
  let stopped = false;
  const stops: Array<() => void> = [];

  return {
    router: (overlayDir) => analyticsRouter({ dir, overlayDir, current: () => current, flush: () => writer.flush() }),
    current: () => current,
    start(children) {
      if (o.tuning?.record === false) return;
      const machine = children.start({ src: 'analytics', systemId: 'analytics', input: o.tuning?.minuteMs ? { minuteMs: o.tuning.minuteMs } : {} });
      const send = (e: AnalyticsEvent) => {
        if (!stopped) tell(machine, e);
      };
      machine.on('analytics.line', ({ streamId, line }) => {
        if (line.k === 'stream') current = streamId;
        else if (line.k === 'end' && current === streamId) current = undefined;
        writer.append(streamId, line);
      });
      machine.on('analytics.forget', ({ viewer }) => {
        try {
          const files = writer.forget(viewer);
          log.info({ event: 'analytics.forgot', files }, 'viewer removed from stream records');
        } catch (err) {
          degraded(err instanceof Error ? err : new Error(String(err)));
        }
      });

      const on = o.orchestrator.on.bind(o.orchestrator);
      let lines: ChatSeen[] = [];
      const arrivals = new Map<string, { at: number; platform: ChatPlatform }>();
      const subs = [
        on('chat.message', ({ message: m }) => {
          lines.push({ platform: m.platform, user: m.user });
          arrivals.set(m.id, { at: clock(), platform: m.platform });
          if (arrivals.size > ARRIVALS_KEPT) arrivals.delete(arrivals.keys().next().value!);
        }),
        on('brain.decision', ({ decision: d }) => {
          if (countsForAnalytics(d)) send({ type: 'decision.made', at: clock(), respond: d.respond, reason: d.reason, input: d.input, ...(d.triggerId ? { triggerId: d.triggerId } : {}) });
        }),
        on('reply.start', (e) => {
          const arrived = e.triggerId !== undefined ? arrivals.get(e.triggerId) : undefined;
          send({
            type: 'reply.started',
            at: clock(),
            replyId: e.replyId,
            ...(e.triggerId ? { triggerId: e.triggerId } : {}),
            ...(arrived ? { platform: arrived.platform, messageAt: arrived.at } : {}),
            ...(e.promptTokens !== undefined ? { tokensIn: e.promptTokens } : {}),
          });
        }),
        on('reply.firstToken', (e) => send({ type: 'reply.reached', at: clock(), replyId: e.replyId, stage: 'llm' })),
        on('reply.sentence', (e) => {
          if (e.index === 0) send({ type: 'reply.reached', at: clock(), replyId: e.replyId, stage: 'sentence' });
        }),
        on('voice.firstByte', (e) => send({ type: 'reply.reached', at: clock(), replyId: e.replyId, stage: 'tts' })),
        on('voice.sentenceStarted', (e) => {
          if (e.first) send({ type: 'reply.reached', at: clock(), replyId: e.replyId, stage: 'audio' });
        }),
        on('reply.emotion', (e) => send({ type: 'reply.emotionNoted', replyId: e.replyId, emotion: e.emotion })),
        on('reply.done', (e) => send({ type: 'reply.written', replyId: e.replyId, emotion: e.emotion, ...(e.tokens !== undefined ? { tokens: e.tokens } : {}) })),
        on('reply.blocked', (e) => send({ type: 'reply.blocked', replyId: e.replyId, category: e.category })),
        on('reply.failed', (e) => send({ type: 'reply.failureNoted', at: clock(), replyId: e.replyId, reason: e.reason })),
        on('voice.done', (e) => send({ type: 'reply.played', at: clock(), replyId: e.replyId, interrupted: e.interrupted })),
        on('control.skip', () => send({ type: 'reply.cut', cause: 'skip' })),
        on('brain.mute', () => send({ type: 'reply.cut', cause: 'mute' })),
        on('speech.started', () => send({ type: 'reply.cut', cause: 'barge-in' })),
        on('stream.online', (e) => send({ type: 'stream.online', platform: e.platform, at: clock() })),
        on('stream.offline', (e) => send({ type: 'stream.offline', platform: e.platform, at: clock() })),
        on('viewer.forget', (e) => send({ type: 'viewer.forgotten', viewer: e.login })),
        on('chat.command', (e) => {
          if (e.command === 'skip') send({ type: 'reply.cut', cause: 'skip' });
          if (e.command === 'forgetme') send({ type: 'viewer.forgotten', viewer: `${e.message.platform}:${e.message.user}` });
        }),
      ];
      const onStatus = (s: ServiceStatus) => {
        if (s.service === SERVICE) return;
        send({ type: 'service.changed', at: clock(), service: s.service, state: s.state, ...(s.fault ? { fault: s.fault } : {}) });
      };
      o.status.on('change', onStatus);

      // A second's chat lines go to the machine at once, and what it emitted goes to disk.
      const flushTimer = setInterval(() => {
        if (lines.length > 0) {
          send({ type: 'chat.tally', lines });
          lines = [];
        }
        writer.flush();
      }, o.tuning?.flushMs ?? 1000);
      flushTimer.unref();
      let cpu = process.cpuUsage();
      let sampledAt = clock();
      const sample = () => {
        const used = process.cpuUsage(cpu);
        const at = clock();
        const cpuPct = at > sampledAt ? ((used.user + used.system) / 1000 / (at - sampledAt)) * 100 : 0;
        cpu = process.cpuUsage();
        sampledAt = at;
        send({ type: 'process.sampled', rssMb: Math.round(process.memoryUsage.rss() / 1048576), cpuPct: Math.round(cpuPct * 10) / 10, memories: o.memorySize() });
      };
      const sampleTimer = setInterval(sample, o.tuning?.sampleMs ?? 10_000);
      sampleTimer.unref();
      const pruneTimer = setInterval(() => writer.prune(o.keepDays, Date.now()), 86_400_000);
      pruneTimer.unref();
      stops.push(() => {
        if (lines.length > 0) send({ type: 'chat.tally', lines });
        send({ type: 'analytics.close', at: clock() });
        for (const s of subs) s.unsubscribe();
        o.status.off('change', onStatus);
        clearInterval(flushTimer);
        clearInterval(sampleTimer);
        clearInterval(pruneTimer);
      });
      send({ type: 'analytics.open', at: clock() });
      sample();
    },
    stop() {
      for (const s of stops.splice(0)) s();
      stopped = true;
      writer.flush();
    },
  };
}
