/**
 * Where long-term memory lives: the embedded Chroma server (a child process Pickle starts,
 * watches and stops), or an external one (CHROMA_URL: Pickle starts nothing and only watches).
 *
 * Either way the rest of src/memory sees a `ChromaLink`: a URL and `up` / `down` events.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createActor, type Actor, type AnyActorRef } from 'xstate';
import { reconnectMachine, type ReconnectEmitted } from '../../machines/reconnect.ts';
import type { Logger } from '../log.ts';
import { backendHost, startChromaLock, type ChromaLock } from './chromaLock.ts';
import { chromaIsolation, type Isolation } from './chromaIsolation.ts';

export interface ChromaLink extends EventEmitter<{ up: []; down: [reason: string] }> {
  readonly url: string;
  /** Headers every request to `url` must carry (the embedded Chroma's lock token). */
  readonly headers: Record<string, string>;
  readonly up: boolean;
  readonly managed: boolean;
  /**
   * The embedded server's own port is in a network namespace of its own (reached only through a
   * Unix socket and the lock); false: it listens on this PC's loopback, behind the lock.
   */
  readonly isolated: boolean;
  /** Pid of the embedded server while it runs. */
  readonly pid: number | undefined;
  /** Why it is down (last error), for the status line. */
  readonly lastError: string | undefined;
  /** Something failed talking to it: check now instead of waiting for the next beat. */
  suspect(): void;
  /** The machine that decides when the embedded server is (re)started, for the inspector. */
  readonly machine?: AnyActorRef;
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./chromaChild.mjs', import.meta.url));

export async function heartbeat(url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/v2/heartbeat`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface EmbeddedChromaOptions {
  /** `PICKLE_DATA_DIR/chromadb`. */
  path: string;
  log: Logger;
  /** First restart delay after a crash; doubles up to 30 s while it keeps dying. */
  restartMs?: number;
  /** How long a start may take before it counts as failed. */
  startTimeoutMs?: number;
  /** Heartbeat interval while up. */
  beatMs?: number;
  /** Where Chroma's own port lives (default: probed, see chromaIsolation.ts); false: this PC's loopback. */
  isolation?: Isolation | false;
}

/**
 * The embedded server's life: when to (re)start it is the reconnect machine's (machines/reconnect.ts):
 * a crash or a start that does not answer within `startTimeoutMs` → restart after `restartMs`,
 * doubling while it keeps dying (no jitter: one local child has nobody to fall in step with);
 * no embedded Chroma for this platform (exit code 3) → stop, restarting cannot help.
 */
class EmbeddedChroma extends EventEmitter<{ up: []; down: [reason: string] }> implements ChromaLink {
  readonly managed = true;
  readonly isolated: boolean;
  readonly url: string;
  readonly headers: Record<string, string>;
  up = false;
  lastError: string | undefined;
  private child: ChildProcess | undefined;
  private stopping = false;
  private readonly life: Actor<typeof reconnectMachine>;
  /** How the last child ended, for the restart's log line and the `down` reason. */
  private lastExit: { code: number | null; signal: NodeJS.Signals | null; output: string; wasUp: boolean } | undefined;
  private beatTimer: NodeJS.Timeout | undefined;
  private output: string[] = [];
  private readonly killOnExit = () => this.child?.kill('SIGKILL');
  private readonly isolation: Isolation | undefined;
  /** A folder only this user can open, holding the Unix socket into Chroma's namespace. */
  private readonly socketDir: string | undefined;

  constructor(
    private readonly opts: EmbeddedChromaOptions,
    private readonly lock: ChromaLock,
  ) {
    super();
    this.url = lock.url;
    this.headers = lock.headers;
    mkdirSync(opts.path, { recursive: true });
    this.isolation = opts.isolation === false ? undefined : (opts.isolation ?? chromaIsolation());
    this.isolated = this.isolation !== undefined;
    // Short (a Unix socket's path is limited to ~100 bytes) and private (mkdtemp makes it 0700).
    this.socketDir = this.isolation ? mkdtempSync(join(tmpdir(), 'pickle-chroma-')) : undefined;
    // Last resort when Pickle exits without stop() (process.exit on a second Ctrl+C, a crash).
    process.on('exit', this.killOnExit);
    const restartMs = opts.restartMs ?? 500;
    // A system of its own: memory starts before the orchestrator, so that the first reply can recall.
    this.life = createActor(reconnectMachine, {
      systemId: 'reconnect:chroma',
      input: { baseMs: restartMs, maxMs: Math.min(30_000, restartMs * 2 ** 6), connectTimeoutMs: opts.startTimeoutMs ?? 20_000 },
    });
    this.life.on('connection.open', () => void this.spawnChild().catch((err: Error) => this.startFailed(err)));
    this.life.on('connection.retrying', (e) => this.onRetrying(e));
    this.life.on('connection.failed', (e) => this.onUnavailable(e));
    this.life.start();
  }

  get machine(): AnyActorRef {
    return this.life;
  }

  begin(): void {
    this.life.send({ type: 'connection.start' });
  }

  get pid() {
    return this.up ? this.child?.pid : undefined;
  }

  /** The command that starts Chroma, and where the lock reaches it. */
  private async command(): Promise<{ command: string; args: string[]; port: number }> {
    if (this.isolation && this.socketDir) {
      // In its own network namespace nothing else listens: any port will do, and nobody outside sees it.
      const socketPath = join(this.socketDir, 'chroma.sock');
      this.lock.target({ socketPath });
      const argv = [process.execPath, CHILD, '--path', this.opts.path, '--host', '127.0.0.1', '--port', '8000', '--socket', socketPath];
      return { ...this.isolation.wrap(argv), port: 8000 };
    }
    // Behind the lock (chromaLock.ts): a loopback address and port no web page can guess.
    let host = backendHost();
    const port = await freePort(host).catch(async () => {
      host = '127.0.0.1';
      return freePort(host);
    });
    this.lock.target({ host, port });
    return { command: process.execPath, args: [CHILD, '--path', this.opts.path, '--host', host, '--port', String(port)], port };
  }

  private async spawnChild(): Promise<void> {
    if (this.stopping) return;
    const { command, args, port } = await this.command();
    this.output = [];
    const log = this.opts.log;
    const child = spawn(command, args, {
      // stdin is the lifeline (see chromaChild.mjs); own process group so a Ctrl+C in the terminal
      // reaches Pickle only, and Pickle stops Chroma after the last writes are flushed.
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, NO_COLOR: '1' },
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        const clean = line.replace(/\x1b\[[0-9;]*m/g, '').trim();
        if (!clean) continue;
        this.output.push(clean);
        if (this.output.length > 20) this.output.shift();
        log.debug({ event: 'chroma.output', line: clean }, 'chroma');
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.stdin?.on('error', () => {});
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    log.info({ event: 'chroma.spawn', pid: child.pid, port, isolated: this.isolated, path: this.opts.path }, 'starting embedded Chroma');

    // Until it answers, it exits, or the machine's start timeout drops it.
    while (!this.stopping && this.child === child && child.exitCode === null && child.signalCode === null) {
      if (await heartbeat(this.url, 1000, this.headers)) {
        if (this.child !== child || this.stopping) return;
        this.lastError = undefined;
        this.up = true;
        log.info({ event: 'chroma.up', pid: child.pid, url: this.url }, 'embedded Chroma is up');
        this.life.send({ type: 'connection.opened' });
        this.emit('up');
        this.scheduleBeat();
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private startFailed(err: Error): void {
    this.lastError = err.message;
    this.opts.log.error({ event: 'chroma.start', err: err.message }, 'Chroma start failed');
    this.lastExit = undefined;
    this.life.send({ type: 'connection.lost', failure: 'retryable', reason: err.message, jitter: 1 });
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    clearTimeout(this.beatTimer);
    const was = this.up;
    this.up = false;
    if (this.stopping) return;
    const tail = this.output.filter((l) => !/^[#(\s]+$/.test(l)).slice(-2).join(' / ');
    this.lastError = `Chroma exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`;
    this.lastExit = { code, signal, output: tail, wasUp: was };
    // Exit code 3: no embedded Chroma for this platform (or its package is missing).
    if (code === 3) this.life.send({ type: 'connection.lost', failure: 'fatal', reason: tail || 'the embedded Chroma cannot run on this machine', jitter: 1 });
    else this.life.send({ type: 'connection.lost', failure: 'retryable', reason: this.lastError, jitter: 1 });
  }

  private onRetrying(e: Extract<ReconnectEmitted, { type: 'connection.retrying' }>): void {
    if (e.cause === 'timeout') {
      const child = this.child;
      this.child = undefined;
      child?.kill('SIGKILL');
      this.lastError = `Chroma did not answer within ${Math.round((this.opts.startTimeoutMs ?? 20_000) / 1000)} s`;
      this.lastExit = undefined;
    }
    const exit = this.lastExit;
    this.opts.log.warn(
      { event: 'chroma.exit', code: exit?.code, signal: exit?.signal, output: exit?.output, restartInMs: e.retryInMs },
      'embedded Chroma stopped; restarting',
    );
    // Down while it was up, or a start that failed: either way writes go to the journal until it is back.
    this.emit('down', exit?.wasUp ? (this.lastError ?? e.reason) : `${this.lastError ?? e.reason} (while starting)`);
  }

  private onUnavailable(e: Extract<ReconnectEmitted, { type: 'connection.failed' }>): void {
    this.opts.log.error({ event: 'chroma.unavailable', output: this.lastExit?.output }, 'embedded Chroma cannot run here');
    this.emit('down', e.reason);
  }

  private scheduleBeat(): void {
    clearTimeout(this.beatTimer);
    this.beatTimer = setTimeout(() => void this.beat(), this.opts.beatMs ?? 5000);
    this.beatTimer.unref();
  }

  /** A live process that stops answering (hung) is killed and restarted. */
  private async beat(): Promise<void> {
    if (!this.up || this.stopping) return;
    const child = this.child;
    if (await heartbeat(this.url, 3000, this.headers)) return this.scheduleBeat();
    if (await heartbeat(this.url, 3000, this.headers)) return this.scheduleBeat();
    if (child && this.child === child) {
      this.opts.log.warn({ event: 'chroma.hung', pid: child.pid }, 'embedded Chroma stopped answering; restarting it');
      child.kill('SIGKILL');
    }
  }

  suspect(): void {
    if (this.up) void this.beat();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.life.send({ type: 'connection.stop' });
    clearTimeout(this.beatTimer);
    const child = this.child;
    this.up = false;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    this.child = undefined;
    process.off('exit', this.killOnExit);
    await this.lock.close();
    if (this.socketDir) rmSync(this.socketDir, { recursive: true, force: true });
  }
}

export async function startEmbeddedChroma(opts: EmbeddedChromaOptions): Promise<ChromaLink> {
  const link = new EmbeddedChroma(opts, await startChromaLock());
  link.begin();
  return link;
}

class ExternalChroma extends EventEmitter<{ up: []; down: [reason: string] }> implements ChromaLink {
  readonly managed = false;
  readonly isolated = false;
  readonly pid = undefined;
  readonly headers: Record<string, string>;
  up = false;
  lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private checking = false;

  constructor(
    readonly url: string,
    private readonly log: Logger,
    private readonly beatMs: number,
    token: string | undefined,
  ) {
    super();
    // Chroma's token auth reads `Authorization: Bearer` by default, or `X-Chroma-Token` (Chroma Cloud, or
    // chroma_auth_token_transport_header): both are sent, the server checks the one it is set to.
    this.headers = token ? { authorization: `Bearer ${token}`, 'x-chroma-token': token } : {};
  }

  async check(): Promise<void> {
    if (this.stopped || this.checking) return;
    this.checking = true;
    const ok = await heartbeat(this.url, 2000, this.headers);
    this.checking = false;
    if (this.stopped) return;
    if (ok && !this.up) {
      this.up = true;
      this.lastError = undefined;
      this.log.info({ event: 'chroma.up', url: this.url }, 'Chroma is reachable');
      this.emit('up');
    } else if (!ok && (this.up || this.lastError === undefined)) {
      this.up = false;
      this.lastError = `Chroma at ${this.url} does not answer`;
      this.log.warn({ event: 'chroma.down', url: this.url }, 'Chroma is not reachable');
      this.emit('down', this.lastError);
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), this.up ? this.beatMs : Math.min(this.beatMs, 2000));
    this.timer.unref();
  }

  suspect(): void {
    void this.check();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

export function watchExternalChroma(url: string, log: Logger, beatMs = 5000, token?: string): ChromaLink {
  const link = new ExternalChroma(url.replace(/\/$/, ''), log, beatMs, token);
  void link.check();
  return link;
}
