/** Twitch: each token validated (who, scopes, expiry), and the channel looked up on Helix. */
import type { Env } from '../../config/env.ts';
import { TwitchAuthError, validateTwitchToken, type ValidatedToken } from '../../twitch/tokenRefresh.ts';
import { fail, ok, reason, warn, type Check, type CheckResult } from '../types.ts';

const TOKEN_FIX = 'generate a new user token with scopes chat:read chat:edit and set TWITCH_BOT_TOKEN (or set TWITCH_REFRESH_TOKEN + TWITCH_CLIENT_ID + TWITCH_CLIENT_SECRET)';
export const CHAT_SCOPES = ['chat:read', 'chat:edit'];

export interface TwitchCheckOptions {
  /** Tokens to validate, by the setting they come from (the token Pickle saved after a refresh wins). */
  tokens: { setting: string; token: string }[];
}

export function twitchCheck(env: Env, opts: TwitchCheckOptions): Check {
  return {
    name: 'Twitch',
    run: async (): Promise<CheckResult[]> => {
      const channel = env.TWITCH_CHANNEL;
      if (!channel) return [warn('Twitch', 'no channel: rehearsal mode (chat from the panel)', 'set TWITCH_CHANNEL=yourchannel')];
      const out: CheckResult[] = [];
      let usable: ValidatedToken | undefined;
      let usableToken: string | undefined;
      for (const { setting, token } of opts.tokens) {
        try {
          const v = await validateTwitchToken({ token, authUrl: env.TWITCH_AUTH_URL ?? 'https://id.twitch.tv', timeoutMs: 8_000 });
          const missing = CHAT_SCOPES.filter((s) => !v.scopes.includes(s));
          const hours = Math.round(v.expiresInSec / 360) / 10;
          const found = `${setting}: ${v.login}, scopes ${v.scopes.join(' ') || 'none'}${v.expiresInSec ? `, expires in ${hours} h` : ''}`;
          if (missing.includes('chat:read')) out.push(fail('Twitch token', `${found}; missing chat:read`, TOKEN_FIX));
          else if (missing.length > 0) out.push(warn('Twitch token', `${found}; missing ${missing.join(' ')}: Pickle can read chat but not write`, TOKEN_FIX));
          else out.push(ok('Twitch token', found));
          usable ??= v;
          usableToken ??= token;
        } catch (err) {
          if (err instanceof TwitchAuthError && err.kind === 'rejected') out.push(fail('Twitch token', `${setting} is invalid or expired (${err.status ?? ''})`, TOKEN_FIX));
          else out.push(fail('Twitch token', `${setting}: could not check (${reason(err)})`, 'check the internet connection'));
        }
      }
      if (opts.tokens.length === 0) out.push(warn('Twitch token', 'no token: read-only (anonymous) chat', 'set TWITCH_BOT_TOKEN (a bot account token with chat:read chat:edit) so Pickle can also write'));
      if (!usable || !usableToken) {
        out.push(warn('Twitch channel', `#${channel}: not looked up (needs a valid token)`));
        return out;
      }
      out.push(await channelCheck(env, channel, usableToken, usable.clientId));
      return out;
    },
  };
}

async function channelCheck(env: Env, channel: string, token: string, clientId: string): Promise<CheckResult> {
  const base = env.TWITCH_API_URL ?? 'https://api.twitch.tv/helix';
  const url = `${base}/users?login=${encodeURIComponent(channel)}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { Authorization: `Bearer ${token}`, 'Client-Id': clientId }, signal: AbortSignal.timeout(8_000) });
  } catch (err) {
    return fail('Twitch channel', `could not reach ${new URL(base).host} (${reason(err)})`, 'check the internet connection');
  }
  if (!res.ok) return fail('Twitch channel', `#${channel}: Helix answered ${res.status}`, TOKEN_FIX);
  const body = (await res.json().catch(() => null)) as { data?: { login?: unknown; display_name?: unknown }[] } | null;
  const user = body?.data?.[0];
  if (!user) return fail('Twitch channel', `#${channel} does not exist on Twitch`, 'set TWITCH_CHANNEL to your channel name as in twitch.tv/<name>');
  return ok('Twitch channel', `#${channel} exists (${typeof user.display_name === 'string' ? user.display_name : channel})`);
}
