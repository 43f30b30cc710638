/**
 * A real OBS Studio for tests: Debian's `obs-studio` (which has no Browser Source) under Xvfb, with
 * obs-websocket enabled and a password, in a HOME of its own so the streamer's OBS settings are never
 * read or written. Software GL (LLVMpipe) so it runs on a machine without a GPU.
 *
 * `realObsUnavailable()` says why such an OBS cannot run here (no binary, no Xvfb); tests then skip
 * with that one line. `stop()` / `start()` quit OBS and open it again on the same port, as a streamer
 * closing and reopening OBS would.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeRestartablePort } from '../standins/restartablePort.ts';

export interface RealObs {
  readonly url: string;
  readonly port: number;
  readonly password: string;
  /** OBS's own log so far (for a failing test's message). */
  log(): string;
  /** OBS quits (SIGTERM, then SIGKILL if it hangs); the port closes. */
  stop(): Promise<void>;
  /** OBS opens again on the same port, with the same profile and scenes. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const onPath = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** Why a real OBS cannot run on this machine, or undefined when it can. */
export function realObsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'real OBS tests run on Linux only';
  if (!onPath('obs')) return 'no `obs` binary (apt-get install obs-studio)';
  if (!onPath('Xvfb')) return 'no `Xvfb` for OBS to draw on (apt-get install xvfb)';
  return undefined;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function quit(child: ChildProcess | undefined): Promise<void> {
  if (!child) return;
  child.kill('SIGTERM');
  if (!(await waitForExit(child, 10_000))) {
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
  }
}

/** Resolves once something accepts TCP connections on the port. */
async function untilListening(port: number, child: ChildProcess, log: () => string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`OBS exited (${child.exitCode}) before listening:\n${log().slice(-2000)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`OBS did not open its WebSocket port ${port} in ${ms} ms:\n${log().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts Xvfb on a free display (it picks the number and writes it on a pipe). */
async function startXvfb(): Promise<{ display: string; proc: ChildProcess }> {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x720x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  const fd = proc.stdio[3];
  if (!fd || !('on' in fd)) throw new Error('Xvfb: no display pipe');
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not report a display in 10 s')), 10_000);
    fd.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    proc.once('exit', (code) => reject(new Error(`Xvfb exited (${code})`)));
  });
  return { display, proc };
}

export async function startRealObs(opts: { password?: string } = {}): Promise<RealObs> {
  const password = opts.password ?? 'pickle-test-obs';
  const home = mkdtempSync(join(tmpdir(), 'pickle-obs-'));
  const config = join(home, '.config', 'obs-studio');
  mkdirSync(config, { recursive: true });
  const port = await freeRestartablePort();
  // FirstRun skips the auto-configuration wizard; the WebSocket server is on, with a password.
  writeFileSync(
    join(config, 'global.ini'),
    `[General]\nFirstRun=true\n\n[OBSWebSocket]\nFirstLoad=false\nServerEnabled=true\nServerPort=${port}\nAuthRequired=true\nServerPassword=${password}\nAlertsEnabled=false\n`,
  );
  const logFile = join(home, 'obs-output.log');
  writeFileSync(logFile, '');
  const xvfb = await startXvfb();
  let obs: ChildProcess | undefined;
  const log = () => readFileSync(logFile, 'utf8');

  async function start(): Promise<void> {
    const child = spawn(
      'obs',
      // --multi: another test's OBS may be running; without it OBS waits on an "already running" dialog.
      ['--multi', '--disable-updater', '--disable-shutdown-check', '--minimize-to-tray', '--websocket_port', String(port), '--websocket_password', password],
      {
        cwd: home,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, DISPLAY: xvfb.display, LIBGL_ALWAYS_SOFTWARE: '1', QT_QPA_PLATFORM: 'xcb' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (d: Buffer) => writeFileSync(logFile, d, { flag: 'a' }));
    child.stderr?.on('data', (d: Buffer) => writeFileSync(logFile, d, { flag: 'a' }));
    obs = child;
    await untilListening(port, child, log, 60_000);
  }

  try {
    await start();
  } catch (err) {
    // Nothing is left behind when OBS does not come up: no OBS, no Xvfb, no home folder.
    await quit(obs);
    xvfb.proc.kill('SIGTERM');
    rmSync(home, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    password,
    log,
    async stop() {
      await quit(obs);
      obs = undefined;
    },
    start,
    async close() {
      await quit(obs);
      obs = undefined;
      xvfb.proc.kill('SIGTERM');
      await waitForExit(xvfb.proc, 5_000);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
