import { z } from 'zod';
import { argList, bool, botList, channel, choice, fraction, list, llmBackend, logLevel, moderationMode, name, optionalDistance, optionalText, port, seconds, token, tokenCount, url, wholeNumber, wsUrl } from './envValues.ts';
import { platformEnvShape, platformSecrets } from './platformEnv.ts';

/**
 * Every environment variable Pickle reads, with its default and what it means.
 * Names from the seed design keep their meaning; the rest are ours (ARCHITECTURE.md).
 * The README's configuration table is written from this list.
 */

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
  /** The external Chroma's token (its token auth): sent as `Authorization: Bearer` and `X-Chroma-Token`. */
  CHROMA_TOKEN: optionalText,
  /** Stream records (PICKLE_DATA_DIR/streams) older than this many days are deleted. */
  ANALYTICS_KEEP_DAYS: wholeNumber(90, 1, 36_500, 'whole days'),
  /** Long-term memory on/off (off: STM only, nothing written to disk). */
  MEMORY_ENABLED: bool(true),
  /** minilm (transformers.js, in-process) | ollama (all-minilm via OLLAMA_HOST) | fallback (word hashing). */
  EMBEDDER: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = (v ?? '').trim().toLowerCase() || 'minilm';
      if (!['minilm', 'ollama', 'fallback'].includes(s)) {
        ctx.addIssue({ code: 'custom', message: `expected minilm, ollama or fallback (got "${v}")` });
        return z.NEVER;
      }
      return s as 'minilm' | 'ollama' | 'fallback';
    }),
  /** Where the embedding model is downloaded from once (Hugging Face's name; a mirror works). */
  HF_ENDPOINT: url('https://huggingface.co'),
  /** Never download models (use what is in PICKLE_DATA_DIR/models). */
  HF_HUB_OFFLINE: bool(false),
  TWITCH_IRC_URL: url('wss://irc-ws.chat.twitch.tv:443'),
  TWITCH_AUTH_URL: url('https://id.twitch.tv'),
  TWITCH_BOT_USERNAME: optionalText.transform((v) => v?.toLowerCase()),
  TWITCH_REFRESH_TOKEN: token,
  TWITCH_IGNORE_BOTS: botList,
  /** Channel points and follows (EventSub over WebSocket) need the broadcaster's own user token. */
  TWITCH_BROADCASTER_TOKEN: token,
  TWITCH_BROADCASTER_REFRESH_TOKEN: token,
  TWITCH_EVENTSUB_URL: url('wss://eventsub.wss.twitch.tv/ws'),
  TWITCH_API_URL: url('https://api.twitch.tv/helix'),
  DEEPGRAM_URL: url(),
  CHROME_PATH: optionalText,
  /** Part of the camera's name, e.g. "OBS Virtual Camera" (default: the first camera). */
  VISION_CAMERA: optionalText,
  /** How often a camera frame is looked at (only frames that changed go to the model). */
  VISION_INTERVAL_SEC: seconds(2, 0.2, 3600),
  /** How long the last caption stays on the overlay after Pickle stops speaking (decided by the avatar machine). */
  CAPTION_HOLD_SEC: seconds(5, 1, 60),
  /** What shows Pickle: the overlay (built-in face, persona pictures or a VRM model), or VTube Studio driving a Live2D model. */
  AVATAR: choice(['overlay', 'vts'] as const, 'overlay'),
  /** VTube Studio's plugin API (VTube Studio → Settings → Start API). */
  VTS_URL: wsUrl.transform((v) => v ?? 'ws://127.0.0.1:8001'),
  /** A VRM model for the overlay: a file in personas/ or the data folder (the persona's avatar.model wins). */
  AVATAR_MODEL: optionalText,
  /** How the VRM model is framed: head and shoulders, or the whole body. */
  AVATAR_FRAMING: choice(['bust', 'full'] as const, 'bust'),
  /** The camera's distance from the model in metres; default by framing (bust 0.9, full 2.6). */
  AVATAR_CAMERA_DISTANCE: optionalDistance,
  /** The largest VRM file served to the overlay, in MB. */
  AVATAR_MAX_MB: wholeNumber(50, 1, 2048, 'whole megabytes'),
  /** A .y4m or .mjpeg file played as the camera (rehearsal without a camera). */
  VISION_CAMERA_FILE: optionalText,
  /** Where the camera page loads the Overshoot SDK from, and the API it talks to. */
  OVERSHOOT_SDK_URL: url('https://cdn.jsdelivr.net/npm/overshoot@2.0.0-alpha.5/dist/index.mjs'),
  OVERSHOOT_API_URL: url(),
  AUDIO_INPUT_FILE: optionalText,
  /** Where the microphone is read: Pickle's hidden browser (default), or naudiodon (opt-in, needs a compiler). */
  AUDIO_INPUT: choice(['browser', 'naudiodon'] as const, 'browser'),
  /** `local`: the voice also plays on this PC, through the hidden browser (AUDIO_OUTPUT_DEVICE picks the output). */
  AUDIO_OUTPUT: choice(['overlay', 'local'] as const, 'overlay'),
  /** Extra switches for Pickle's hidden browser (shell-like list). */
  CHROME_ARGS: argList,
  /** Deepgram live transcription model, e.g. nova-3, nova-2. */
  STT_MODEL: optionalText.transform((v) => v ?? 'nova-3'),
  /** Language of the streamer's speech for Deepgram (e.g. en, en-US, multi); default: the model's. */
  STT_LANGUAGE: optionalText,
  LOG_LEVEL: logLevel,
  // LLM backend: `ollama` (default) or any OpenAI-compatible server.
  LLM_BACKEND: llmBackend,
  /** OpenAI-compatible base URL, e.g. http://127.0.0.1:1234/v1 (LM Studio); default OpenAI's. */
  LLM_BASE_URL: url('https://api.openai.com/v1'),
  LLM_API_KEY: optionalText,
  /** The chat model for LLM_BACKEND=openai. */
  LLM_MODEL: optionalText.transform((v) => v ?? 'gpt-4o-mini'),
  /** Prompt + reply token budget; default: the model's context as the server reports it. */
  CONTEXT_TOKENS: tokenCount,
  /** Plugins to load besides plugins/*: npm package names or paths, comma-separated. */
  PLUGINS: list,
  /** Folder whose .ts/.js/.mjs files are loaded as plugins (default: plugins/ in the Pickle folder). */
  PLUGINS_DIR: optionalText,
  /** OBS's WebSocket server (OBS → Tools → WebSocket Server Settings); OBS is used when this or the password is set. */
  OBS_WEBSOCKET_URL: wsUrl,
  OBS_WEBSOCKET_PASSWORD: optionalText,
  /** OBS scenes that mute Pickle while live, comma-separated (added to the persona's obs.mute_scenes). */
  OBS_MUTE_SCENES: list,
  /** ML layer of moderation on top of the list layers: off | transformers (in-process) | ollama (guard model). */
  MODERATION: moderationMode,
  /** The classifier: a Hugging Face model id (transformers) or an Ollama model (llama-guard3:1b, shieldgemma:2b). */
  MODERATION_MODEL: optionalText,
  /** Toxicity score at which the transformers classifier blocks a sentence. */
  MODERATION_THRESHOLD: fraction(0.8),
  /** Viewers who keep baiting: this many blocked replies within BAIT_WINDOW_MIN silence them for BAIT_SILENCE_MIN. */
  BAIT_STRIKES: wholeNumber(3, 1, 100, 'a whole number of blocked replies'),
  BAIT_WINDOW_MIN: wholeNumber(10, 1, 1440, 'whole minutes'),
  BAIT_SILENCE_MIN: wholeNumber(10, 1, 1440, 'whole minutes'),
  // YouTube and Kick chat (src/config/platformEnv.ts)
  ...platformEnvShape,
});

export type Env = z.output<typeof envSchema> & {
  /** `PLUGIN_<NAME>_<KEY>` variables as they were given: each plugin's own settings (src/plugins). */
  pluginVars?: Record<string, string>;
};

/** One line naming the first bad variable: what the streamer sees before Pickle exits with code 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const result = envSchema.safeParse(source);
  if (result.success) {
    const pluginVars = Object.fromEntries(
      Object.entries(source).filter((e): e is [string, string] => e[0].startsWith('PLUGIN_') && typeof e[1] === 'string'),
    );
    return { ...result.data, pluginVars };
  }
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? 'environment');
  throw new ConfigError(`${variable}: ${issue.message}`);
}

/** Values that must never appear in logs or responses. */
export function secretsOf(env: Env): string[] {
  // Plugins' own credentials (PLUGIN_WEBHOOK_TOKEN, PLUGIN_DISCORD_API_KEY…) are secrets too.
  const pluginSecrets = Object.entries(env.pluginVars ?? {})
    .filter(([k]) => /(TOKEN|KEY|SECRET|PASSWORD)$/.test(k))
    .map(([, v]) => v);
  return [env.LLM_API_KEY, ...pluginSecrets, env.DEEPGRAM_API_KEY, env.TWITCH_BOT_TOKEN, env.TWITCH_CLIENT_SECRET, env.TWITCH_REFRESH_TOKEN, env.TWITCH_BROADCASTER_TOKEN, env.TWITCH_BROADCASTER_REFRESH_TOKEN, env.OVERSHOOT_API_KEY, env.OBS_WEBSOCKET_PASSWORD, env.CHROMA_TOKEN, ...platformSecrets(env)].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}
