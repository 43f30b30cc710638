import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.ts';
import { createRewardWithEnv } from '../../src/tools/createReward.ts';
import { startTwitchAuthStandin, type TwitchAuthStandin } from '../standins/twitchAuth.ts';
import { startTwitchEventSubStandin, type TwitchEventSubStandin } from '../standins/twitchEventSub.ts';

const CLIENT_ID = 'standinclientid';
const TOKEN = 'broadcastertoken';
let auth: TwitchAuthStandin | undefined;
let es: TwitchEventSubStandin | undefined;
afterEach(async () => {
  await es?.close();
  await auth?.close();
  es = auth = undefined;
});

async function world(scopes = ['channel:manage:redemptions']) {
  auth = await startTwitchAuthStandin({ clientId: CLIENT_ID, login: 'streamer', userId: '4242', scopes, accessTokens: [TOKEN] });
  es = await startTwitchEventSubStandin({ validate: (t) => auth!.check(t), users: [{ id: '4242', login: 'streamer', display_name: 'Streamer' }] });
  return parseEnv({
    PICKLE_DATA_DIR: mkdtempSync(join(tmpdir(), 'pickle-reward-')),
    TWITCH_CLIENT_ID: CLIENT_ID,
    TWITCH_BROADCASTER_TOKEN: TOKEN,
    TWITCH_AUTH_URL: auth.url,
    TWITCH_API_URL: es.apiUrl,
  });
}

describe('npm run twitch -- create-reward', () => {
  it('creates the reward under this client id, and says so; a second time the duplicate is one clear line', async () => {
    const env = await world();
    const line = await createRewardWithEnv({ env, title: 'Ask Pickle', cost: 150 });
    expect(line).toMatch(/^Created the reward "Ask Pickle" \(150 points, id [0-9a-f-]+\) on streamer's channel under client id standinclientid/);
    expect(es!.rewards).toMatchObject([{ title: 'Ask Pickle', cost: 150, broadcasterId: '4242', clientId: CLIENT_ID }]);
    await expect(createRewardWithEnv({ env, title: 'Ask Pickle', cost: 150 })).rejects.toThrow(/already exists.*behavior\.reward_title/);
  });

  it('names the missing scope and the refused token', async () => {
    const env = await world(['channel:read:redemptions']);
    await expect(createRewardWithEnv({ env, title: 'Ask Pickle', cost: 1 })).rejects.toThrow('lacks the scope channel:manage:redemptions');
    await expect(createRewardWithEnv({ env: { ...env, TWITCH_BROADCASTER_TOKEN: 'nope' }, title: 'Ask Pickle', cost: 1 })).rejects.toThrow(/Twitch refused TWITCH_BROADCASTER_TOKEN/);
  });

  it('the command prints one line and exits 2 when the token is missing', async () => {
    const run = promisify(execFile);
    const result = await run(process.execPath, ['--import', 'tsx', 'src/tools/twitch.ts', 'create-reward'], {
      env: { PATH: process.env['PATH'] ?? '', PICKLE_DATA_DIR: mkdtempSync(join(tmpdir(), 'pickle-reward-')), TWITCH_CLIENT_ID: CLIENT_ID },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^pickle twitch: TWITCH_BROADCASTER_TOKEN is not set/)]);
  }, 20_000);
});
