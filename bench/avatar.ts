import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startRig, type Rig } from '../test/integration/harness.ts';
import { chromiumPath } from '../test/screens/browser.ts';
import { buildTestVrm } from '../test/fixtures/testVrm.ts';

/**
 * avatar: what drawing the VRM model costs, at 1920×1080 in headless Chromium on software GL
 * (SwiftShader, as on a PC without a usable GPU): frame time p50/p95 and the browser's CPU
 * (every Chromium process, in % of one core), side by side in one run with the built-in SVG face
 * on the same page size. The model idles (breathing, blinks, saccades from the avatar machine).
 * Goal: VRM p95 ≤ 33 ms (30 fps).
 */
const SECONDS = 8;

export default async function avatarBench(args: string[]): Promise<Record<string, unknown>> {
  const seconds = Number(args[0] ?? SECONDS);
  if (!chromiumPath) return { skipped: 'no Chromium found (CHROME_PATH)' };
  const dataDir = mkdtempSync(join(tmpdir(), 'pickle-bench-avatar-'));
  writeFileSync(join(dataDir, 'bot.vrm'), buildTestVrm({ name: 'Bench Bot' }));
  let vrmRig: Rig | undefined;
  let faceRig: Rig | undefined;
  let browser: Browser | undefined;
  try {
    vrmRig = await startRig({ twitch: false, dataDir, env: { AVATAR_MODEL: 'bot.vrm' } });
    faceRig = await startRig({ twitch: false });
    browser = await puppeteer.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--disable-dev-shm-usage', '--no-first-run'],
    });
    const pid = browser.process()?.pid;
    const out: Record<string, unknown> = { viewport: '1920x1080', avatarSize: 1000, seconds, gl: 'SwiftShader' };
    // Interleaved: face, vrm, face, vrm — one run, the same machine load for both.
    const runs: Record<'face' | 'vrm', Array<{ frames: number[]; cpu: number }>> = { face: [], vrm: [] };
    for (let round = 0; round < 2; round++) {
      for (const kind of ['face', 'vrm'] as const) {
        const page = await browser.newPage();
        await page.setViewport({ width: 1920, height: 1080 });
        await page.bringToFront();
        await page.goto(`${(kind === 'vrm' ? vrmRig : faceRig).pickle.url}/overlay?avatarSize=1000`);
        if (kind === 'vrm') await page.waitForSelector('#avatar[data-model="shown"]', { timeout: 60_000 });
        await new Promise((r) => setTimeout(r, 1000));
        runs[kind].push(await measure(page, pid, seconds));
        await page.close();
      }
    }
    for (const kind of ['face', 'vrm'] as const) {
      const frames = runs[kind].flatMap((r) => r.frames).sort((a, b) => a - b);
      out[kind] = {
        frames: frames.length,
        frameMsP50: round(pct(frames, 0.5)),
        frameMsP95: round(pct(frames, 0.95)),
        fps: round(1000 / (frames.reduce((a, b) => a + b, 0) / Math.max(1, frames.length))),
        cpuPercentOfOneCore: round(runs[kind].reduce((a, r) => a + r.cpu, 0) / runs[kind].length),
      };
    }
    const vrm = out['vrm'] as { frameMsP95: number; cpuPercentOfOneCore: number };
    const face = out['face'] as { frameMsP95: number; cpuPercentOfOneCore: number };
    out['goal'] = { vrmFrameMsP95AtMost: 33, met: vrm.frameMsP95 <= 33 };
    out['ratio'] = { frameMsP95VrmOverFace: round(vrm.frameMsP95 / Math.max(0.01, face.frameMsP95)), cpuVrmOverFace: round(vrm.cpuPercentOfOneCore / Math.max(0.01, face.cpuPercentOfOneCore)) };
    return out;
  } finally {
    await browser?.close();
    await vrmRig?.stop();
    await faceRig?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measure(page: Page, pid: number | undefined, seconds: number): Promise<{ frames: number[]; cpu: number }> {
  // Every animation frame the page gets (registered once the page has loaded).
  // A string, not a function: tsx's name helper (__name) does not exist in the page.
  await page.evaluate(`(() => {
    window.__frames = [];
    let last = 0;
    function tick(t) {
      if (last) window.__frames.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
  })()`);
  const cpu0 = treeCpuTicks(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu1 = treeCpuTicks(pid);
  const wall = (performance.now() - t0) / 1000;
  const frames = await page.evaluate(() => (window as unknown as { __frames: number[] }).__frames.slice());
  // /proc ticks are 1/100 s on Linux.
  return { frames, cpu: ((cpu1 - cpu0) / 100 / wall) * 100 };
}

/** utime + stime of a process and all its descendants (/proc), in clock ticks. */
function treeCpuTicks(root: number | undefined): number {
  if (!root) return 0;
  const procs = new Map<number, { ppid: number; ticks: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(d), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) });
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    total += procs.get(p)?.ticks ?? 0;
    for (const [child, info] of procs) if (info.ppid === p) stack.push(child);
  }
  return total;
}

const pct = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0);
const round = (v: number) => Math.round(v * 10) / 10;
