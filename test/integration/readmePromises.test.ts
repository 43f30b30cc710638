/**
 * README promises that had no test: `!persona` from chat (mods only, remembered), replies posted
 * in chat (the replyInChat setting; the IRC stand-in sees the bot's PRIVMSG), and `npm run replay`
 * end to end against a running Pickle.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNEL, startRig, type Rig } from './harness.ts';

const REPO = new URL('../../', import.meta.url).pathname;
let rig: Rig | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

const getJson = async (url: string) => (await fetch(url)).json() as Promise<Record<string, unknown>>;
const put = (url: string, body: unknown) => fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('!persona from chat', () => {
  it('a mod switches the persona live, a viewer cannot, and the choice survives a restart', async () => {
    const personas = tempDir('pickle-personas-');
    copyFileSync(join(REPO, 'personas/default.yaml'), join(personas, 'default.yaml'));
    copyFileSync(join(REPO, 'personas/blocklist.txt'), join(personas, 'blocklist.txt'));
    writeFileSync(join(personas, 'grumpy.yaml'), readFileSync(join(REPO, 'personas/default.yaml'), 'utf8').replace('name: "Pickle"', 'name: "Grumpy"'));
    const dataDir = tempDir('pickle-data-');
    rig = await startRig({ personasDir: personas, dataDir });
    const url = `${rig.pickle.url}/api/settings/persona`;

    rig.irc!.say(CHANNEL, { user: 'viewer1', text: '!persona grumpy' });
    rig.irc!.say(CHANNEL, { user: 'mod1', text: '!persona nosuchone', mod: true });
    rig.irc!.say(CHANNEL, { user: 'mod1', text: '!persona grumpy', mod: true });
    const r = rig;
    await r.waitFor(() => r.console.some((l) => l.includes('Persona switched to "Grumpy"')), 10_000, 'the switch');
    expect((await getJson(url)).name).toBe('grumpy');
    // Only the mod's line counted: one switch, and the unknown name changed nothing.
    expect(r.console.filter((l) => l.includes('Persona switched')).length).toBe(1);
    expect(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).persona.name).toBe('grumpy');

    await r.stop();
    rig = await startRig({ personasDir: personas, dataDir, twitch: false });
    expect((await getJson(`${rig.pickle.url}/api/settings/persona`)).name).toBe('grumpy');
  });
});

describe('replies posted in chat', () => {
  it('with replyInChat on, the reply reaches Twitch chat as the bot; off, it does not', async () => {
    const token = 'rigbottoken0123456789';
    rig = await startRig({
      irc: { validTokens: [token] },
      env: { TWITCH_BOT_TOKEN: `oauth:${token}`, TWITCH_BOT_USERNAME: 'cohost_bot' },
    });
    const r = rig;
    let replies = 0;
    rig.ollama.responder = () => ({ emotion: 'happy', text: ++replies === 1 ? 'Hi Sam, nice to see you.' : 'Hello again Kim.' });
    await put(`${r.pickle.url}/api/settings/persona`, { replyInChat: true, cooldownSec: 0 });
    r.irc!.say(CHANNEL, { user: 'sam', text: '@Pickle first hello' });
    await r.waitFor(() => r.irc!.sent.find((s) => s.login === 'cohost_bot'), 15_000, 'the bot line in chat');
    expect(r.irc!.sent.map((s) => [s.login, s.channel, s.text])).toEqual([['cohost_bot', CHANNEL, 'Hi Sam, nice to see you.']]);

    await put(`${r.pickle.url}/api/settings/persona`, { replyInChat: false });
    r.irc!.say(CHANNEL, { user: 'kim', text: '@Pickle second hello' });
    await r.waitFor(() => r.captions().includes('Hello again Kim.'), 15_000, 'the second reply on the overlay');
    // The first reply went out well after its caption; give the second the same chance to leak.
    await new Promise((res) => setTimeout(res, 1_500));
    expect(r.irc!.sent).toHaveLength(1);
  });
});

describe('npm run replay', () => {
  function replay(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    return new Promise((resolve) => {
      const child = spawn(join(REPO, 'node_modules/.bin/tsx'), [join(REPO, 'src/tools/replay.ts'), ...args], { cwd: REPO });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => resolve({ code, out, err }));
    });
  }

  it('feeds a chat log to a running Pickle, which answers the mention in it', async () => {
    rig = await startRig({ twitch: false });
    const r = rig;
    r.ollama.responder = () => ({ emotion: 'happy', text: 'Replay heard you, Dana.' });
    const log = join(tempDir('pickle-replay-'), 'chat.txt');
    writeFileSync(
      log,
      [
        '[2024-05-01 20:00:00 UTC] alex: good evening everyone',
        'this line is not in the format',
        '[2024-05-01 20:00:04 UTC] dana: pickle are you there?',
        '[2024-05-01 20:00:05 UTC] alex: lol',
      ].join('\n'),
    );
    const res = await replay([log, '--speed', '50', '--url', r.pickle.url]);
    expect(res.code).toBe(0);
    expect(res.out).toContain('Replaying 3 lines');
    expect(res.out).toContain('1 lines skipped');
    expect(res.out).toContain('Done: 3 sent.');
    await r.waitFor(() => r.captions().includes('Replay heard you, Dana.'), 15_000, 'the reply to the replayed mention');
    expect(JSON.stringify(r.ollama.chatRequests())).toContain('pickle are you there?');
  });

  it('says clearly when Pickle is not running', async () => {
    const log = join(tempDir('pickle-replay-'), 'chat.txt');
    writeFileSync(log, '[2024-05-01 20:00:00 UTC] alex: hi\n');
    const res = await replay([log, '--url', 'http://127.0.0.1:9']);
    expect(res.code).toBe(1);
    expect(res.err).toContain('cannot reach Pickle at http://127.0.0.1:9');
  });
});

describe('an unwritable settings file', () => {
  it('a settings change is refused with 503 and the fix; !persona from a mod does not crash anything', async () => {
    const personas = tempDir('pickle-personas-');
    copyFileSync(join(REPO, 'personas/default.yaml'), join(personas, 'default.yaml'));
    copyFileSync(join(REPO, 'personas/blocklist.txt'), join(personas, 'blocklist.txt'));
    writeFileSync(join(personas, 'grumpy.yaml'), readFileSync(join(REPO, 'personas/default.yaml'), 'utf8').replace('name: "Pickle"', 'name: "Grumpy"'));
    const dataDir = tempDir('pickle-data-');
    rig = await startRig({ personasDir: personas, dataDir });
    const r = rig;
    // Root ignores file modes: a directory in the file's place makes every write fail, like a read-only disk.
    mkdirSync(join(dataDir, 'settings.json'), { recursive: true });
    const res = await put(`${r.pickle.url}/api/settings/persona`, { cooldownSec: 7 });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: expect.stringContaining('settings not saved'), fix: expect.stringContaining('writable') });
    expect((await getJson(`${r.pickle.url}/api/settings/persona`)).cooldownSec).not.toBe(7);

    r.irc!.say(CHANNEL, { user: 'mod1', text: '!persona grumpy', mod: true });
    await r.waitFor(() => r.console.some((l) => l.includes('!persona grumpy: settings not saved')), 10_000, 'the console line');
    // Still answering chat.
    r.ollama.responder = () => ({ emotion: 'happy', text: 'Still here.' });
    r.irc!.say(CHANNEL, { user: 'sam', text: '@Pickle are you ok?' });
    await r.waitFor(() => r.captions().includes('Still here.'), 15_000, 'a reply after the failed save');
  });
});
