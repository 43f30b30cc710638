import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { startPickle, type PickleApp, type PickleOptions } from '../../src/app.ts';
import { parseEnv } from '../../src/config/env.ts';
import { silentLogger } from '../../src/log.ts';
import { startOllamaStandin, type OllamaStandin, type OllamaStandinOptions, type Responder, type StreamOutcome } from '../standins/ollama.ts';
import { startOpenAiStandin, type OpenAiStandin, type OpenAiStandinOptions } from '../standins/openai.ts';
import { startTwitchIrcStandin, type TwitchIrcStandin, type TwitchIrcStandinOptions } from '../standins/twitchIrc.ts';

export const CHANNEL = 'teststreamer';

/**
 * Ollama as slow as it is on a streamer's machine, for tests that pass `ollama: REALISTIC_OLLAMA`:
 * a cold load of a few seconds (a 3–4 B model from disk), prompt evaluation before the first
 * token, then ~30 tokens/s. The rig's default is fast so most tests stay short.
 */
export const REALISTIC_OLLAMA: OllamaStandinOptions = { loadDelayMs: 3_000, firstTokenDelayMs: 400, tokenDelayMs: 33 };

/** LLM_BACKEND values: brain tests run on each (the Ollama stand-in, or the OpenAI-compatible one). */
export type Backend = 'ollama' | 'openai';
export const BACKENDS: readonly Backend[] = ['ollama', 'openai'];
export const RIG_OPENAI_KEY = 'sk-rig-0123456789abcdef';

/** What a test needs from the LLM stand-in, whichever protocol it speaks. */
export interface LlmStandin {
  readonly url: string;
  responder: Responder;
  tokenDelayMs: number;
  firstTokenDelayMs: number;
  nextStream(): Promise<{ outcome: StreamOutcome; content: string; pieces: number; totalPieces: number }>;
  /** Request bodies of the chat calls (`messages` in both protocols). */
  chatRequests(): Array<Record<string, unknown>>;
  refuse(): Promise<void>;
  resume(): Promise<void>;
}

/** Knobs both LLM stand-ins have. */
export interface LlmStandinOptions {
  responder?: Responder;
  tokenDelayMs?: number;
  firstTokenDelayMs?: number;
  refused?: boolean;
}

export interface Rig {
  pickle: PickleApp;
  ollama: OllamaStandin;
  /** The stand-in serving chat for this rig's backend (the Ollama one by default). */
  llm: LlmStandin;
  backend: Backend;
  /** The OpenAI-compatible stand-in, when `backend: 'openai'`. */
  openai: OpenAiStandin | undefined;
  irc: TwitchIrcStandin | undefined;
  dataDir: string;
  overlay: Socket;
  /** Everything the overlay received, in order. */
  overlayEvents: Array<{ event: string; data: any }>;
  console: string[];
  captions(): string[];
  waitFor<T>(check: () => T | undefined | false, timeoutMs?: number, what?: string): Promise<T>;
  stop(): Promise<void>;
}

export interface RigOptions {
  twitch?: boolean;
  env?: Record<string, string>;
  ollama?: OllamaStandinOptions;
  /** LLM_BACKEND for this rig (default `ollama`; Ollama still runs for embeddings and vision). */
  backend?: Backend;
  /** Knobs for the chat stand-in of the chosen backend. */
  llm?: LlmStandinOptions;
  /** Knobs only the OpenAI-compatible stand-in has (with `backend: 'openai'`). */
  openai?: OpenAiStandinOptions;
  random?: () => number;
  dataDir?: string;
  tuning?: PickleOptions['tuning'];
  /** `npm start -- --new-token`. */
  newToken?: boolean;
  /** Knobs of the IRC stand-in (valid bot tokens, limits…). */
  irc?: TwitchIrcStandinOptions;
  /** Where the personas live (default: the repo's personas/). */
  personasDir?: string;
}

/** Pickle in-process against the IRC and Ollama stand-ins, with an overlay client attached. */
export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const backend = opts.backend ?? 'ollama';
  const ollama = await startOllamaStandin({ tokenDelayMs: 2, firstTokenDelayMs: 5, ...opts.ollama, ...(backend === 'ollama' ? opts.llm : {}) });
  const openai =
    backend === 'openai' ? await startOpenAiStandin({ tokenDelayMs: 2, firstTokenDelayMs: 5, apiKey: RIG_OPENAI_KEY, ...opts.openai, ...opts.llm }) : undefined;
  const irc = opts.twitch === false ? undefined : await startTwitchIrcStandin(opts.irc);
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'pickle-it-'));
  const env = parseEnv({
    PORT: '0',
    PICKLE_DATA_DIR: dataDir,
    OLLAMA_HOST: ollama.url,
    // Long-term memory (a Chroma child process per rig) only where a test asks for it: MEMORY_ENABLED=true.
    MEMORY_ENABLED: 'false',
    // Only the plugins a test names (PLUGINS, or its own PLUGINS_DIR), never what lies in the repo's plugins/.
    PLUGINS_DIR: join(dataDir, 'plugins'),
    ...(irc ? { TWITCH_CHANNEL: CHANNEL, TWITCH_IRC_URL: irc.url } : {}),
    // Rigs hear nothing unless a test gives them an audio input (no browser microphone on every test).
    ...(opts.env && ('AUDIO_INPUT_FILE' in opts.env || 'AUDIO_INPUT' in opts.env || 'STT_ENABLED' in opts.env) ? {} : { STT_ENABLED: 'false' }),
    ...(openai ? { LLM_BACKEND: 'openai', LLM_BASE_URL: openai.url, LLM_API_KEY: RIG_OPENAI_KEY, LLM_MODEL: 'gpt-4o-mini' } : {}),
    ...opts.env,
  });
  const lines: string[] = [];
  const pickle = await startPickle({
    env,
    log: silentLogger(),
    console: { line: (t) => lines.push(t) },
    random: opts.random ?? (() => 0.99),
    ...(opts.newToken ? { newToken: true } : {}),
    ...(opts.personasDir ? { personasDir: opts.personasDir } : {}),
    tuning: { llmRetryMs: 100, twitchBackoffMs: 100, captionHoldMs: 200, voiceMsPerChar: 1, minSentenceMs: 30, localVoice: false, ...opts.tuning },
  });
  const overlayEvents: Rig['overlayEvents'] = [];
  const overlay = io(`${pickle.url}/avatar`, { transports: ['websocket'], ...(pickle.overlayKey ? { auth: { key: pickle.overlayKey } } : {}) });
  overlay.onAny((event, data) => overlayEvents.push({ event, data }));
  await new Promise<void>((resolve, reject) => {
    overlay.once('connect', () => resolve());
    overlay.once('connect_error', reject);
  });
  const waitFor = async <T>(check: () => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  if (irc) await waitFor(() => irc.joined.includes(CHANNEL) || irc.joined.includes(`#${CHANNEL}`), 5000, "join");
  return {
    pickle,
    ollama,
    llm: openai ?? ollama,
    backend,
    openai,
    irc,
    dataDir,
    overlay,
    overlayEvents,
    console: lines,
    captions: () => overlayEvents.filter((e) => e.event === 'caption' && e.data.text).map((e) => e.data.text as string),
    waitFor,
    async stop() {
      overlay.close();
      await pickle.stop();
      await irc?.close();
      await ollama.close();
      await openai?.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
