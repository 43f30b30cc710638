/**
 * What the panel has been told lately (transcript lines, decisions, the brain's state), so a
 * panel opened or reloaded mid-stream shows the recent transcript instead of an empty page.
 * The presenter records each message it sends to the panel here; nothing else writes to it.
 */
import type { BrainStatePayload, ChatDigest, PanelHistoryEntry, PanelHistoryPayload, Readiness } from './payloads.ts';

/** A panel message the history keeps: entries in order, state messages latest only. */
export type PanelKept =
  | PanelHistoryEntry
  | { event: 'brain'; data: BrainStatePayload }
  | { event: 'digest'; data: ChatDigest }
  | { event: 'readiness'; data: Readiness };

export interface PanelHistory {
  /** Transcript lines and decisions, oldest first, in the order they were sent. */
  entries(): PanelHistoryEntry[];
  /** What a new panel socket is sent as `history`. */
  payload(): PanelHistoryPayload;
  record(message: PanelKept): void;
}

export function createPanelHistory(opts: { size?: number } = {}): PanelHistory {
  const size = opts.size ?? 150;
  // Chat lines in a ring of their own: a flood of chat must not push the decisions and replies out.
  const chatRing: Array<{ seq: number; entry: PanelHistoryEntry }> = [];
  const ring: Array<{ seq: number; entry: PanelHistoryEntry }> = [];
  const latest: PanelHistoryPayload['latest'] = {};
  let seq = 0;

  const entries = () =>
    [...chatRing, ...ring].sort((a, b) => a.seq - b.seq).map(({ entry }) => entry);

  return {
    entries,
    payload: () => ({ entries: entries(), latest: { ...latest } }),
    record(message) {
      switch (message.event) {
        case 'brain':
          latest.brain = message.data;
          return;
        case 'digest':
          latest.digest = message.data;
          return;
        case 'readiness':
          latest.readiness = message.data;
          return;
        default: {
          const r = message.event === 'transcript' && message.data.kind === 'chat' ? chatRing : ring;
          r.push({ seq: (seq += 1), entry: message });
          if (r.length > size) r.shift();
        }
      }
    },
  };
}
