/**
 * Where the embedded Chroma's own port lives. Its server (the Rust `chroma run` in the chromadb
 * package) has no authentication and answers any Host header, and it only listens on TCP: on
 * this PC's loopback, any local program or a web page that rebinds a name to 127.0.0.1 could
 * reach it. So on Linux it runs in a network namespace of its own (`unshare --user --net`, no
 * privileges needed): its port exists only in there, and the one way in is a Unix socket in a
 * folder only this user can open, bridged by the child (chromaChild.mjs) and reached only through
 * Pickle's lock (chromaLock.ts: token, Host and Origin checked). Where user namespaces are not
 * available (macOS, Windows, some containers and hardened kernels), Chroma listens on a random
 * port of a random loopback address instead, behind the same lock, and /health says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Isolation {
  /** The command and arguments that run `argv` inside a fresh network namespace with loopback up. */
  wrap(argv: string[]): { command: string; args: string[] };
}

function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

let probed: Isolation | undefined | null = null;

/** A network namespace for Chroma, when this machine allows one without privileges (probed once). */
export function chromaIsolation(): Isolation | undefined {
  if (probed !== null) return probed;
  probed = undefined;
  if (process.platform !== 'linux') return probed;
  const unshare = which('unshare');
  const ip = which('ip');
  if (!unshare || !ip) return probed;
  const prefix = ['--user', '--map-root-user', '--net', '--'];
  const ok = spawnSync(unshare, [...prefix, ip, 'link', 'set', 'lo', 'up'], { stdio: 'ignore', timeout: 5000 });
  if (ok.status !== 0) return probed;
  probed = {
    // `exec` keeps one process: the pid Pickle holds, its signals and its stdin lifeline are Chroma's own.
    wrap: (argv) => ({ command: unshare, args: [...prefix, '/bin/sh', '-c', `'${ip}' link set lo up && exec "$0" "$@"`, ...argv] }),
  };
  return probed;
}
