/**
 * VTube Studio (AVATAR=vts): the plugin API's WebSocket, I/O only. When to connect is the
 * reconnect machine's (`reconnect:vts`), the token flow, hotkeys and the mouth's cadence the vts
 * machine's (`vts`); this adapter opens the socket, speaks VTube Studio's envelope (apiName,
 * apiVersion, requestID, messageType, data), stores the token (0600), and reports what it hears.
 * The mouth comes from an overlay that plays the voice (`mouth` messages, asked with
 * `mouth_wanted`): the same viseme analysis as a VRM model's.
 */
import WebSocket from 'ws';
import type { VtsHotkey } from '../../machines/vts.ts';
import type { Env } from '../config/env.ts';
import type { Persona } from '../config/persona.ts';
import { tell, type ChildHost } from '../children.ts';
import type { Logger } from '../log.ts';
import type { AvatarNamespace, AvatarSocket } from '../screens/namespaces.ts';
import type { StatusBoard } from '../status.ts';
import { vtsTokenStore } from './token.ts';

const PLUGIN = { pluginName: 'Pickle', pluginDeveloper: 'Pickle co-host' };
const DENIED_ERROR = 50;
const ALLOW_STEP = 'click Allow in VTube Studio when it asks about the plugin "Pickle"';

export interface VtsOptions {
  env: Pick<Env, 'AVATAR' | 'VTS_URL'>;
  dataDir: string;
  status: StatusBoard;
  log: Logger;
  children: ChildHost;
  avatar: AvatarNamespace;
  persona: () => Persona;
  /** Reconnect backoff (tests shorten it). */
  backoff?: { baseMs: number; maxMs: number };
}

export interface VtsLink {
  stop(): void;
}

export function startVts(opts: VtsOptions): VtsLink | undefined {
  if (opts.env.AVATAR !== 'vts') return undefined;
  const { status, log, children } = opts;
  const url = opts.env.VTS_URL;
  const tokens = vtsTokenStore(opts.dataDir);
  const link = children.start({ src: 'reconnect', systemId: 'reconnect:vts', input: { baseMs: opts.backoff?.baseMs ?? 1000, maxMs: opts.backoff?.maxMs ?? 30_000, connectTimeoutMs: 10_000, stableMs: 10_000 } });
  const vts = children.start({ src: 'vts', systemId: 'vts', input: { hasToken: tokens.get() !== undefined, hotkeys: opts.persona().file.vts.hotkeys } });
  let ws: WebSocket | undefined;
  let seq = 0;
  const pending = new Map<string, string>();
  const send = (messageType: string, data?: Record<string, unknown>) => {
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const requestID = `pickle-${++seq}`;
    pending.set(requestID, messageType);
    if (pending.size > 200) pending.delete(pending.keys().next().value!);
    ws.send(JSON.stringify({ apiName: 'VTubeStudioPublicAPI', apiVersion: '1.0', requestID, messageType, ...(data ? { data } : {}) }));
  };

  status.set('vts', 'starting', `connecting to VTube Studio at ${url}`);
  link.on('connection.retrying', (e) => status.set('vts', 'degraded', `VTube Studio not reachable at ${url} (${e.reason}); trying again in ${Math.round(e.retryInMs / 1000)} s`, { fix: 'start VTube Studio and turn on Settings → "Start API" (port 8001), or set VTS_URL' }));
  link.on('connection.open', () => {
    const socket = new WebSocket(url);
    ws = socket;
    socket.on('open', () => {
      link.send({ type: 'connection.opened' });
      tell(vts, { type: 'vts.connected' });
    });
    socket.on('message', (raw: Buffer) => heard(raw.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', (_code, reason) => {
      if (ws !== socket) return;
      ws = undefined;
      tell(vts, { type: 'vts.disconnected' });
      tell(link, { type: 'connection.lost', failure: 'retryable', reason: String(reason) || 'the connection closed', jitter: Math.random() });
    });
  });

  const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');

  function heard(text: string): void {
    let msg: { messageType?: unknown; requestID?: unknown; data?: Record<string, unknown> };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    const data = msg.data ?? {};
    const asked = typeof msg.requestID === 'string' ? pending.get(msg.requestID) : undefined;
    if (typeof msg.requestID === 'string') pending.delete(msg.requestID);
    switch (msg.messageType) {
      case 'AuthenticationTokenResponse': {
        const token = data['authenticationToken'];
        if (typeof token !== 'string' || !token) return;
        tokens.set(token);
        tell(vts, { type: 'vts.tokenGranted' });
        return;
      }
      case 'AuthenticationResponse':
        tell(vts, data['authenticated'] === true ? { type: 'vts.authenticated' } : { type: 'vts.authRefused', reason: str(data['reason'], 200) });
        return;
      case 'HotkeysInCurrentModelResponse': {
        const list = Array.isArray(data['availableHotkeys']) ? (data['availableHotkeys'] as Array<Record<string, unknown>>) : [];
        const hotkeys: VtsHotkey[] = list
          .filter((h) => typeof h['name'] === 'string' && typeof h['hotkeyID'] === 'string')
          .map((h) => ({ name: String(h['name']).slice(0, 64), id: String(h['hotkeyID']), type: str(h['type'], 64) }));
        tell(vts, { type: 'vts.hotkeys', model: str(data['modelName'], 80), hotkeys });
        return;
      }
      case 'APIError': {
        const errorID = Number(data['errorID']);
        const message = str(data['message'], 200);
        if (asked === 'AuthenticationTokenRequest' && errorID === DENIED_ERROR) tell(vts, { type: 'vts.tokenDenied', message });
        else log.warn({ event: 'vts.error', request: asked, errorID, message }, 'VTube Studio refused a request');
        return;
      }
      default:
        return;
    }
  }

  vts.on('vts.requestToken', () => send('AuthenticationTokenRequest', { ...PLUGIN }));
  vts.on('vts.askingAllow', () => status.set('vts', 'starting', `waiting for the streamer: ${ALLOW_STEP}`, { fix: ALLOW_STEP }));
  vts.on('vts.authenticate', () => send('AuthenticationRequest', { ...PLUGIN, authenticationToken: tokens.get() ?? '' }));
  vts.on('vts.forgetToken', () => tokens.forget());
  vts.on('vts.listHotkeys', () => send('HotkeysInCurrentModelRequest'));
  vts.on('vts.denied', (e) =>
    status.set('vts', 'down', `VTube Studio denied Pickle access (${e.message || 'denied'})`, { fix: 'in VTube Studio open Settings → Plugins, remove Pickle from the denied plugins, restart Pickle and click Allow' }),
  );
  vts.on('vts.ready', (e) => status.set('vts', 'up', `connected to VTube Studio, model "${e.model}"${e.missing.length ? `; hotkeys not in the model: ${e.missing.join(', ')}` : ''}`));
  vts.on('vts.trigger', (e) => send('HotkeyTriggerRequest', { hotkeyID: e.hotkeyId }));
  vts.on('vts.inject', (e) => send('InjectParameterDataRequest', { faceFound: false, mode: 'set', parameterValues: [{ id: 'MouthOpen', value: e.open }, { id: 'MouthSmile', value: e.smile }] }));

  // The mouth: one overlay at a time (the first that reports, until it leaves).
  let mouthFrom: string | undefined;
  const onOverlay = (socket: AvatarSocket) => {
    socket.emit('mouth_wanted', { value: true });
    socket.on('mouth', (msg: unknown) => {
      const m = msg as { open?: unknown; form?: unknown } | null;
      if (typeof m?.open !== 'number' || typeof m.form !== 'number') return;
      mouthFrom ??= socket.id;
      if (mouthFrom === socket.id) tell(vts, { type: 'vts.mouth', open: m.open, form: m.form });
    });
    socket.on('disconnect', () => {
      if (mouthFrom === socket.id) mouthFrom = undefined;
    });
  };
  opts.avatar.on('connection', onOverlay);
  link.send({ type: 'connection.start' });

  return {
    stop() {
      opts.avatar.off('connection', onOverlay);
      tell(link, { type: 'connection.stop' });
      const s = ws;
      ws = undefined;
      s?.close();
      children.stop('vts');
      children.stop('reconnect:vts');
    },
  };
}
