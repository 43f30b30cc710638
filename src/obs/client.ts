/**
 * The connection to OBS through obs-websocket-js (obs-websocket 5, built into OBS 28+). Its default
 * Node import speaks MessagePack (`obswebsocket.msgpack`), which OBS serves alongside JSON.
 * This adapter only does I/O: it connects when asked, reports facts (connected, failed, closed,
 * scene switched) in provider-neutral terms, and bounds every call with a timeout because the
 * library never settles a request whose connection dropped.
 */
import { withDeadline } from '../deadline.ts';
import OBSWebSocket, { EventSubscription, OBSWebSocketError, type OBSRequestTypes, type OBSResponseTypes } from 'obs-websocket-js';
import type { ObsFailure } from '../../machines/obsConnection.ts';
import { errorText } from '../errors.ts';

export const DEFAULT_OBS_URL = 'ws://127.0.0.1:4455';

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

/** OBS answered a request with a failure status (600 not found, 601 exists, …). */
export class ObsRequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
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

/** OBS's close codes → what went wrong (4009 AuthenticationFailed, 4010 UnsupportedRpcVersion, 4011 SessionInvalidated). */
export function failureOf(err: unknown): ObsConnectError {
  if (err instanceof ObsConnectError) return err;
  const code = err instanceof OBSWebSocketError ? err.code : undefined;
  const raw = err instanceof Error ? err.message : '';
  const message = raw || (code !== undefined && code > 0 ? `connection closed (${code})` : 'no answer');
  if (code === 4009) return new ObsConnectError('auth', message);
  if (code === 4011) return new ObsConnectError('kicked', message);
  if (code === 4010 || /subprotocol/i.test(message)) return new ObsConnectError('protocol', message);
  if (code !== undefined && code >= 4000) return new ObsConnectError('protocol', `${message} (${code})`);
  return new ObsConnectError('unreachable', message);
}

export function createObsClient(opts: ObsClientOptions): ObsClient {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const obs = new OBSWebSocket();
  const sceneListeners: ((name: string) => void)[] = [];
  const closedListeners: ((failure: ObsFailure, detail: string) => void)[] = [];
  /** True between Identified and the close; a close while connecting or on disconnect() is no news. */
  let open = false;

  obs.on('CurrentProgramSceneChanged', (e) => {
    for (const l of sceneListeners) l(e.sceneName);
  });
  obs.on('ConnectionClosed', (err) => {
    if (!open) return;
    open = false;
    const f = failureOf(err);
    for (const l of closedListeners) l(f.failure, f.message);
  });

  const call: ObsCall = (type, data) =>
    withDeadline(obs.call(type, data), timeoutMs, () => new ObsRequestError(-1, `OBS did not answer ${type} in ${timeoutMs} ms`)).catch((err: unknown) => {
      if (err instanceof OBSWebSocketError) throw new ObsRequestError(err.code, err.message || `${type} failed (${err.code})`);
      throw err;
    });

  return {
    async connect() {
      open = false;
      try {
        await withDeadline(
          // Only scene events: the one thing Pickle listens to.
          obs.connect(opts.url, opts.password, { eventSubscriptions: EventSubscription.Scenes }),
          timeoutMs,
          () => new ObsConnectError('timeout', `no answer from ${opts.url} in ${timeoutMs} ms`),
        );
      } catch (err) {
        await obs.disconnect().catch(() => undefined);
        throw failureOf(err);
      }
      try {
        const [version, scene] = await Promise.all([call('GetVersion'), call('GetCurrentProgramScene')]);
        open = true;
        return { obsVersion: version.obsVersion, scene: scene.sceneName ?? scene.currentProgramSceneName };
      } catch (err) {
        await obs.disconnect().catch(() => undefined);
        // No answer (the connection dropped right after Identified, or OBS hangs) is not a protocol problem.
        const silent = err instanceof ObsRequestError && err.code === -1;
        throw new ObsConnectError(silent ? 'timeout' : 'protocol', errorText(err));
      }
    },
    call,
    onScene: (l) => void sceneListeners.push(l),
    onClosed: (l) => void closedListeners.push(l),
    async disconnect() {
      open = false;
      await withDeadline(obs.disconnect(), timeoutMs, () => new Error('disconnect timed out')).catch(() => undefined);
    },
  };
}
