/**
 * The panel's live charts (the seed's planned analytics dashboard): every few seconds a point
 * of replies/min, reply latency p50/p95 (message → first audio), LLM tokens/s, memory size and
 * dropped messages, from the counters. The last few minutes are kept so a panel opened
 * mid-stream starts with full charts; points are pushed only while a panel is connected.
 */
import type { PanelNamespace, PanelSocket } from './namespaces.ts';
import type { Counters } from '../metrics.ts';

export interface AnalyticsPoint {
  t: number;
  repliesPerMin: number;
  latencyP50: number | null;
  latencyP95: number | null;
  tokensPerSec: number | null;
  memorySize: number | null;
  droppedPerMin: number;
  droppedTotal: number;
  received: number;
  replies: number;
  /** Each actor's state now (`brain: replying.thinking`), for the panel's status list. */
  actors?: Record<string, string>;
}

export interface AnalyticsOptions {
  counters: Counters;
  panel: PanelNamespace;
  /** Long-term memory size, when memory exists. */
  memorySize?: () => number | null | undefined;
  actors?: () => Record<string, string>;
  intervalMs?: number;
  /** Points kept (default: 5 minutes' worth). */
  keep?: number;
  now?: () => number;
}

export interface Analytics {
  history(): AnalyticsPoint[];
  /** Take a point now (tests, and the first point at start). */
  sample(): AnalyticsPoint;
  stop(): void;
}

export function startAnalytics(opts: AnalyticsOptions): Analytics {
  const intervalMs = opts.intervalMs ?? 2000;
  const keep = opts.keep ?? Math.ceil(300_000 / intervalMs);
  const now = opts.now ?? Date.now;
  const points: AnalyticsPoint[] = [];
  /** Cumulative counts over the last minute, for the per-minute rates. */
  const window: Array<{ t: number; replies: number; dropped: number }> = [];

  const sample = (): AnalyticsPoint => {
    const t = now();
    const c = opts.counters.snapshot();
    window.push({ t, replies: c.replies, dropped: c.dropped });
    while (window.length > 1 && window[0]!.t < t - 60_000) window.shift();
    const first = window[0]!;
    let memorySize: number | null = null;
    try {
      const m = opts.memorySize?.();
      if (typeof m === 'number' && Number.isFinite(m)) memorySize = m;
    } catch {
      /* memory not ready */
    }
    const point: AnalyticsPoint = {
      t,
      repliesPerMin: c.replies - first.replies,
      latencyP50: c.replyLatencyMs.p50,
      latencyP95: c.replyLatencyMs.p95,
      tokensPerSec: c.llm.tokensPerSec,
      memorySize,
      droppedPerMin: c.dropped - first.dropped,
      droppedTotal: c.dropped,
      received: c.received,
      replies: c.replies,
    };
    points.push(point);
    if (points.length > keep) points.shift();
    // Actor states are for "now" only: not kept in the history.
    return opts.actors ? { ...point, actors: opts.actors() } : point;
  };

  const tick = () => {
    const p = sample();
    if (opts.panel.sockets.size > 0) opts.panel.emit('analytics', p);
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  sample();

  const onConnection = (socket: PanelSocket) => {
    socket.emit('analytics-history', { intervalMs, points });
  };
  opts.panel.on('connection', onConnection);

  return {
    history: () => [...points],
    sample,
    stop() {
      clearInterval(timer);
      opts.panel.off('connection', onConnection);
    },
  };
}
