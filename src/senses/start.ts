/**
 * Pickle's senses for the app: the one hidden browser (src/browser), the voice on this PC
 * (AUDIO_OUTPUT=local), ears (microphone → Deepgram), eyes (camera), and the senses switch that
 * turns ears and eyes on and off. Ears and eyes start off when the saved settings say so.
 */
import type { PickleActor } from '../../machines/orchestrator.ts';
import type { PickleEvent } from '../../machines/events.ts';
import type { Env } from '../config/env.ts';
import type { SettingsStore } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { localOutput } from '../audio/localSpeaker.ts';
import { createMicChannel } from '../audio/micChannel.ts';
import { hiddenBrowser } from '../browser/index.ts';
import type { PickleServer } from '../server/server.ts';
import { startEars, type Ears, type EarsTuning } from '../stt/index.ts';
import { startVision, type VisionService, type VisionTuning } from '../vision/index.ts';
import { startSenses, type Senses } from './index.ts';
import { orchestratorChildren } from '../children.ts';

export interface SensesStackOptions {
  env: Env;
  log: Logger;
  status: StatusBoard;
  settings: SettingsStore;
  server: PickleServer;
  orchestrator: PickleActor;
  /** The orchestrator's events, for the ears' log lines. */
  events: Pick<PickleActor, 'on'>;
  send: (event: PickleEvent) => void;
  say: (line: string) => void;
  tuning?: { stt?: EarsTuning | undefined; vision?: VisionTuning | undefined };
}

export interface SensesStack {
  ears: Ears;
  vision: VisionService | undefined;
  senses: Senses;
  browserPid(): number | undefined;
  stop(): Promise<void>;
}

export async function startSensesStack(opts: SensesStackOptions): Promise<SensesStack> {
  const { env, log, status, server, orchestrator, send } = opts;
  // The machines of the senses and of the browser's pages run as the orchestrator's children.
  const children = orchestratorChildren(orchestrator);
  // One hidden browser for the microphone, the camera and the local voice, running only while one of them needs it.
  const browser = hiddenBrowser(env, { baseUrl: server.url, log, children });
  const on = opts.settings.get().senses;
  const speaker = localOutput(env, browser, { baseUrl: server.url, key: server.pageKey, log: log.child({ service: 'audio' }), status, children });

  // Ears: the streamer's voice through Deepgram (reports `stt` on the status board in every case).
  const ears = await startEars({
    browser: { shared: browser.shared, baseUrl: server.url, channel: createMicChannel(server.io), ...(browser.fault ? { fault: browser.fault } : {}) },
    paused: !on.ears,
    env,
    log: log.child({ service: 'stt' }),
    status,
    send,
    events: opts.events,
    children,
    ...(opts.tuning?.stt ? { tuning: opts.tuning.stt } : {}),
  });

  // Eyes: the camera through the streamer's own browser. VISION_ENABLED=false starts no browser.
  const vision = env.VISION_ENABLED
    ? startVision({
        env,
        status,
        log,
        baseUrl: server.url,
        ...(browser.shared ? { shared: browser.shared } : {}),
        paused: !on.eyes,
        send,
        children,
        ...(opts.tuning?.vision ? { tuning: opts.tuning.vision } : {}),
      })
    : undefined;

  const senses = startSenses({
    settings: opts.settings,
    log,
    ears,
    vision,
    say: opts.say,
    children,
  });

  return {
    ears,
    vision,
    senses,
    browserPid: () => browser.shared?.pid(),
    async stop() {
      senses.stop();
      await ears.stop();
      await speaker?.stop();
      await vision?.stop();
    },
  };
}
