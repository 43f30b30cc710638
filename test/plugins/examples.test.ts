/**
 * The two example plugins in plugins/examples, loaded by a real Pickle (PLUGINS=…) against the
 * stand-ins: a file-tail input and a webhook output (POSTing to a local HTTP server). And the
 * isolation promise end to end: plugins that throw at start or later are stopped and shown
 * `down` on /health while Pickle keeps replying.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import type { PluginChatInput, PluginContext } from '../../src/plugins/types.ts';
import fileTail, { parseLine } from '../../plugins/examples/file-tail.ts';
import { CHANNEL, startRig, type Rig } from '../integration/harness.ts';

const EXAMPLES = resolve(import.meta.dirname, '../../plugins/examples');

let rig: Rig | undefined;
let tmp: string | undefined;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
  for (const c of cleanups.splice(0)) await c();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A PluginContext without Pickle around it, for unit tests of a plugin. */
function fakeContext(config: Record<string, string>) {
  const emitted: PluginChatInput[] = [];
  const statuses: Array<{ state: string; detail: string; fix?: string }> = [];
  const timers: NodeJS.Timeout[] = [];
  const errors: unknown[] = [];
  const ctrl = new AbortController();
  const guard =
    <A extends unknown[]>(fn: (...a: A) => unknown) =>
    (...a: A) => {
      try {
        const r = fn(...a);
        if (r instanceof Promise) r.catch((e: unknown) => errors.push(e));
      } catch (e) {
        errors.push(e);
      }
    };
  const ctx: PluginContext = {
    name: 'file-tail',
    config,
    dataDir: '/nonexistent',
    log: silentLogger(),
    signal: ctrl.signal,
    emit: (i) => void emitted.push(i),
    setStatus: (state, detail, fix) => void statuses.push({ state, detail, ...(fix ? { fix } : {}) }),
    guard,
    setInterval: (fn, ms) => void timers.push(setInterval(guard(fn), ms)),
    setTimeout: (fn, ms) => void timers.push(setTimeout(guard(fn), ms)),
  };
  cleanups.push(() => {
    for (const t of timers) clearInterval(t);
    ctrl.abort();
  });
  return { ctx, emitted, statuses, errors };
}

async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('file-tail (unit, with a fake context)', () => {
  it('parses "name: text" lines, else uses the configured user', () => {
    expect(parseLine('sam: pickle hi there', 'mods')).toEqual({ user: 'sam', text: 'pickle hi there' });
    expect(parseLine('just a question?\r', 'mods')).toEqual({ user: 'mods', text: 'just a question?' });
    expect(parseLine('   ', 'mods')).toBeUndefined();
    expect(parseLine('http://x.y: z', 'mods')).toEqual({ user: 'mods', text: 'http://x.y: z' });
  });

  it('only new lines, whole lines only (UTF-8 split across writes), restarts after truncation and rotation, waits for a missing file', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pickle-tail-'));
    const file = join(tmp, 'chat.txt');
    writeFileSync(file, 'old: line before start\n');
    const f = fakeContext({ path: file, intervalMs: '20', user: 'mods' });
    await fileTail.start(f.ctx);
    await sleep(60);
    expect(f.emitted).toEqual([]);
    appendFileSync(file, 'sam: first\nhalf of a li');
    await until(() => f.emitted.length === 1, 'first line');
    const crab = Buffer.from('ne with a crab 🦀\n', 'utf8');
    appendFileSync(file, crab.subarray(0, crab.length - 3)); // cut inside the emoji
    await sleep(60);
    expect(f.emitted).toHaveLength(1);
    appendFileSync(file, crab.subarray(crab.length - 3));
    await until(() => f.emitted.length === 2, 'the joined line');
    expect(f.emitted).toEqual([
      { user: 'sam', text: 'first' },
      { user: 'mods', text: 'half of a line with a crab 🦀' },
    ]);
    writeFileSync(file, 'ana: after truncate\n'); // shorter than before: start over
    await until(() => f.emitted.length === 3, 'line after truncation');
    renameSync(file, `${file}.1`);
    await until(() => f.statuses.some((s) => s.state === 'degraded'), 'waiting for the file');
    writeFileSync(file, 'bo: new file\n');
    await until(() => f.emitted.length === 4, 'line of the new file');
    expect(f.emitted.slice(2)).toEqual([
      { user: 'ana', text: 'after truncate' },
      { user: 'bo', text: 'new file' },
    ]);
    expect(f.statuses.at(-1)?.state).toBe('up');
    expect(f.errors).toEqual([]);
  });

  it('without PLUGIN_FILE_TAIL_PATH it is disabled with the step that enables it', async () => {
    const f = fakeContext({});
    await fileTail.start(f.ctx);
    expect(f.statuses).toEqual([{ state: 'disabled', detail: 'no file to read', fix: 'set PLUGIN_FILE_TAIL_PATH=/path/to/file.txt in .env' }]);
  });
});

describe('example plugins in a running Pickle', () => {
  it('file-tail: a line appended to the file is answered on the overlay; the plugin is an actor and a /health line', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pickle-tail-'));
    const file = join(tmp, 'questions.txt');
    rig = await startRig({
      twitch: false,
      env: { PLUGINS: join(EXAMPLES, 'file-tail.ts'), PLUGIN_FILE_TAIL_PATH: file, PLUGIN_FILE_TAIL_INTERVAL_MS: '20' },
    });
    await rig.waitFor(() => rig!.pickle.status.get('plugin:file-tail')?.state === 'degraded', 5000, 'waiting for the file');
    expect(rig.pickle.orchestrator.system.get('plugin:file-tail')).toBeDefined();
    writeFileSync(file, 'Sam: pickle what is the plan for today?\n');
    await rig.waitFor(() => rig!.captions().length > 0, 5000, 'a caption');
    const prompt = JSON.stringify(rig.llm.chatRequests()[0]!.messages);
    expect(prompt).toContain('viewer \\"Sam\\" (login \\"sam\\") wrote: \\"pickle what is the plan for today?\\"');
    const health = (await (await fetch(`${rig.pickle.url}/health`)).json()) as { services: Array<{ service: string; state: string }> };
    expect(health.services.find((s) => s.service === 'plugin:file-tail')?.state).toBe('up');
  });

  it('webhook: each spoken reply is POSTed as JSON with the bearer token; a receiver going down makes it degraded, not Pickle', async () => {
    const received: Array<{ body: any; auth: string | undefined }> = [];
    const server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        received.push({ body: JSON.parse(raw), auth: req.headers.authorization });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pickle`;
    cleanups.push(() => new Promise<void>((r) => (server.listening ? server.close(() => r()) : r())));
    rig = await startRig({
      env: { PLUGINS: join(EXAMPLES, 'webhook.ts'), PLUGIN_WEBHOOK_URL: url, PLUGIN_WEBHOOK_TOKEN: 'hook-secret-123', PLUGIN_WEBHOOK_EVENTS: 'reply.spoken' },
      tuning: { captionHoldMs: 50 },
    });
    await rig.waitFor(() => rig!.pickle.status.get('plugin:webhook')?.state === 'up', 5000, 'webhook up');
    await fetch(`${rig.pickle.url}/api/settings/persona`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cooldownSec: 0 }) });
    rig.irc!.say(CHANNEL, { user: 'sam', text: 'pickle hello!' });
    await rig.waitFor(() => received.length === 1, 5000, 'the POST');
    const said = rig.captions().at(-1);
    expect(received[0]!.auth).toBe('Bearer hook-secret-123');
    expect(received[0]!.body).toMatchObject({ type: 'reply.spoken', replyId: expect.any(String), emotion: expect.any(String), sentAt: expect.any(String) });
    expect(said).toBe(received[0]!.body.text);

    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    const before = rig.captions().length;
    rig.irc!.say(CHANNEL, { user: 'sam', text: 'pickle still there?' });
    await rig.waitFor(() => rig!.pickle.status.get('plugin:webhook')?.state === 'degraded', 5000, 'webhook degraded');
    expect(rig.pickle.status.get('plugin:webhook')?.fix).toMatch(/PLUGIN_WEBHOOK_URL/);
    expect(rig.captions().length).toBeGreaterThan(before);
    expect(JSON.stringify(rig.pickle.status.all())).not.toContain('hook-secret-123');
  });

  it('plugins that throw at start or later are stopped and reported down on /health; Pickle keeps replying', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pickle-bad-plugins-'));
    const dir = join(tmp, 'plugins');
    mkdirSync(dir);
    writeFileSync(join(dir, 'early.mjs'), `export default { name: 'early', start() { throw new Error('missing API key'); } };`);
    writeFileSync(
      join(dir, 'late.mjs'),
      `export default { name: 'late', events: ['reply.spoken'], start() {}, onEvent(e) { if (e.type === 'reply.spoken') throw new Error('cannot handle ' + e.type); } };`,
    );
    writeFileSync(join(dir, 'broken.mjs'), `export default {{`);
    rig = await startRig({ twitch: false, env: { PLUGINS_DIR: dir } });
    const say = (text: string) =>
      fetch(`${rig!.pickle.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'streamer', text }) });
    await rig.waitFor(() => rig!.pickle.status.get('plugin:early')?.state === 'down', 5000, 'early down');
    await fetch(`${rig.pickle.url}/api/settings/persona`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cooldownSec: 0 }) });
    await say('pickle one');
    await rig.waitFor(() => rig!.pickle.status.get('plugin:late')?.state === 'down', 5000, 'late down');
    await rig.waitFor(() => rig!.overlayEvents.some((e) => e.event === 'speaking' && e.data.value === false), 5000, 'end of the first reply');
    const captions = rig.captions().length;
    await say('pickle two');
    await rig.waitFor(() => rig!.captions().length > captions, 5000, 'a second reply');
    const health = (await (await fetch(`${rig.pickle.url}/health`)).json()) as { services: Array<{ service: string; state: string; detail: string; fix?: string }> };
    const line = (n: string) => health.services.find((s) => s.service === `plugin:${n}`);
    expect(line('early')).toMatchObject({ state: 'down', detail: 'failed to start and was stopped: missing API key' });
    expect(line('late')).toMatchObject({ state: 'down', detail: 'crashed on an event and was stopped: cannot handle reply.spoken' });
    expect(line('broken')?.state).toBe('down');
    for (const n of ['early', 'late', 'broken']) expect(line(n)?.fix).toMatch(/fix|remove/);
    expect(rig.pickle.orchestrator.getSnapshot().status).toBe('active');
    expect(rig.pickle.orchestrator.system.get('plugin:late')).toBeUndefined();
  });
});
