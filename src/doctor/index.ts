/**
 * `npm run doctor`: every configured service checked with a real, cheap call, one line each.
 * Checks run in parallel with their own timeouts; the whole run ends in well under 30 s.
 */
import { resolve } from 'node:path';
import { secretsOf, type Env } from '../config/env.ts';
import { urlSecrets } from '../security/maskUrl.ts';
import { loadStoredTokens } from '../chat/tokenStore.ts';
import { chromeCheck, type ChromeCheckOptions } from './checks/chrome.ts';
import { deepgramCheck } from './checks/deepgram.ts';
import { llmCheck } from './checks/llm.ts';
import { obsCheck } from './checks/obs.ts';
import { kickCheck, youtubeCheck } from './checks/platforms.ts';
import { diskCheck, localVoiceCheck, nodeCheck, portCheck } from './checks/system.ts';
import { twitchCheck } from './checks/twitch.ts';
import { exitCodeOf, formatResult, runChecks } from './run.ts';
import type { Check, CheckResult } from './types.ts';

export interface DoctorOptions {
  chrome?: ChromeCheckOptions;
  espeakBinary?: string;
  soxBinary?: string;
  /** Free bytes of a folder (tests). */
  freeBytes?: (dir: string) => Promise<number>;
  nodeVersion?: string;
}

export function doctorChecks(env: Env, opts: DoctorOptions = {}): Check[] {
  const dataDir = resolve(env.PICKLE_DATA_DIR);
  const stored = env.TWITCH_CHANNEL ? loadStoredTokens(dataDir, env.TWITCH_BOT_TOKEN) : undefined;
  const botToken = stored?.accessToken ?? env.TWITCH_BOT_TOKEN;
  return [
    nodeCheck(opts.nodeVersion),
    llmCheck(env),
    deepgramCheck(env),
    twitchCheck(env, { tokens: botToken ? [{ setting: stored ? 'TWITCH_BOT_TOKEN (refreshed)' : 'TWITCH_BOT_TOKEN', token: botToken }] : [] }),
    youtubeCheck(env),
    kickCheck(env),
    chromeCheck(env, opts.chrome),
    obsCheck(env),
    localVoiceCheck({ deepgramKey: Boolean(env.DEEPGRAM_API_KEY), ...(opts.espeakBinary ? { espeakBinary: opts.espeakBinary } : {}), ...(opts.soxBinary ? { soxBinary: opts.soxBinary } : {}) }),
    diskCheck(env.PICKLE_DATA_DIR, opts.freeBytes),
    portCheck(env.HOST, env.PORT),
  ];
}

export interface DoctorReport {
  results: CheckResult[];
  /** The printed lines, secrets removed. */
  lines: string[];
  exitCode: number;
}

/**
 * The last line. Without TWITCH_CHANNEL Pickle reads no chat: ready to rehearse, not to go live,
 * so that is a `!` whatever else passed (the exit code stays 0: nothing is broken).
 */
export function summaryLine(fails: number, warns: number, channel: boolean): string {
  const notes = (n: number) => `${n} note${n === 1 ? '' : 's'}`;
  if (fails > 0) return `✗ ${fails} problem${fails === 1 ? '' : 's'} to fix before going live${warns ? `, ${notes(warns)}` : ''}`;
  if (!channel) return `! ready to rehearse, not to go live: no TWITCH_CHANNEL → set TWITCH_CHANNEL=yourchannel in .env${warns > 1 ? ` (${notes(warns - 1)} more)` : ''}`;
  return `✓ ready to go live${warns ? ` (${notes(warns)}: optional)` : ''}`;
}

export async function runDoctor(env: Env, opts: DoctorOptions = {}): Promise<DoctorReport> {
  const results = await runChecks(doctorChecks(env, opts));
  // The token Pickle saved after a refresh is a secret too, even though no setting holds it.
  const stored = loadStoredTokens(resolve(env.PICKLE_DATA_DIR), env.TWITCH_BOT_TOKEN);
  // Credentials inside any URL setting (LLM_BASE_URL, OBS_WEBSOCKET_URL, DEEPGRAM_URL, OLLAMA_HOST, a plugin's…).
  const inUrls = [...Object.values(env), ...Object.values(env.pluginVars ?? {})].flatMap((v) => (typeof v === 'string' ? urlSecrets(v) : []));
  const secrets = [...secretsOf(env), ...inUrls, ...[stored?.accessToken, stored?.refreshToken].filter((t): t is string => Boolean(t))];
  const lines = results.map((r) => formatResult(r, secrets));
  const fails = results.filter((r) => r.mark === 'fail').length;
  const warns = results.filter((r) => r.mark === 'warn').length;
  lines.push('');
  lines.push(summaryLine(fails, warns, Boolean(env.TWITCH_CHANNEL)));
  return { results, lines, exitCode: exitCodeOf(results) };
}
