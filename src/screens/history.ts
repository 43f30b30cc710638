/**
 * What the panel has been told lately (transcript lines, decisions, the brain's state), so a
 * panel opened or reloaded mid-stream shows the recent transcript instead of an empty page.
 * Records whatever is emitted on the /panel namespace under the listed event names,
 * whoever emits it (chat, speech, vision…), and replays it to each new panel socket.
 */
import type { Namespace, Socket } from 'socket.io';

interface Entry {
  seq: number;
  event: string;
  data: unknown;
}

export interface PanelHistory {
  entries(): Array<{ event: string; data: unknown }>;
  /** Keep an entry that was not emitted (nobody was watching, so the app skipped the emit). */
  record(event: string, data: unknown): void;
  stop(): void;
}

export function recordPanelHistory(
  panel: Namespace,
  opts: { events?: readonly string[]; latest?: readonly string[]; size?: number } = {},
): PanelHistory {
  const events = new Set(opts.events ?? ['transcript', 'decision']);
  /** Events where only the latest value matters (state). */
  const latestOnly = new Set(opts.latest ?? ['brain', 'digest']);
  const size = opts.size ?? 150;
  // Chat lines in a ring of their own: a flood of chat must not push the decisions and replies out.
  const chatRing: Entry[] = [];
  const ring: Entry[] = [];
  const latest = new Map<string, unknown>();
  let seq = 0;

  const record = (event: string, data: unknown) => {
    if (events.has(event)) {
      const r = event === 'transcript' && (data as { kind?: unknown } | undefined)?.kind === 'chat' ? chatRing : ring;
      r.push({ seq: (seq += 1), event, data });
      if (r.length > size) r.shift();
    } else if (latestOnly.has(event)) {
      latest.set(event, data);
    }
  };
  const original = panel.emit.bind(panel) as (ev: string, ...a: unknown[]) => boolean;
  const patched = function (event: string, ...args: unknown[]) {
    record(event, args[0]);
    return original(event, ...args);
  };
  (panel as unknown as { emit: typeof patched }).emit = patched;

  const entries = () =>
    [...chatRing, ...ring].sort((a, b) => a.seq - b.seq).map(({ event, data }) => ({ event, data }));
  const onConnection = (socket: Socket) => {
    socket.emit('history', { entries: entries(), latest: Object.fromEntries(latest) });
  };
  panel.on('connection', onConnection);

  return {
    entries,
    record,
    stop() {
      panel.off('connection', onConnection);
      if ((panel as unknown as { emit: unknown }).emit === patched) delete (panel as unknown as { emit?: unknown }).emit;
    },
  };
}
