import { z } from 'zod';

/**
 * Every environment variable Pickle reads, with its default and what it means.
 * Names from the seed design keep their meaning; the rest are ours (ARCHITECTURE.md).
 * The README's configuration table is written from this list.
 */

const bool = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const s = v.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: `expected true or false (got "${v}")` });
      return z.NEVER;
    });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

const url = (def?: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = v && v.trim() !== '' ? v.trim() : def;
      if (s === undefined) return undefined;
      try {
        const u = new URL(s);
        return u.toString().replace(/\/$/, '');
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected a URL like http://127.0.0.1:1234 (got "${v}")` });
        return z.NEVER;
      }
    });

const port = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return 8000;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      ctx.addIssue({ code: 'custom', message: `expected a port number 0-65535 (got "${v}")` });
      return z.NEVER;
    }
    return n;
  });

const channel = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    const s = v.trim().replace(/^#/, '').toLowerCase();
    if (!/^[a-z0-9_]{2,25}$/.test(s)) {
      ctx.addIssue({ code: 'custom', message: `expected a Twitch channel name like "mystreamer" (got "${v}")` });
      return z.NEVER;
    }
    return s;
  });

const name = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return 'default';
    if (!/^[a-z0-9_-]+$/i.test(v.trim())) {
      ctx.addIssue({ code: 'custom', message: `expected a persona file name from personas/ (got "${v}")` });
      return z.NEVER;
    }
    return v.trim();
  });

const logLevel = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const s = (v ?? '').trim().toLowerCase() || 'info';
    if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(s)) {
      ctx.addIssue({ code: 'custom', message: `expected one of fatal, error, warn, info, debug, trace, silent (got "${v}")` });
      return z.NEVER;
    }
    return s;
  });

const token = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim().replace(/^oauth:/i, '') : undefined));

const botList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? 'streamelements,nightbot,streamlabs,moobot,fossabot')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );

export const envSchema = z.object({
  // seed names
  OLLAMA_MODEL: optionalText.transform((v) => v ?? 'phi3.5:latest'),
  DEEPGRAM_API_KEY: optionalText,
  TWITCH_BOT_TOKEN: token,
  TWITCH_CLIENT_ID: optionalText,
  TWITCH_CLIENT_SECRET: optionalText,
  TWITCH_CHANNEL: channel,
  VISION_ENABLED: bool(false),
  OVERSHOOT_API_KEY: optionalText,
  STT_ENABLED: bool(true),
  AUDIO_OUTPUT_DEVICE: optionalText,
  AUDIO_INPUT_DEVICE: optionalText,
  HOST: optionalText.transform((v) => v ?? '127.0.0.1'),
  PORT: port,
  // ours
  PERSONA: name,
  PICKLE_DATA_DIR: optionalText.transform((v) => v ?? './data'),
  OLLAMA_HOST: url('http://127.0.0.1:11434'),
  OLLAMA_VISION_MODEL: optionalText,
  CHROMA_URL: url(),
  TWITCH_IRC_URL: url('wss://irc-ws.chat.twitch.tv:443'),
  TWITCH_AUTH_URL: url('https://id.twitch.tv'),
  TWITCH_BOT_USERNAME: optionalText.transform((v) => v?.toLowerCase()),
  TWITCH_REFRESH_TOKEN: token,
  TWITCH_IGNORE_BOTS: botList,
  DEEPGRAM_URL: url(),
  CHROME_PATH: optionalText,
  AUDIO_INPUT_FILE: optionalText,
  LOG_LEVEL: logLevel,
});

export type Env = z.output<typeof envSchema>;

/** One line naming the first bad variable: what the streamer sees before Pickle exits with code 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? 'environment');
  throw new ConfigError(`${variable}: ${issue.message}`);
}

/** Values that must never appear in logs or responses. */
export function secretsOf(env: Env): string[] {
  return [env.DEEPGRAM_API_KEY, env.TWITCH_BOT_TOKEN, env.TWITCH_CLIENT_SECRET, env.TWITCH_REFRESH_TOKEN, env.OVERSHOOT_API_KEY].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}
