/**
 * `npm run bench -- startup`: what Pickle costs on a streamer's PC, with no keys and long-term memory
 * on (the embedded Chroma), as `npm start` runs it.
 *
 * - Time from the command to the first `200` from `/health`, `--runs` times (default 5), median:
 *   `npm start` and `node --import tsx src/main.ts` alternately, side by side (npm's own share).
 * - Each heavy module's import cost (time and resident memory), each in a fresh Node process.
 * - Idle: after start-up settles, the tree's CPU over `--idle-seconds` (default 60) as a percentage of
 *   one core, and each process's resident memory at the end.
 *
 * Goals (issue: light and quick): median to /health ≤ 2.0 s; idle tree ≤ 300 MB; ≤ 1 % of a core idle.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeRestartablePort } from '../test/standins/restartablePort.ts';
import { processTree, TICKS_PER_SECOND } from './_procTree.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HEAVY = ['puppeteer-core', '@huggingface/transformers', 'openai', 'obs-websocket-js', '@deepgram/sdk', 'chromadb', 'tmi.js', 'socket.io', 'express'];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Launcher = 'npm start' | 'node --import tsx';

/** Pickle's environment here: no keys, memory on, nothing inherited that would turn a feature on. */
function pickleEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    PICKLE_DATA_DIR: dataDir,
    PORT: String(port),
    MEMORY_ENABLED: 'true',
    // Nobody listens there: the LLM is `down`, as on a PC whose Ollama is not started yet.
    OLLAMA_HOST: 'http://127.0.0.1:9',
    npm_config_update_notifier: 'false',
  };
}

function launch(how: Launcher, dataDir: string, port: number): ChildProcess {
  const [cmd, ...args] = how === 'npm start' ? ['npm', 'start', '--silent'] : [process.execPath, '--import', 'tsx', 'src/main.ts'];
  return spawn(cmd!, args, { cwd: ROOT, env: pickleEnv(dataDir, port), stdio: 'ignore', detached: true });
}

async function untilHealthy(port: number, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Pickle exited (${child.exitCode}) before /health answered`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`no /health in ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Ctrl+C to the whole group, as a terminal would; SIGKILL if it lingers. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGINT');
  } catch {
    return;
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  if ((await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)])) === false) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // Its Chroma child lets go of the data folder a moment after.
  await sleep(300);
}

async function timeToHealth(how: Launcher, dataDir: string): Promise<number> {
  const port = await freeRestartablePort();
  const t0 = performance.now();
  const child = launch(how, dataDir, port);
  try {
    await untilHealthy(port, child);
    return Math.round(performance.now() - t0);
  } finally {
    await stopGroup(child);
  }
}

async function importCost(name: string): Promise<{ module: string; ms: number; rssMB: number }> {
  const script = `const r0 = process.memoryUsage().rss; const t0 = performance.now(); await import(${JSON.stringify(name)});
const ms = performance.now() - t0; process.stdout.write(JSON.stringify({ ms, rss: process.memoryUsage().rss - r0 }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once('exit', r));
  const r = JSON.parse(out) as { ms: number; rss: number };
  return { module: name, ms: Math.round(r.ms), rssMB: Math.round(r.rss / 104_857.6) / 10 };
}

async function idle(dataDir: string, seconds: number) {
  const port = await freeRestartablePort();
  const child = launch('npm start', dataDir, port);
  try {
    await untilHealthy(port, child);
    // Start-up's own work (Chroma's first queries, the embedder's load, the first status lines) settles first.
    await sleep(10_000);
    const ticks = () => processTree(child.pid!).reduce((n, p) => n + p.cpuTicks, 0);
    const before = ticks();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const used = (ticks() - before) / TICKS_PER_SECOND;
    const elapsed = (performance.now() - t0) / 1000;
    const tree = processTree(child.pid!);
    return {
      seconds: Math.round(elapsed),
      cpuPercentOfOneCore: Math.round((used / elapsed) * 1000) / 10,
      treeRssMB: Math.round(tree.reduce((n, p) => n + p.rssMB, 0)),
      processes: tree.map((p) => ({ command: p.command, rssMB: p.rssMB })),
    };
  } finally {
    await stopGroup(child);
  }
}

export default async function run(args: string[]): Promise<Record<string, unknown>> {
  const opt = (name: string, dflt: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const runs = opt('runs', 5);
  const idleSeconds = opt('idle-seconds', 60);
  const dataDir = mkdtempSync(join(tmpdir(), 'pickle-bench-startup-'));
  try {
    // One start first: it creates the data folder and Chroma's files, as a streamer's first start does.
    const firstStartMs = await timeToHealth('npm start', dataDir);
    const times: Record<Launcher, number[]> = { 'npm start': [], 'node --import tsx': [] };
    for (let i = 0; i < runs; i++) for (const how of ['npm start', 'node --import tsx'] as const) times[how].push(await timeToHealth(how, dataDir));
    const imports = [];
    for (const m of HEAVY) imports.push(await importCost(m));
    const idleFigures = await idle(dataDir, idleSeconds);
    return {
      firstStartMs,
      toHealthMs: {
        npmStart: { median: median(times['npm start']), runs: times['npm start'] },
        nodeImportTsx: { median: median(times['node --import tsx']), runs: times['node --import tsx'] },
      },
      imports,
      idle: idleFigures,
      goals: {
        medianToHealthUnder2s: median(times['npm start']) <= 2000,
        idleTreeUnder300MB: idleFigures.treeRssMB <= 300,
        idleCpuUnder1Percent: idleFigures.cpuPercentOfOneCore <= 1,
      },
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
