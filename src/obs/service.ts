/**
 * OBS for Pickle: the connection (lifecycle decided by machines/obsConnection.ts), the "Add Pickle
 * to OBS" setup, and the scenes that mute Pickle (machines/sceneMute.ts). Never blocks start-up:
 * `start()` returns at once and the connection comes up (and comes back) in the background.
 *
 * "Configured" means OBS_WEBSOCKET_URL or OBS_WEBSOCKET_PASSWORD is set. Without either, OBS is
 * `disabled` with the step that enables it: a streamer who does not use OBS (or adds the overlay by
 * hand) must not see a red line forever, and OBS 28+ asks for a password by default anyway.
 */
import type { AdapterChild } from '../../machines/children.ts';
import type { ObsConnectionInput } from '../../machines/obsConnection.ts';
import { mutedBySceneOf } from '../../machines/sceneMute.ts';
import type { PanelReports } from '../screens/presenter.ts';
import type { PickleActor } from '../../machines/orchestrator.ts';
import { orchestratorChildren } from '../children.ts';
import type { Env } from '../config/env.ts';
import type { Persona } from '../config/persona.ts';
import type { ConsoleOut } from '../console.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { createObsClient, DEFAULT_OBS_URL, ObsConnectError, type ObsClient } from './client.ts';
import { overlayUrlFor } from './overlayUrl.ts';
import { ensureOverlaySource, type OverlaySourceResult } from './setup.ts';
import { errorText } from '../errors.ts';

export const OBS_DISABLED_FIX =
  'set OBS_WEBSOCKET_PASSWORD in .env (OBS → Tools → WebSocket Server Settings → Show Connect Info) to add the overlay in one click and mute Pickle on BRB scenes';

export interface ObsStartOptions {
  /** Pickle's address; OBS's browser source gets `<serverUrl>/overlay` (+ ?key= when needed). */
  serverUrl: string;
  overlayKey?: string | undefined;
  muteScenes: string[];
  /** Mutes and unmutes go to the brain through it; mods' !mute / !unmute are read from it; OBS's machines run as its children. */
  orchestrator: Pick<PickleActor, 'send' | 'on' | 'system'>;
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
}

export interface ObsService {
  readonly enabled: boolean;
  start(opts: ObsStartOptions): void;
  /** Creates or corrects the overlay source; connects first if needed (waits up to `waitMs`). */
  setupOverlay(waitMs?: number): Promise<OverlaySourceResult>;
  /** A person muted or unmuted Pickle (mod command, panel): scenes never undo that. */
  manualMute(muted: boolean): void;
  /** Wraps the panel's control handler so its mute / unmute count as a person's. */
  seeControl<C extends string>(handler: (cmd: C) => void): (cmd: C) => void;
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
  let stopped = false;
  const waiters = new Set<() => void>();

  const view = (): ObsView => {
    const mutedByScene = scenes?.getSnapshot().status === 'active' ? mutedBySceneOf(scenes.getSnapshot().context) : undefined;
    return { enabled, connected, muteScenes, ...(scene !== undefined ? { scene } : {}), ...(mutedByScene !== undefined ? { mutedByScene } : {}) };
  };

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
      if (!enabled) {
        status.set('obs', 'disabled', 'OBS not connected: add the overlay as a browser source by hand, or let Pickle do it', { fix: OBS_DISABLED_FIX });
        return;
      }
      muteScenes = opts.muteScenes;
      overlayUrl = overlayUrlFor(opts.serverUrl, opts.overlayKey);
      const onSceneMute = (muted: boolean, name: string) => {
        opts.orchestrator.send(muted ? { type: 'brain.mute' } : { type: 'brain.unmute' });
        const text = muted ? `muted: OBS scene "${name}" is live` : `unmuted: OBS scene "${name}" is live`;
        opts.reports?.sceneMute({ muted, scene: name });
        opts.console?.line(`OBS: Pickle ${text}`);
      };
      const c = createObsClient({ url, password: env.OBS_WEBSOCKET_PASSWORD, ...(deps.tuning?.timeoutMs ? { timeoutMs: deps.tuning.timeoutMs } : {}) });
      client = c;
      children = orchestratorChildren(opts.orchestrator);
      const s = children.start({ src: 'sceneMute', systemId: 'sceneMute', input: { muteScenes } });
      scenes = s;
      s.on('scene.mute', (e) => {
        log.info({ event: 'obs.mute', scene: e.scene }, 'muted by OBS scene');
        onSceneMute(true, e.scene);
      });
      s.on('scene.unmute', (e) => {
        log.info({ event: 'obs.unmute', scene: e.scene }, 'unmuted by OBS scene');
        onSceneMute(false, e.scene);
      });

      const m = children.start({ src: 'obsConnection', systemId: 'obsConnection', input: { url, ...(deps.tuning ?? {}) } });
      connection = m;
      m.on('obs.status', (e) => status.set('obs', e.state, e.detail, e.fix ? { fix: e.fix } : {}));
      m.on('obs.connect', () => {
        void c.connect().then(
          (hello) => {
            if (stopped) return void c.disconnect();
            connected = true;
            scene = hello.scene;
            m.send({ type: 'obs.connected', obsVersion: hello.obsVersion, scene: hello.scene });
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
      const result = await ensureOverlaySource(client.call, overlayUrl);
      log.info({ event: 'obs.setup', scene: result.scene, created: result.created, updated: result.updated, addedToScene: result.addedToScene }, 'overlay source set up');
      return result;
    },
    manualMute(muted) {
      // Muted or unmuted by a person (the panel): from now on the reason is theirs, not the scene's.
      scenes?.send({ type: 'mute.manual', muted });
    },
    seeControl(handler) {
      return (cmd) => {
        if (cmd === 'mute' || cmd === 'unmute') service.manualMute(cmd === 'mute');
        handler(cmd);
      };
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
