/**
 * The connection to OBS through obs-websocket-js (obs-websocket 5, built into OBS 28+). Its default
 * Node import speaks MessagePack (`obswebsocket.msgpack`), which OBS serves alongside JSON.
 * This adapter only does I/O: it connects when asked, reports facts (connected, failed, closed,
 * scene switched) in provider-neutral terms, and bounds every call with a timeout because the
 * library never settles a request whose connection dropped.
 */
import { withDeadline } from '../deadline.ts';
import type { OBSRequestTypes, OBSResponseTypes, OBSWebSocket } from 'obs-websocket-js';
import type { ObsFailure } from '../../machines/obsConnection.ts';
import { BROWSER_SOURCE_KIND, obsTrouble } from './requestWords.ts';
import { errorText } from '../errors.ts';

export const DEFAULT_OBS_URL = 'ws://127.0.0.1:4455';
/** obs-websocket's EventSubscription.Scenes (1 << 2), spelled here so the library loads only on connect. */
const OBS_SCENE_EVENTS = 1 << 2;

/** A connect attempt that did not end identified. */
export class ObsConnectError extends Error {
  constructor(
    readonly failure: ObsFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ObsConnectError';
  }
}

/**
 * OBS answered a request with a failure status (600 not found, 601 exists, …), or none in time
 * (code -1). The message is the streamer's sentence (requestWords.ts); OBS's own comment is kept for
 * the log.
 */
export class ObsRequestError extends Error {
  readonly fix: string;
  constructor(
    readonly code: number,
    readonly request: string,
    readonly comment: string,
  ) {
    const words = obsTrouble(code, request);
    super(words.message);
    this.fix = words.fix;
    this.name = 'ObsRequestError';
  }
}

export interface ObsClientOptions {
  url: string;
  password?: string | undefined;
  /** Bound on connecting (TCP + Hello + Identify) and on each request. */
  timeoutMs?: number;
}

export interface ObsHello {
  obsVersion: string;
  scene: string;
  /** Whether this OBS can show web pages (the obs-browser plugin); Linux distribution builds often lack it. */
  browserSource: boolean;
}

export type ObsCall = <T extends keyof OBSRequestTypes>(type: T, data?: OBSRequestTypes[T]) => Promise<OBSResponseTypes[T]>;

export interface ObsClient {
  connect(): Promise<ObsHello>;
  call: ObsCall;
  onScene(listener: (name: string) => void): void;
  /** An identified connection closed without us asking. */
  onClosed(listener: (failure: ObsFailure, detail: string) => void): void;
  disconnect(): Promise<void>;
}

/** The code of an OBSWebSocketError (a close code, a request status, or -1), read by shape so the library loads only when used. */
function codeOf(err: unknown): number | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'number' ? err.code : undefined;
}

/** OBS's close codes → what went wrong (4009 AuthenticationFailed, 4010 UnsupportedRpcVersion, 4011 SessionInvalidated). */
export function failureOf(err: unknown): ObsConnectError {
  if (err instanceof ObsConnectError) return err;
  const code = codeOf(err);
  const raw = err instanceof Error ? err.message : '';
  const message = raw || (code !== undefined && code > 0 ? `connection closed (${code})` : 'no answer');
  if (code === 4009) return new ObsConnectError('auth', message);
  if (code === 4011) return new ObsConnectError('kicked', message);
  if (code === 4010 || /subprotocol/i.test(message)) return new ObsConnectError('protocol', message);
  if (code !== undefined && code >= 4000) return new ObsConnectError('protocol', `${message} (${code})`);
  return new ObsConnectError('unreachable', message);
}

/** A request failing right after login: OBS still loading, no answer, or an OBS that does not speak Pickle's requests. */
function connectErrorOf(err: unknown): ObsConnectError {
  if (!(err instanceof ObsRequestError)) return new ObsConnectError('protocol', errorText(err));
  // No answer (the connection dropped right after Identified, or OBS hangs) is not a protocol problem.
  if (err.code === -1) return new ObsConnectError('timeout', err.message);
  if (err.code === 207) return new ObsConnectError('notReady', err.message);
  return new ObsConnectError('protocol', `${err.message} (${err.comment})`);
}

export function createObsClient(opts: ObsClientOptions): ObsClient {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  /** obs-websocket-js is loaded on the first connect: a Pickle without OBS never loads it. */
  let obs: OBSWebSocket | undefined;
  const sceneListeners: ((name: string) => void)[] = [];
  const closedListeners: ((failure: ObsFailure, detail: string) => void)[] = [];
  /** True between Identified and the close; a close while connecting or on disconnect() is no news. */
  let open = false;

  async function socket(): Promise<OBSWebSocket> {
    if (obs) return obs;
    const { default: OBSWebSocketClass } = await import('obs-websocket-js');
    const created = new OBSWebSocketClass();
    created.on('CurrentProgramSceneChanged', (e) => {
      for (const l of sceneListeners) l(e.sceneName);
    });
    created.on('ConnectionClosed', (err) => {
      if (!open) return;
      open = false;
      const f = failureOf(err);
      for (const l of closedListeners) l(f.failure, f.message);
    });
    obs = created;
    return created;
  }

  const call: ObsCall = (type, data) => {
    if (!obs) return Promise.reject(new ObsRequestError(-1, type, 'not connected'));
    return withDeadline(obs.call(type, data), timeoutMs, () => new ObsRequestError(-1, type, `no answer in ${timeoutMs} ms`)).catch((err: unknown) => {
      const code = codeOf(err);
      if (code !== undefined && err instanceof Error) throw new ObsRequestError(code, type, err.message || `code ${code}`);
      throw err;
    });
  };

  return {
    async connect() {
      open = false;
      const ws = await socket();
      try {
        await withDeadline(
          // Only scene events (EventSubscription.Scenes): the one thing Pickle listens to.
          ws.connect(opts.url, opts.password, { eventSubscriptions: OBS_SCENE_EVENTS }),
          timeoutMs,
          () => new ObsConnectError('timeout', `no answer from ${opts.url} in ${timeoutMs} ms`),
        );
      } catch (err) {
        await ws.disconnect().catch(() => undefined);
        throw failureOf(err);
      }
      try {
        const [version, scene, kinds] = await Promise.all([call('GetVersion'), call('GetCurrentProgramScene'), call('GetInputKindList', { unversioned: false })]);
        open = true;
        return {
          obsVersion: version.obsVersion,
          // obs-websocket 5.1 (OBS 29) names the scene only in the deprecated field.
          scene: scene.sceneName ?? scene.currentProgramSceneName,
          browserSource: kinds.inputKinds.includes(BROWSER_SOURCE_KIND),
        };
      } catch (err) {
        await ws.disconnect().catch(() => undefined);
        throw connectErrorOf(err);
      }
    },
    call,
    onScene: (l) => void sceneListeners.push(l),
    onClosed: (l) => void closedListeners.push(l),
    async disconnect() {
      open = false;
      if (obs) await withDeadline(obs.disconnect(), timeoutMs, () => new Error('disconnect timed out')).catch(() => undefined);
    },
  };
}
