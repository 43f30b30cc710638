/** Chat logs in the common `[YYYY-MM-DD HH:MM:SS UTC] user: message` format (Chatterino, logviewer exports). */

export interface LoggedLine {
  ts: number;
  user: string;
  text: string;
}

const LINE = /^\[(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?(?: ?(UTC|Z))?\]\s+#?[^\s:]*?([A-Za-z0-9_]{1,25}):\s?(.*)$/;

export function parseChatLog(content: string): { lines: LoggedLine[]; skipped: number } {
  const lines: LoggedLine[] = [];
  let skipped = 0;
  for (const raw of content.split(/\r?\n/)) {
    if (!raw.trim()) continue;
    const m = LINE.exec(raw.trim());
    if (!m || !m[5]?.trim()) {
      skipped += 1;
      continue;
    }
    const ts = Date.parse(`${m[1]}T${m[2]}Z`);
    if (Number.isNaN(ts)) {
      skipped += 1;
      continue;
    }
    lines.push({ ts, user: m[4]!, text: m[5].trim().slice(0, 500) });
  }
  return { lines, skipped };
}

/** Wait before each line: the original gap divided by speed, long silences capped. */
export function replayDelays(lines: readonly LoggedLine[], speed: number, maxGapMs: number): number[] {
  return lines.map((l, i) => (i === 0 ? 0 : Math.min(maxGapMs, Math.max(0, l.ts - lines[i - 1]!.ts) / speed)));
}
