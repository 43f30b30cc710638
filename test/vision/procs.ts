/**
 * Process trees from /proc (Linux): which processes a process started, and what they cost.
 * Tests use it to prove that no browser runs; the vision bench to weigh Chromium.
 */
import { readdirSync, readFileSync } from 'node:fs';

export const hasProc = (() => {
  try {
    readFileSync('/proc/self/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
})();

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on every mainstream Linux). */
const TICKS_PER_SEC = 100;

interface Stat {
  pid: number;
  ppid: number;
  /** utime + stime, ms. */
  cpuMs: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(rest[1]);
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return { pid, ppid, cpuMs: ((utime + stime) * 1000) / TICKS_PER_SEC };
  } catch {
    return undefined;
  }
}

function allStats(): Stat[] {
  const out: Stat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** Every process below `root` (children, grandchildren…), not `root` itself. */
export function descendants(root: number): number[] {
  const stats = allStats();
  const children = new Map<number, number[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** A Chromium process's role from its switches: `browser`, `renderer`, `gpu-process`, `utility:AudioService`… */
export function browserRole(pid: number): string {
  const cmd = commandLine(pid);
  const type = /--type=([\w-]+)/.exec(cmd)?.[1];
  if (!type) return 'browser';
  const sub = /--utility-sub-type=([\w.]+)/.exec(cmd)?.[1];
  return sub ? `${type}:${sub.split('.').pop()}` : type;
}

/** CPU time (ms) of each process in `pids`, by pid. */
export function cpuByPid(pids: readonly number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, readStat(pid)?.cpuMs ?? 0]));
}

/** Browser processes started by `root` (Chrome, Chromium, Edge, and their helpers). */
export function browserDescendants(root = process.pid): number[] {
  return descendants(root).filter((pid) => /chrom|msedge|brave/i.test(commandLine(pid)));
}

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Proportional set size: each shared page divided among the processes sharing it (so sums are honest). */
function pssBytes(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : rssBytes(pid);
  } catch {
    return rssBytes(pid);
  }
}

/** CPU time (ms, since each process started) and memory of `root` and everything below it
 *  (or of the given `pids`: finding the tree scans every process on the machine). */
export function treeUsage(root: number, known?: readonly number[]): { cpuMs: number; rssBytes: number; pssBytes: number; processes: number } {
  const pids = known ?? [root, ...descendants(root)];
  let cpuMs = 0;
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    cpuMs += readStat(pid)?.cpuMs ?? 0;
    rss += rssBytes(pid);
    pss += pssBytes(pid);
  }
  return { cpuMs, rssBytes: rss, pssBytes: pss, processes: pids.length };
}
