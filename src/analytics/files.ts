/**
 * The stream files (`PICKLE_DATA_DIR/streams/<id>.ndjson`, owner-only): lines are gathered and
 * appended once a second (a crash loses at most that second), rewritten only to remove a viewer
 * who asked to be forgotten, and deleted after `ANALYTICS_KEEP_DAYS`. Reading skips a line that
 * is not a record (a truncated last line after a crash, a corrupt one) and counts it.
 */
import { appendFileSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STREAM_ID_RE, type StreamLine } from '../../machines/analytics/records.ts';
import { matchesViewer } from '../../machines/analytics/minute.ts';
import { DIR_MODE, FILE_MODE } from '../security/dataDir.ts';

export const STREAMS_FOLDER = 'streams';
const SUFFIX = '.ndjson';
const KINDS = new Set(['stream', 'reply', 'minute', 'engaged', 'end']);

export interface StreamFile {
  lines: StreamLine[];
  /** Lines skipped: not JSON, or not a stream record. */
  corrupt: number;
}

export const fileOf = (dir: string, id: string) => join(dir, `${id}${SUFFIX}`);

/** The stream ids stored, newest first. */
export function storedStreams(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(SUFFIX) && STREAM_ID_RE.test(n.slice(0, -SUFFIX.length)))
    .map((n) => n.slice(0, -SUFFIX.length))
    .sort()
    .reverse();
}

/** What changes when a stream file changes (its time and size), to reuse what was read from it. */
export function fileStamp(dir: string, id: string): string | undefined {
  try {
    const st = statSync(fileOf(dir, id));
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return undefined;
  }
}

/** One stream's lines; undefined when there is no such stream (or the id is not one). */
export function readStreamFile(dir: string, id: string): StreamFile | undefined {
  if (!STREAM_ID_RE.test(id)) return undefined;
  let text: string;
  try {
    text = readFileSync(fileOf(dir, id), 'utf8');
  } catch {
    return undefined;
  }
  return parseLines(text);
}

export function parseLines(text: string): StreamFile {
  const lines: StreamLine[] = [];
  let corrupt = 0;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const line = parseLine(raw);
    if (line) lines.push(line);
    else corrupt += 1;
  }
  return { lines, corrupt };
}

function parseLine(raw: string): StreamLine | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const k: unknown = (v as { k?: unknown }).k;
  const t: unknown = (v as { t?: unknown }).t;
  if (typeof k !== 'string' || !KINDS.has(k) || typeof t !== 'number' || !Number.isFinite(t)) return undefined;
  // Written by Pickle itself (the folder is owner-only); the kind and time are checked, the rest is read defensively.
  return v as StreamLine;
}

export interface StreamWriterOptions {
  dir: string;
  /** Called when a write fails (the folder became unwritable, the disk is full). */
  onError(err: Error): void;
  /** Called when writing works again after a failure. */
  onRecovered?(): void;
}

export interface StreamWriter {
  append(streamId: string, line: StreamLine): void;
  /** Writes what is gathered (the recorder calls it once a second and at stop). */
  flush(): void;
  /** Removes a viewer (`login` on any platform, or `platform:login`) from every stored stream. */
  forget(viewer: string): number;
  /** Deletes streams last written more than `days` ago; returns how many. */
  prune(days: number, now: number): number;
}

/** Lines kept for a folder that cannot be written, so a short outage loses nothing (beyond it, the oldest go). */
const MAX_PENDING = 5_000;

/** Creates the folder (owner-only); throws when it cannot be created or written. */
export function openStreamFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  const probe = join(dir, '.write-test');
  writeFileSync(probe, '', { mode: FILE_MODE });
  unlinkSync(probe);
}

export function streamWriter(o: StreamWriterOptions): StreamWriter {
  let pending: Array<{ id: string; text: string }> = [];
  let failing = false;
  const flush = () => {
    if (pending.length === 0) return;
    const byStream = new Map<string, string[]>();
    for (const p of pending) (byStream.get(p.id) ?? byStream.set(p.id, []).get(p.id)!).push(p.text);
    try {
      for (const [id, texts] of byStream) appendFileSync(fileOf(o.dir, id), texts.join(''), { mode: FILE_MODE });
      pending = [];
      if (failing) {
        failing = false;
        o.onRecovered?.();
      }
    } catch (err) {
      // Appends are whole lines: a stream written before the failure keeps its lines; the rest stay pending.
      if (pending.length > MAX_PENDING) pending = pending.slice(-MAX_PENDING);
      failing = true;
      o.onError(err instanceof Error ? err : new Error(String(err)));
    }
  };
  return {
    append(id, line) {
      pending.push({ id, text: `${JSON.stringify(line)}\n` });
    },
    flush,
    forget(viewer) {
      flush();
      let changed = 0;
      for (const id of storedStreams(o.dir)) {
        const path = fileOf(o.dir, id);
        let text: string;
        try {
          text = readFileSync(path, 'utf8');
        } catch {
          continue;
        }
        const out: string[] = [];
        let touched = false;
        for (const raw of text.split('\n')) {
          if (raw === '') continue;
          const line = parseLine(raw);
          if (line?.k === 'engaged') {
            const top = line.top.filter((e) => !matchesViewer(e.viewer, viewer));
            if (top.length !== line.top.length) touched = true;
            out.push(JSON.stringify({ ...line, top }));
          } else if (!line && raw.toLowerCase().includes(viewer.toLowerCase())) {
            touched = true; // a damaged line that may name them goes too
          } else out.push(raw);
        }
        if (!touched) continue;
        const tmp = `${path}.tmp`;
        writeFileSync(tmp, out.map((l) => `${l}\n`).join(''), { mode: FILE_MODE });
        renameSync(tmp, path);
        changed += 1;
      }
      return changed;
    },
    prune(days, now) {
      let removed = 0;
      for (const id of storedStreams(o.dir)) {
        const path = fileOf(o.dir, id);
        try {
          if (statSync(path).mtimeMs < now - days * 86_400_000) {
            unlinkSync(path);
            removed += 1;
          }
        } catch {
          /* gone meanwhile */
        }
      }
      return removed;
    },
  };
}
