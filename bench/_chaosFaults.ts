/**
 * The faults the chaos run injects, one every ~10 s. Each says what it breaks and when it is over
 * ("cleared"): instant faults (a dropped socket, a killed process) clear at once and leave the
 * recovery to Pickle; timed ones (Ollama down for 5 s) clear when the bench undoes them.
 */
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PickleApp } from '../src/app.ts';
import type { DeepgramStandin } from '../test/standins/deepgram.ts';
import type { DeepgramLiveStandin } from '../test/standins/deepgramLive.ts';
import type { OllamaStandin } from '../test/standins/ollama.ts';
import type { TwitchIrcStandin } from '../test/standins/twitchIrc.ts';

export interface ChaosWorld {
  pickle: PickleApp;
  irc: TwitchIrcStandin;
  channel: string;
  ollama: OllamaStandin;
  tts: DeepgramStandin;
  stt: DeepgramLiveStandin;
  dataDir: string;
  /** What the faults observed, for the report. */
  notes: string[];
}

export interface Fault {
  name: string;
  /** Breaks something; resolves when the fault is cleared (undone, or instant). */
  inject(w: ChaosWorld): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function health(w: ChaosWorld): Promise<{ memory?: { chroma?: { pid?: number } } }> {
  return (await (await fetch(`${w.pickle.url}/health`)).json()) as { memory?: { chroma?: { pid?: number } } };
}

export const FAULTS: Fault[] = [
  { name: 'irc-dropped', inject: async (w) => w.irc.dropConnections() },
  {
    name: 'irc-ratelimit-notice',
    inject: async (w) => w.irc.notice(w.channel, 'msg_ratelimit', 'Your message was not sent because you are sending messages too quickly.'),
  },
  {
    name: 'ollama-down-5s',
    inject: async (w) => {
      await w.ollama.refuse();
      await sleep(5_000);
      await w.ollama.resume();
    },
  },
  {
    name: 'ollama-500',
    inject: async (w) => {
      w.ollama.status500 = true;
      await sleep(5_000);
      w.ollama.status500 = false;
    },
  },
  {
    name: 'ollama-first-token-10s',
    inject: async (w) => {
      const was = w.ollama.firstTokenDelayMs;
      w.ollama.firstTokenDelayMs = 10_000;
      await sleep(10_000);
      w.ollama.firstTokenDelayMs = was;
    },
  },
  {
    name: 'ollama-endless-whitespace',
    inject: async (w) => {
      w.ollama.endlessWhitespace = true;
      await sleep(5_000);
      w.ollama.endlessWhitespace = false;
    },
  },
  { name: 'tts-429-burst', inject: async (w) => w.tts.failNext(429, 6) },
  { name: 'stt-socket-dropped', inject: async (w) => w.stt.connections.filter((c) => !c.closed).forEach((c) => c.drop()) },
  {
    name: 'chroma-sigkill',
    inject: async (w) => {
      const pid = (await health(w)).memory?.chroma?.pid;
      if (pid) process.kill(pid, 'SIGKILL');
    },
  },
  {
    name: 'browser-sigkill',
    inject: async (w) => {
      const pid = w.pickle.vision?.browserPid();
      if (pid) process.kill(pid, 'SIGKILL');
    },
  },
  {
    // Running as root, a read-only mode is not enough: a directory in the file's place makes every
    // write fail (EISDIR), as a read-only or full disk would.
    name: 'settings-unwritable',
    inject: async (w) => {
      const file = join(w.dataDir, 'settings.json');
      const aside = `${file}.chaos`;
      const had = existsSync(file);
      if (had) {
        chmodSync(file, 0o444);
        renameSync(file, aside);
      }
      mkdirSync(file, { recursive: true });
      // A streamer changes a setting meanwhile: Pickle must refuse it cleanly, not fall over.
      const put = (cooldownSec: number) =>
        fetch(`${w.pickle.url}/api/settings/persona`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ cooldownSec }),
        }).then((r) => r.status, () => 0);
      w.notes.push(`settings PUT while unwritable: HTTP ${await put(3)}`);
      await sleep(5_000);
      rmSync(file, { recursive: true, force: true });
      if (had) {
        renameSync(aside, file);
        chmodSync(file, 0o644);
      }
      w.notes.push(`settings PUT after: HTTP ${await put(2)}`);
    },
  },
];

/** A refused key turns Deepgram off until restart by design, so it comes last. */
export const LAST_FAULT: Fault = { name: 'tts-401', inject: async (w) => w.tts.failNext(401, 1) };
