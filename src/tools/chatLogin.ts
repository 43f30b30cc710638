/**
 * `npm run youtube -- login` and `npm run kick -- login`: the consent flow on localhost, then the
 * lines to put in .env. Every problem is one line on stderr and exit code 2.
 */
import { config as loadDotenv } from 'dotenv';
import { parseArgs } from 'node:util';
import { startLogin, type LoginFlow } from '../chat/oauthLogin.ts';
import { ConfigError, parseEnv, type Env } from '../config/env.ts';
import { errorText } from '../errors.ts';

type Platform = 'youtube' | 'kick';

function flowOf(platform: Platform, env: Env, port: number): LoginFlow | string {
  if (platform === 'youtube') {
    if (!env.YOUTUBE_CLIENT_ID || !env.YOUTUBE_CLIENT_SECRET) return 'set YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET first (Google Cloud → APIs & Services → Credentials → OAuth client ID, type "Desktop app")';
    return {
      authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: env.YOUTUBE_AUTH_URL,
      clientId: env.YOUTUBE_CLIENT_ID,
      clientSecret: env.YOUTUBE_CLIENT_SECRET,
      scopes: ['https://www.googleapis.com/auth/youtube.force-ssl'],
      pkce: true,
      extra: { access_type: 'offline', prompt: 'consent' },
      port,
    };
  }
  if (!env.KICK_CLIENT_ID || !env.KICK_CLIENT_SECRET) return 'set KICK_CLIENT_ID and KICK_CLIENT_SECRET first (kick.com/settings/developer → create an app with the redirect URL printed below)';
  return { authorizeUrl: `${env.KICK_AUTH_URL}/oauth/authorize`, tokenUrl: `${env.KICK_AUTH_URL}/oauth/token`, clientId: env.KICK_CLIENT_ID, clientSecret: env.KICK_CLIENT_SECRET, scopes: ['user:read', 'chat:write'], pkce: true, port };
}

export async function chatLogin(platform: Platform, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { port: { type: 'string', default: platform === 'kick' ? '8977' : '0' } } });
  if (positionals[0] !== 'login') return fail(platform, `usage: npm run ${platform} -- login [--port N]`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(platform, `--port must be a port number (got "${values.port}")`);
  loadDotenv({ quiet: true });
  let env: Env;
  try {
    env = parseEnv(process.env);
  } catch (err) {
    if (err instanceof ConfigError) return fail(platform, err.message);
    throw err;
  }
  const flow = flowOf(platform, env, port);
  if (typeof flow === 'string') return fail(platform, flow);
  const login = await startLogin(flow);
  process.stdout.write(`Redirect URL (register it with your ${platform === 'kick' ? 'Kick app' : 'OAuth client'}): ${login.redirectUri}\nOpen this in your browser and allow Pickle:\n\n${login.consentUrl}\n\n`);
  try {
    const t = await login.tokens;
    const lines = platform === 'youtube' ? [`YOUTUBE_REFRESH_TOKEN=${t.refreshToken ?? ''}`] : [`KICK_TOKEN=${t.accessToken}`, ...(t.refreshToken ? [`KICK_REFRESH_TOKEN=${t.refreshToken}`] : [])];
    if (platform === 'youtube' && !t.refreshToken) return fail(platform, 'Google sent no refresh token: remove Pickle from myaccount.google.com/permissions and run the login again');
    process.stdout.write(`Signed in. Add to .env:\n${lines.join('\n')}\n`);
  } catch (err) {
    return fail(platform, errorText(err));
  }
}

function fail(platform: Platform, problem: string): never {
  process.stderr.write(`pickle ${platform}: ${problem}\n`);
  process.exit(2);
}
