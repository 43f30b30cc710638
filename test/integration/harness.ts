import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { startPickle, type PickleApp, type PickleOptions } from '../../src/app.ts';
import { parseEnv } from '../../src/config/env.ts';
import { silentLogger } from '../../src/log.ts';
import { startOllamaStandin, type OllamaStandin, type OllamaStandinOptions } from '../standins/ollama.ts';
import { startTwitchIrcStandin, type TwitchIrcStandin } from '../standins/twitchIrc.ts';

export const CHANNEL = 'teststreamer';

export interface Rig {
  pickle: PickleApp;
  ollama: OllamaStandin;
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
  random?: () => number;
  dataDir?: string;
  tuning?: PickleOptions['tuning'];
}

/** Pickle in-process against the IRC and Ollama stand-ins, with an overlay client attached. */
export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const ollama = await startOllamaStandin({ tokenDelayMs: 2, firstTokenDelayMs: 5, ...opts.ollama });
  const irc = opts.twitch === false ? undefined : await startTwitchIrcStandin();
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'pickle-it-'));
  const env = parseEnv({
    PORT: '0',
    PICKLE_DATA_DIR: dataDir,
    OLLAMA_HOST: ollama.url,
    ...(irc ? { TWITCH_CHANNEL: CHANNEL, TWITCH_IRC_URL: irc.url } : {}),
    ...opts.env,
  });
  const lines: string[] = [];
  const pickle = await startPickle({
    env,
    log: silentLogger(),
    console: { line: (t) => lines.push(t) },
    random: opts.random ?? (() => 0.99),
    tuning: { llmRetryMs: 100, twitchBackoffMs: 100, captionHoldMs: 200, voiceMsPerChar: 1, minSentenceMs: 30, ...opts.tuning },
  });
  const overlayEvents: Rig['overlayEvents'] = [];
  const overlay = io(`${pickle.url}/avatar`, { transports: ['websocket'] });
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
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
