/**
 * A process and everything it started, read from /proc (Linux): each process's resident memory and
 * the CPU time the tree has used, for the start-up and idle benchmark.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** The command line, shortened to what says which process it is. */
  command: string;
  rssMB: number;
  /** User + system CPU time so far, in clock ticks. */
  cpuTicks: number;
}

/** Clock ticks per second for /proc/<pid>/stat (USER_HZ; 100 on Linux everywhere in practice). */
export const TICKS_PER_SECOND = 100;

function read(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields count from after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(rest[1]);
    const cpuTicks = Number(rest[11]) + Number(rest[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return { pid, ppid, command: shorten(cmdline), rssMB: Math.round(rssKb / 102.4) / 10, cpuTicks };
  } catch {
    return undefined;
  }
}

function shorten(argv: string[]): string {
  const base = (s: string) => s.split('/').at(-1) ?? s;
  const words = argv.map((a, i) => (i === 0 || a.startsWith('/') ? base(a) : a)).filter((a) => !a.startsWith('--require') && !a.includes('preflight.cjs'));
  return words.join(' ').slice(0, 80);
}

/** The process `root` and all its descendants, now. */
export function processTree(root: number): ProcInfo[] {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => read(Number(d)))
    .filter((p): p is ProcInfo => p !== undefined);
  const out: ProcInfo[] = [];
  const walk = (pid: number) => {
    const p = all.find((x) => x.pid === pid);
    if (!p) return;
    out.push(p);
    for (const child of all.filter((x) => x.ppid === pid)) walk(child.pid);
  };
  walk(root);
  return out;
}
