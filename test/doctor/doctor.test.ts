import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from '../../src/config/env.ts';
import { runDoctor, type DoctorOptions } from '../../src/doctor/index.ts';
import type { CheckResult } from '../../src/doctor/types.ts';
import { startDeepgramStandin, type DeepgramStandin } from '../standins/deepgram.ts';
import { startHelixUsersStandin, type HelixUsersStandin } from '../standins/helixUsers.ts';
import { startObsStandin, type ObsStandin } from '../standins/obs.ts';
import { startOllamaStandin, type OllamaStandin } from '../standins/ollama.ts';
import { startOpenAiStandin, type OpenAiStandin } from '../standins/openai.ts';
import { startTwitchAuthStandin, type TwitchAuthStandin } from '../standins/twitchAuth.ts';
import { startKickStandin } from '../standins/kick.ts';
import { startYoutubeStandin } from '../standins/youtubeApi.ts';

/** `npm run doctor` against the stand-ins: the all-good case, then each failure with its fix. */

const DG_KEY = 'dg-key-0123456789abcdef';
const BOT_TOKEN = 'bottoken0123456789abcdefghij';
const READONLY_TOKEN = 'readonlytoken0123456789abcdef';
const OBS_PASSWORD = 'obs-password-42';
const LLM_KEY = 'sk-doctor-0123456789';
const CHANNEL = 'teststreamer';

let ollama: OllamaStandin;
let openai: OpenAiStandin;
let deepgram: DeepgramStandin;
let auth: TwitchAuthStandin;
let readonlyAuth: TwitchAuthStandin;
let helix: HelixUsersStandin;
let obs: ObsStandin;
let yt: Awaited<ReturnType<typeof startYoutubeStandin>>;
let kick: Awaited<ReturnType<typeof startKickStandin>>;
let dataDir: string;

beforeAll(async () => {
  ollama = await startOllamaStandin({ models: ['phi3.5:latest'] });
  openai = await startOpenAiStandin({ apiKey: LLM_KEY, models: ['gpt-4o-mini'] });
  deepgram = await startDeepgramStandin({ keys: [DG_KEY] });
  auth = await startTwitchAuthStandin({ accessTokens: [BOT_TOKEN], scopes: ['chat:read', 'chat:edit'], clientId: 'standinclientid' });
  readonlyAuth = await startTwitchAuthStandin({ accessTokens: [READONLY_TOKEN], scopes: ['chat:read'], clientId: 'standinclientid' });
  helix = await startHelixUsersStandin({ tokens: { [BOT_TOKEN]: 'standinclientid', [READONLY_TOKEN]: 'standinclientid' }, users: [{ login: CHANNEL, id: '1234', displayName: 'TestStreamer' }] });
  obs = await startObsStandin({
    password: OBS_PASSWORD,
    inputs: [{ name: 'Pickle overlay', kind: 'browser_source', settings: { url: 'http://127.0.0.1:8000/overlay', width: 1920, height: 1080, reroute_audio: true }, scenes: ['Just Chatting'] }],
  });
  yt = await startYoutubeStandin();
  kick = await startKickStandin();
  dataDir = mkdtempSync(join(tmpdir(), 'pickle-doctor-'));
});

afterAll(async () => {
  await Promise.all([ollama.close(), openai.close(), deepgram.close(), auth.close(), readonlyAuth.close(), helix.close(), obs.close(), yt.close(), kick.close()]);
  rmSync(dataDir, { recursive: true, force: true });
});

const good = (): Record<string, string> => ({
  PICKLE_DATA_DIR: dataDir,
  PORT: '0',
  OLLAMA_HOST: ollama.url,
  DEEPGRAM_API_KEY: DG_KEY,
  DEEPGRAM_URL: deepgram.url,
  TWITCH_CHANNEL: CHANNEL,
  TWITCH_BOT_TOKEN: BOT_TOKEN,
  TWITCH_AUTH_URL: auth.url,
  TWITCH_API_URL: helix.url,
  OBS_WEBSOCKET_URL: obs.url,
  OBS_WEBSOCKET_PASSWORD: OBS_PASSWORD,
  YOUTUBE_API_KEY: yt.apiKey,
  YOUTUBE_VIDEO_ID: yt.videoId,
  YOUTUBE_API_URL: yt.url,
  KICK_CHANNEL: kick.slug,
  KICK_API_URL: kick.apiUrl,
  // Most cases do not need a browser: a missing one is only a note while vision is off.
  CHROME_PATH: '/nonexistent/chrome',
});

const GB = 1024 ** 3;
const opts = (o: DoctorOptions = {}): DoctorOptions => ({
  espeakBinary: process.execPath,
  soxBinary: process.execPath,
  freeBytes: async () => 50 * GB,
  ...o,
});

async function doctor(env: Record<string, string>, o?: DoctorOptions) {
  const report = await runDoctor(parseEnv(env), opts(o));
  const line = (name: string): CheckResult => {
    const r = report.results.find((x) => x.name === name);
    if (!r) throw new Error(`no ${name} line in:\n${report.lines.join('\n')}`);
    return r;
  };
  return { ...report, line, text: report.lines.join('\n') };
}

const secrets = [DG_KEY, BOT_TOKEN, READONLY_TOKEN, OBS_PASSWORD, LLM_KEY];

describe('npm run doctor', () => {
  it('all good: every line ✓, exit 0, devices listed through Chrome, no secret printed', async () => {
    const env = good();
    delete env.CHROME_PATH;
    const d = await doctor(env, { chrome: { extraArgs: ['--use-fake-device-for-media-stream'] } });
    expect(d.results.filter((r) => r.mark !== 'ok'), d.text).toEqual([]);
    expect(d.exitCode).toBe(0);
    expect(d.line('Ollama').found).toMatch(/phi3\.5:latest .*one token in \d+ ms/);
    expect(d.line('Deepgram').found).toBe('key accepted (1 project)');
    expect(d.line('Twitch token').found).toContain('picklebot, scopes chat:read chat:edit');
    expect(d.line('Twitch channel').found).toContain(`#${CHANNEL} exists`);
    expect(d.line('Microphones').found).toContain('Fake Default Audio Input');
    expect(d.line('Cameras').found).toContain('fake_device_0');
    expect(d.line('OBS').found).toContain('"Pickle overlay" is set up');
    expect(d.line('YouTube chat').found).toContain('live now');
    expect(d.line('Kick chat').found).toContain(`chatroom ${kick.chatroomId}`);
    expect(d.text).toContain('ready to go live');
    for (const s of secrets) expect(d.text).not.toContain(s);
    expect(deepgram.requests.some((r) => r.status === 200)).toBe(true);
  }, 30_000);

  it('no TWITCH_CHANNEL: the summary is a `!` (ready to rehearse, not to go live), never "ready to go live"', async () => {
    const env = good();
    delete env.TWITCH_CHANNEL;
    const d = await doctor(env, { chrome: { extraArgs: ['--use-fake-device-for-media-stream'] } });
    expect(d.line('Twitch')).toMatchObject({ mark: 'warn' });
    expect(d.text).not.toContain('ready to go live');
    expect(d.text.trim().split('\n').at(-1)).toMatch(/^! ready to rehearse, not to go live: no TWITCH_CHANNEL → set TWITCH_CHANNEL=/);
    expect(d.exitCode).toBe(0);
  }, 30_000);

  it('YouTube and Kick: a line each; a refused key names YOUTUBE_API_KEY, a Cloudflare 403 names KICK_CHATROOM_ID, none set is disabled with the step', async () => {
    const bad = await doctor({ ...good(), YOUTUBE_API_KEY: 'AIza-wrong' });
    expect(bad.line('YouTube chat')).toMatchObject({ mark: 'fail', fix: expect.stringContaining('YOUTUBE_API_KEY') });
    kick.setCloudflare(true);
    try {
      expect((await doctor(good())).line('Kick chat')).toMatchObject({ mark: 'fail', found: expect.stringContaining('403'), fix: expect.stringContaining('KICK_CHATROOM_ID') });
    } finally {
      kick.setCloudflare(false);
    }
    const none = good();
    for (const k of ['YOUTUBE_API_KEY', 'YOUTUBE_VIDEO_ID', 'KICK_CHANNEL']) delete none[k];
    const d = await doctor(none);
    expect(d.line('YouTube chat')).toMatchObject({ mark: 'warn', found: 'disabled', fix: expect.stringContaining('YOUTUBE_API_KEY') });
    expect(d.line('Kick chat')).toMatchObject({ mark: 'warn', found: 'disabled', fix: expect.stringContaining('KICK_CHANNEL') });
  });

  it('Ollama: not reachable → start it / OLLAMA_HOST; model not pulled → `ollama pull NAME`', async () => {
    const gone = await doctor({ ...good(), OLLAMA_HOST: 'http://127.0.0.1:9' });
    expect(gone.line('Ollama')).toMatchObject({ mark: 'fail' });
    expect(gone.line('Ollama').fix).toContain('OLLAMA_HOST');
    expect(gone.exitCode).toBe(1);
    const missing = await doctor({ ...good(), OLLAMA_MODEL: 'llama3.2' });
    expect(missing.line('Ollama')).toMatchObject({ mark: 'fail', fix: 'ollama pull llama3.2' });
    expect(missing.line('Ollama').found).toContain('have: phi3.5:latest');
  });

  it('LLM_BACKEND=openai: /models with the key; a refused key names LLM_API_KEY; an unknown model lists the offered ones', async () => {
    const base = { ...good(), LLM_BACKEND: 'openai', LLM_BASE_URL: openai.url, LLM_MODEL: 'gpt-4o-mini' };
    expect((await doctor({ ...base, LLM_API_KEY: LLM_KEY })).line('LLM (OpenAI)').mark).toBe('ok');
    const refused = await doctor({ ...base, LLM_API_KEY: 'sk-wrong-key-000' });
    expect(refused.line('LLM (OpenAI)')).toMatchObject({ mark: 'fail' });
    expect(refused.line('LLM (OpenAI)').fix).toContain('LLM_API_KEY');
    const unknown = await doctor({ ...base, LLM_API_KEY: LLM_KEY, LLM_MODEL: 'gpt-9' });
    expect(unknown.line('LLM (OpenAI)').found).toContain('gpt-9 not offered (have: gpt-4o-mini)');
  });

  it('Deepgram: a refused key (401) names DEEPGRAM_API_KEY; no key is only a note', async () => {
    const refused = await doctor({ ...good(), DEEPGRAM_API_KEY: 'dg-wrong-key-0000' });
    expect(refused.line('Deepgram')).toMatchObject({ mark: 'fail', found: 'the key was refused (401)' });
    expect(refused.line('Deepgram').fix).toContain('DEEPGRAM_API_KEY');
    expect(refused.text).not.toContain('dg-wrong-key-0000');
    const noKey = good();
    delete noKey.DEEPGRAM_API_KEY;
    const none = await doctor(noKey);
    expect(none.line('Deepgram').mark).toBe('warn');
    expect(none.exitCode).toBe(0);
  });

  it('Twitch: an invalid token, a token without chat:edit, a channel that does not exist', async () => {
    const invalid = await doctor({ ...good(), TWITCH_BOT_TOKEN: 'notatoken00000000000' });
    expect(invalid.line('Twitch token')).toMatchObject({ mark: 'fail' });
    expect(invalid.line('Twitch token').found).toContain('invalid or expired');
    expect(invalid.line('Twitch token').fix).toContain('TWITCH_BOT_TOKEN');
    const readOnly = await doctor({ ...good(), TWITCH_BOT_TOKEN: READONLY_TOKEN, TWITCH_AUTH_URL: readonlyAuth.url });
    expect(readOnly.line('Twitch token')).toMatchObject({ mark: 'warn' });
    expect(readOnly.line('Twitch token').found).toContain('missing chat:edit');
    expect(readOnly.text).not.toContain(READONLY_TOKEN);
    const noChannel = await doctor({ ...good(), TWITCH_CHANNEL: 'nosuchchannel' });
    expect(noChannel.line('Twitch channel')).toMatchObject({ mark: 'fail', found: '#nosuchchannel does not exist on Twitch' });
    expect(noChannel.line('Twitch channel').fix).toContain('TWITCH_CHANNEL');
  });

  it('OBS: wrong password names OBS_WEBSOCKET_PASSWORD; not running says how to enable it; no overlay source is a note', async () => {
    const wrong = await doctor({ ...good(), OBS_WEBSOCKET_PASSWORD: 'not-the-password' });
    expect(wrong.line('OBS')).toMatchObject({ mark: 'fail' });
    expect(wrong.line('OBS').fix).toContain('OBS_WEBSOCKET_PASSWORD');
    expect(wrong.text).not.toContain('not-the-password');
    const off = await doctor({ ...good(), OBS_WEBSOCKET_URL: 'ws://127.0.0.1:9' });
    expect(off.line('OBS').fix).toContain('Tools → WebSocket Server Settings → Enable');
    const bare = await startObsStandin({ password: null });
    try {
      const none = await doctor({ ...good(), OBS_WEBSOCKET_URL: bare.url, OBS_WEBSOCKET_PASSWORD: '' });
      expect(none.line('OBS')).toMatchObject({ mark: 'warn' });
      expect(none.line('OBS').fix).toContain('Add Pickle to OBS');
    } finally {
      await bare.close();
    }
  });

  it('Chrome not found with vision on, and a VISION_CAMERA no camera matches', async () => {
    const noChrome = await doctor({ ...good(), VISION_ENABLED: 'true' });
    expect(noChrome.line('Chrome')).toMatchObject({ mark: 'fail' });
    expect(noChrome.line('Chrome').fix).toContain('CHROME_PATH');
    const env = good();
    delete env.CHROME_PATH;
    const cam = await doctor({ ...env, VISION_ENABLED: 'true', VISION_CAMERA: 'Logitech' }, { chrome: { extraArgs: ['--use-fake-device-for-media-stream'] } });
    expect(cam.line('Cameras')).toMatchObject({ mark: 'fail' });
    expect(cam.line('Cameras').found).toContain('have: fake_device_0');
  }, 30_000);

  it('Node too old, espeak-ng / sox missing, little disk, the port taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const d = await doctor({ ...good(), PORT: String(port) }, { nodeVersion: '18.19.0', espeakBinary: '/nonexistent/espeak-ng', soxBinary: '/nonexistent/sox', freeBytes: async () => 100 * 1024 ** 2 });
      expect(d.line('Node')).toMatchObject({ mark: 'fail', found: 'v18.19.0 is too old' });
      expect(d.line('espeak-ng').mark).toBe('warn');
      expect(d.line('sox').mark).toBe('warn');
      expect(d.line('Disk')).toMatchObject({ mark: 'fail' });
      expect(d.line('Disk').found).toBe(`0.1 GB free in ${dataDir}`);
      expect(d.line('Port')).toMatchObject({ mark: 'fail' });
      expect(d.line('Port').found).toContain(`127.0.0.1:${port} is in use`);
    } finally {
      blocker.close();
    }
  });
});
