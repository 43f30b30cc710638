/**
 * Every stream remembered in numbers. The analytics machine (machines/analytics) decides what a
 * stream is and what it counts, from the events the orchestrator routes to it; this adapter
 * reports only what it alone sees (Pickle's start and stop, CPU and RSS samples, service
 * changes, stamped with the clock) and writes the lines the machine emits to
 * `PICKLE_DATA_DIR/streams/` (files.ts). A folder that cannot be written turns
 * `analytics: degraded` with the fix; Pickle streams on either way.
 */
import { join } from 'node:path';
import type express from 'express';
import type { AnalyticsFact } from '../../machines/analytics/machine.ts';
import { tell, type ChildHost } from '../children.ts';
import { wallClock as clock } from '../clock.ts';
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
  /** Long-term memory's size, when memory is on. */
  memorySize: () => number | null;
  /** `flushMs`: how often chat is tallied and lines are written (1 s); `record: false`: nothing is recorded (the chat-flood benchmark's baseline). */
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

export function createStreamAnalytics(o: StreamAnalyticsOptions): StreamAnalytics {
  const dir = join(o.dataDir, STREAMS_FOLDER);
  const log = o.log.child({ service: SERVICE });
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
      const t = o.tuning;
      const machine = children.start({ src: 'analytics', systemId: 'analytics', input: { ...(t?.minuteMs ? { minuteMs: t.minuteMs } : {}), ...(t?.flushMs ? { tallyMs: t.flushMs } : {}) } });
      const send = (e: AnalyticsFact) => {
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

      const onStatus = (s: ServiceStatus) => {
        if (s.service === SERVICE) return;
        send({ type: 'service.changed', at: clock(), service: s.service, state: s.state, ...(s.fault ? { fault: s.fault } : {}) });
      };
      o.status.on('change', onStatus);

      // What the machine emitted goes to disk a second at a time.
      const flushTimer = setInterval(() => writer.flush(), o.tuning?.flushMs ?? 1000);
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
        send({ type: 'analytics.close', at: clock() });
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
