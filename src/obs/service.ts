/**
 * OBS for Pickle: the connection (lifecycle decided by machines/obsConnection.ts), the "Add Pickle
 * to OBS" setup, and the live scene reported for the mute scenes (machines/sceneMute.ts says
 * whether it mutes; the brain alone keeps whether Pickle is muted, and by whom). Never blocks start-up:
 * `start()` returns at once and the connection comes up (and comes back) in the background.
 *
 * "Configured" means OBS_WEBSOCKET_URL or OBS_WEBSOCKET_PASSWORD is set. Without either, OBS is
 * `disabled` with the step that enables it: a streamer who does not use OBS (or adds the overlay by
 * hand) must not see a red line forever, and OBS 28+ asks for a password by default anyway.
 */
import type { AdapterChild } from '../../machines/children.ts';
import type { ObsConnectionInput } from '../../machines/obsConnection.ts';
import type { PanelReports } from '../screens/presenter.ts';
import type { PickleActor } from '../../machines/orchestrator.ts';
import { orchestratorChildren } from '../children.ts';
import type { Env } from '../config/env.ts';
import type { Persona } from '../config/persona.ts';
import type { ConsoleOut } from '../console.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { createObsClient, DEFAULT_OBS_URL, ObsConnectError, ObsRequestError, type ObsClient } from './client.ts';
import { overlayUrlFor } from './overlayUrl.ts';
import { ensureOverlaySource, ObsSetupError, OVERLAY_HEIGHT, OVERLAY_WIDTH, type OverlaySourceResult } from './setup.ts';
import { errorText } from '../errors.ts';

export const OBS_DISABLED_FIX =
  'set OBS_WEBSOCKET_PASSWORD in .env (OBS → Tools → WebSocket Server Settings → Show Connect Info) to add the overlay in one click and mute Pickle on BRB scenes';

export interface ObsStartOptions {
  /** Pickle's address; OBS's browser source gets `<serverUrl>/overlay` (+ ?key= when needed). */
  serverUrl: string;
  overlayKey?: string | undefined;
  muteScenes: string[];
  /** OBS's machines run as its children (`sceneMute` sends the live scene up; the orchestrator routes it to the brain). */
  orchestrator: Pick<PickleActor, 'send' | 'system' | 'getSnapshot'>;
  /** The orchestrator's events, for the sink that says why Pickle went quiet (src/sinks.ts). */
  events: Pick<PickleActor, 'on'>;
  /** The panel hears why Pickle went quiet. */
  reports?: Pick<PanelReports, 'sceneMute'>;
  console?: ConsoleOut;
}

/** The persona's `obs.mute_scenes` and OBS_MUTE_SCENES together. */
export function muteScenesOf(persona: Persona, env: Env): string[] {
  return [...persona.file.obs.mute_scenes, ...env.OBS_MUTE_SCENES];
}

export interface ObsView {
  enabled: boolean;
  connected: boolean;
  scene?: string;
  /** Set while a mute scene keeps Pickle quiet. */
  mutedByScene?: string;
  muteScenes: string[];
  /** The overlay's address for a browser source, and its size: known once Pickle serves, with or without OBS. */
  overlay?: { url: string; width: number; height: number };
}

export interface ObsService {
  readonly enabled: boolean;
  start(opts: ObsStartOptions): void;
  /** Creates or corrects the overlay source; connects first if needed (waits up to `waitMs`). */
  setupOverlay(waitMs?: number): Promise<OverlaySourceResult>;
  setMuteScenes(scenes: string[]): void;
  view(): ObsView;
  stop(): Promise<void>;
}

export class ObsNotReady extends Error {
  constructor(
    message: string,
    readonly fix: string | undefined,
    readonly status: 409 | 503,
  ) {
    super(message);
    this.name = 'ObsNotReady';
  }
}

export type ObsTuning = Omit<ObsConnectionInput, 'url'> & { timeoutMs?: number };

export interface ObsDeps {
  env: Env;
  status: StatusBoard;
  log: Logger;
  /** Faster back-off and timeouts for tests. */
  tuning?: ObsTuning;
}

export function isObsConfigured(env: Env): boolean {
  return env.OBS_WEBSOCKET_URL !== undefined || env.OBS_WEBSOCKET_PASSWORD !== undefined;
}

export function createObs(deps: ObsDeps): ObsService {
  const { env, status, log } = deps;
  const url = env.OBS_WEBSOCKET_URL ?? DEFAULT_OBS_URL;
  const enabled = isObsConfigured(env);
  let client: ObsClient | undefined;
  let connection: AdapterChild<'obsConnection'> | undefined;
  let scenes: AdapterChild<'sceneMute'> | undefined;
  let children: ReturnType<typeof orchestratorChildren> | undefined;
  let connected = false;
  let scene: string | undefined;
  let muteScenes: string[] = [];
  let overlayUrl = '';
  /** The brain keeps the mute; the view reads it there. */
  let mutedByScene = (): string | undefined => undefined;
  let stopped = false;
  const waiters = new Set<() => void>();

  const view = (): ObsView => ({
    enabled,
    connected,
    muteScenes,
    ...(scene !== undefined ? { scene } : {}),
    ...(mutedByScene() !== undefined ? { mutedByScene: mutedByScene() } : {}),
    ...(overlayUrl ? { overlay: { url: overlayUrl, width: OVERLAY_WIDTH, height: OVERLAY_HEIGHT } } : {}),
  });

  const whenConnected = (ms: number) =>
    new Promise<boolean>((resolve) => {
      if (connected) return resolve(true);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve(connected);
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });

  const service: ObsService = {
    enabled,
    start(opts) {
      overlayUrl = overlayUrlFor(opts.serverUrl, opts.overlayKey);
      if (!enabled) {
        status.set('obs', 'disabled', 'OBS not connected: add the overlay as a browser source by hand, or let Pickle do it', { fix: OBS_DISABLED_FIX, configured: false });
        return;
      }
      muteScenes = opts.muteScenes;
      mutedByScene = () => opts.orchestrator.getSnapshot().children.brain?.getSnapshot().context.mutedByScene;
      // Why Pickle went quiet (the brain decided it): the log, the panel and the console say so.
      opts.events.on('scene.muteChanged', ({ muted, scene: name }) => {
        log.info({ event: muted ? 'obs.mute' : 'obs.unmute', scene: name }, muted ? 'muted by OBS scene' : 'unmuted by OBS scene');
        opts.reports?.sceneMute({ muted, scene: name });
        opts.console?.line(`OBS: Pickle ${muted ? 'muted' : 'unmuted'}: OBS scene "${name}" is live`);
      });
      const c = createObsClient({ url, password: env.OBS_WEBSOCKET_PASSWORD, ...(deps.tuning?.timeoutMs ? { timeoutMs: deps.tuning.timeoutMs } : {}) });
      client = c;
      children = orchestratorChildren(opts.orchestrator);
      const s = children.start({ src: 'sceneMute', systemId: 'sceneMute', input: { muteScenes } });
      scenes = s;

      const m = children.start({ src: 'obsConnection', systemId: 'obsConnection', input: { url, ...(deps.tuning ?? {}) } });
      connection = m;
      m.on('obs.status', (e) => status.set('obs', e.state, e.detail, e.fix ? { fix: e.fix } : {}));
      m.on('obs.connect', () => {
        void c.connect().then(
          (hello) => {
            if (stopped) return void c.disconnect();
            connected = true;
            scene = hello.scene;
            m.send({ type: 'obs.connected', obsVersion: hello.obsVersion, scene: hello.scene, browserSource: hello.browserSource });
            s.send({ type: 'obs.scene', name: hello.scene });
            for (const w of [...waiters]) w();
          },
          (err: unknown) => {
            const f = err instanceof ObsConnectError ? err.failure : 'unreachable';
            log.debug({ event: 'obs.failed', failure: f, err: errorText(err) }, 'OBS connect failed');
            if (!stopped) m.send({ type: 'obs.failed', failure: f, detail: errorText(err) });
          },
        );
      });
      c.onScene((name) => {
        scene = name;
        m.send({ type: 'obs.scene', name });
        s.send({ type: 'obs.scene', name });
      });
      c.onClosed((failure, detail) => {
        connected = false;
        log.info({ event: 'obs.closed', failure, detail }, 'OBS connection closed');
        if (!stopped) m.send({ type: 'obs.closed', failure, detail });
      });
      m.send({ type: 'obs.start' });
    },
    async setupOverlay(waitMs = 4_000) {
      if (!enabled) throw new ObsNotReady('OBS is not configured', OBS_DISABLED_FIX, 409);
      if (!client || !connection) throw new ObsNotReady('OBS is still starting', undefined, 503);
      if (!connected) {
        connection.send({ type: 'obs.retry' });
        if (!(await whenConnected(waitMs))) {
          const s = status.get('obs');
          throw new ObsNotReady(s?.detail ?? 'OBS is not connected', s?.fix, 503);
        }
      }
      const result = await ensureOverlaySource(client.call, overlayUrl).catch((err: unknown) => {
        // OBS's own words go to the log only; the panel gets the sentence and the step.
        if (err instanceof ObsRequestError) log.warn({ event: 'obs.setup.failed', request: err.request, code: err.code, comment: err.comment }, err.message);
        if (err instanceof ObsSetupError) log.warn({ event: 'obs.setup.refused' }, err.message);
        throw err;
      });
      log.info({ event: 'obs.setup', scene: result.scene, created: result.created, updated: result.updated, addedToScene: result.addedToScene }, 'overlay source set up');
      return result;
    },
    setMuteScenes(list) {
      muteScenes = list;
      scenes?.send({ type: 'muteScenes.changed', scenes: list });
    },
    view,
    async stop() {
      stopped = true;
      children?.stop('obsConnection');
      children?.stop('sceneMute');
      for (const w of [...waiters]) w();
      await client?.disconnect();
    },
  };
  return service;
}
