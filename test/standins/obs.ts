/**
 * obs-websocket 5 stand-in: the WebSocket server inside OBS Studio (Tools → WebSocket Server
 * Settings), on 127.0.0.1, speaking the protocol as obs-websocket 5.x does:
 *
 * - `Hello` (op 0) right after the upgrade, with `authentication {challenge, salt}` when a password
 *   is set; `Identify` (op 1) must answer base64(sha256(base64(sha256(password + salt)) + challenge)),
 *   else the socket is closed with 4009 (AuthenticationFailed). Anything but `Identify` before
 *   `Identified` closes with 4007, a second `Identify` with 4008, an unknown op with 4006.
 * - Subprotocols `obswebsocket.json` (text frames) and `obswebsocket.msgpack` (binary frames); none
 *   requested means JSON. The wrong frame type closes with 4002, as OBS does.
 * - Requests (op 6) answer op 7 with `requestStatus {result, code, comment}`: 100 success, 203/204 for a
 *   missing / unknown request type, 300/401 for missing / mistyped fields, 600 (ResourceNotFound),
 *   601 (ResourceAlreadyExists), 602, 605 (InvalidInputKind), 703 (CannotAct), with OBS's comments.
 *   `obsWebSocketVersion: '5.1.0'` answers as Debian's OBS 29 does (names only, no UUIDs), checked
 *   against a real one in test/obs/standinParity.test.ts.
 * - Events (op 5) only to identified sessions whose `eventSubscriptions` include the event's intent.
 *
 * Requests: GetVersion, GetCurrentProgramScene, SetCurrentProgramScene, GetSceneList, GetInputKindList,
 * GetSceneItemList, GetInputList, GetInputSettings, CreateInput, SetInputSettings, CreateSceneItem,
 * plus RequestBatch (op 8) run serially. Knobs: `latencyMs` (a slow OBS), `switchScene` (the streamer
 * clicks a scene), `kick(code)`, `stop()` / `restart()` (OBS quits and comes back on the same port).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { decode, encode } from '@msgpack/msgpack';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { listenRestartable, relisten } from './restartablePort.ts';
import { createObsScenes, OBS_EVENTS, type Obj } from './obsScenes.ts';

export { DEFAULT_INPUT_KINDS, OBS_29_DEBIAN_KINDS, OBS_EVENTS, OBS_STATUS } from './obsScenes.ts';

export const OBS_CLOSE = {
  MessageDecodeError: 4002,
  MissingDataField: 4003,
  InvalidDataFieldType: 4004,
  UnknownOpCode: 4006,
  NotIdentified: 4007,
  AlreadyIdentified: 4008,
  AuthenticationFailed: 4009,
  UnsupportedRpcVersion: 4010,
  SessionInvalidated: 4011,
} as const;

export interface ObsRequestRecord {
  session: number;
  requestType: string;
  requestData: Obj | undefined;
  code: number;
}

export interface ObsSessionRecord {
  id: number;
  encoding: 'json' | 'msgpack';
  identified: boolean;
  eventSubscriptions: number;
  closeCode?: number;
  closeReason?: string;
}

export interface ObsStandinOptions {
  /** null / undefined: authentication off (OBS's "Enable Authentication" unticked). */
  password?: string | null;
  scenes?: string[];
  currentScene?: string;
  /** Inputs that exist already, each placed in the listed scenes. */
  inputs?: { name: string; kind: string; settings?: Obj; scenes?: string[] }[];
  obsVersion?: string;
  /** 5.5.4 (OBS 31) by default; 5.1.0 is OBS 29 (Debian's), with names only and no UUIDs. */
  obsWebSocketVersion?: string;
  /** GetInputKindList; without `browser_source` CreateInput of one answers 605 like an OBS lacking obs-browser. */
  inputKinds?: string[];
  latencyMs?: number;
}

export interface ObsStandin {
  readonly url: string;
  readonly port: number;
  password: string | null;
  latencyMs: number;
  readonly requests: ObsRequestRecord[];
  readonly sessions: ObsSessionRecord[];
  readonly currentScene: string;
  input(name: string): { kind: string; settings: Obj } | undefined;
  /** Source names in a scene, in order. */
  sceneItems(scene: string): string[];
  /** The streamer switches the program scene: CurrentProgramSceneChanged to subscribed sessions. */
  switchScene(name: string): void;
  /** Close every session with this code (4011: kicked from OBS's session list). */
  kick(code?: number, reason?: string): void;
  /** OBS quits: sessions dropped, port closed. */
  stop(): Promise<void>;
  /** OBS starts again on the same port, same scenes and inputs. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const sha256b64 = (s: string) => createHash('sha256').update(s).digest('base64');

export async function startObsStandin(opts: ObsStandinOptions = {}): Promise<ObsStandin> {
  const requests: ObsRequestRecord[] = [];
  const sessions: ObsSessionRecord[] = [];
  const live = new Map<WebSocket, ObsSessionRecord>();
  const obsVersion = opts.obsVersion ?? '31.0.2';
  const obsWebSocketVersion = opts.obsWebSocketVersion ?? '5.5.4';

  const model = createObsScenes({
    ...(opts.scenes ? { scenes: opts.scenes } : {}),
    ...(opts.currentScene ? { currentScene: opts.currentScene } : {}),
    ...(opts.inputs ? { inputs: opts.inputs } : {}),
    obsVersion,
    obsWebSocketVersion,
    ...(opts.inputKinds ? { inputKinds: opts.inputKinds } : {}),
    broadcast,
  });

  function runRequest(session: ObsSessionRecord, d: Obj): Obj {
    const r = model.run(d);
    requests.push({ session: session.id, requestType: r.requestType, requestData: r.requestData, code: r.code });
    return r.response;
  }

  // ------------------------------------------------------------------ sessions

  function send(ws: WebSocket, session: ObsSessionRecord, op: number, d: Obj): void {
    if (ws.readyState !== ws.OPEN) return;
    const msg = { op, d };
    if (session.encoding === 'msgpack') ws.send(encode(msg), { binary: true });
    else ws.send(JSON.stringify(msg), { binary: false });
  }

  function broadcast(eventType: string, intent: number, eventData: Obj): void {
    for (const [ws, session] of live) {
      if (session.identified && (session.eventSubscriptions & intent) !== 0) send(ws, session, 5, { eventType, eventIntent: intent, eventData });
    }
  }

  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

  function onConnection(ws: WebSocket): void {
    const session: ObsSessionRecord = {
      id: sessions.length + 1,
      encoding: ws.protocol === 'obswebsocket.msgpack' ? 'msgpack' : 'json',
      identified: false,
      eventSubscriptions: OBS_EVENTS.All,
    };
    sessions.push(session);
    live.set(ws, session);
    const salt = randomBytes(32).toString('base64');
    const challenge = randomBytes(32).toString('base64');
    const password = standin.password;
    const close = (code: number, reason: string) => {
      session.closeCode = code;
      session.closeReason = reason;
      ws.close(code, reason);
    };
    ws.on('close', () => live.delete(ws));
    send(ws, session, 0, {
      // obs-websocket 5.1 does not name OBS's version in Hello.
      ...(/^5\.[0-4]\./.test(obsWebSocketVersion) ? {} : { obsStudioVersion: obsVersion }),
      obsWebSocketVersion,
      rpcVersion: 1,
      ...(password !== null ? { authentication: { challenge, salt } } : {}),
    });

    let queue = Promise.resolve();
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      // Messages are handled one at a time, in order, like OBS's session.
      queue = queue.then(async () => {
        if (standin.latencyMs > 0) await sleep(standin.latencyMs);
        handle(raw, isBinary);
      });
    });

    function handle(raw: RawData, isBinary: boolean): void {
      if (ws.readyState !== ws.OPEN) return;
      const bytes = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as ArrayBuffer);
      if (session.encoding === 'json' && isBinary) return close(OBS_CLOSE.MessageDecodeError, 'Your session encoding is set to Json, but a binary message was received.');
      if (session.encoding === 'msgpack' && !isBinary) return close(OBS_CLOSE.MessageDecodeError, 'Your session encoding is set to MsgPack, but a text message was received.');
      let msg: unknown;
      try {
        msg = session.encoding === 'json' ? JSON.parse(bytes.toString('utf8')) : decode(bytes);
      } catch (err) {
        return close(OBS_CLOSE.MessageDecodeError, `Unable to decode ${session.encoding === 'json' ? 'Json' : 'MsgPack'}: ${(err as Error).message}`);
      }
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return close(OBS_CLOSE.MessageDecodeError, 'You sent a non-object payload.');
      const m = msg as Obj;
      if (!session.identified && 'request-type' in m)
        return close(OBS_CLOSE.UnsupportedRpcVersion, 'You appear to be attempting to connect with the pre-5.0.0 plugin protocol. Check to make sure your client is updated.');
      if (typeof m['op'] !== 'number') return close(OBS_CLOSE.UnknownOpCode, 'Your request is missing an `op`.');
      const d = m['d'];
      if (d === undefined || d === null) return close(OBS_CLOSE.MissingDataField, 'Your payload is missing data (`d`).');
      if (typeof d !== 'object' || Array.isArray(d)) return close(OBS_CLOSE.InvalidDataFieldType, "Your payload's data (`d`) is not an object.");
      const data = d as Obj;
      const op = m['op'];
      if (!session.identified && op !== 1) return close(OBS_CLOSE.NotIdentified, 'You attempted to send a non-Identify message while not identified.');
      switch (op) {
        case 1: {
          if (session.identified) return close(OBS_CLOSE.AlreadyIdentified, 'You are already Identified with the obs-websocket server.');
          if (password !== null) {
            const auth = data['authentication'];
            if (auth === undefined) return close(OBS_CLOSE.AuthenticationFailed, "Your payload's data is missing an `authentication` string, however authentication is required.");
            if (typeof auth !== 'string') return close(OBS_CLOSE.AuthenticationFailed, 'Your `authentication` field is not a string.');
            if (auth !== sha256b64(sha256b64(password + salt) + challenge)) return close(OBS_CLOSE.AuthenticationFailed, 'Authentication failed.');
          }
          const rpc = data['rpcVersion'];
          if (rpc === undefined) return close(OBS_CLOSE.MissingDataField, "Your payload's data is missing an `rpcVersion`.");
          if (typeof rpc !== 'number' || !Number.isInteger(rpc) || rpc < 0) return close(OBS_CLOSE.InvalidDataFieldType, 'Your `rpcVersion` is not an unsigned number.');
          if (rpc !== 1) return close(OBS_CLOSE.UnsupportedRpcVersion, 'Your requested RPC version is not supported by this server.');
          if (!setSubscriptions(data)) return;
          session.identified = true;
          return send(ws, session, 2, { negotiatedRpcVersion: 1 });
        }
        case 3:
          if (!setSubscriptions(data)) return;
          return send(ws, session, 2, { negotiatedRpcVersion: 1 });
        case 6:
          return send(ws, session, 7, runRequest(session, data));
        case 8: {
          const list = Array.isArray(data['requests']) ? (data['requests'] as Obj[]) : [];
          const results = list.map((r) => {
            const { requestType, requestStatus, responseData } = runRequest(session, r);
            return { requestType, requestStatus, ...(responseData ? { responseData } : {}), ...('requestId' in r ? { requestId: r['requestId'] } : {}) };
          });
          return send(ws, session, 9, { requestId: data['requestId'], results });
        }
        default:
          return close(OBS_CLOSE.UnknownOpCode, `Unknown OpCode: ${String(op)}`);
      }
    }

    function setSubscriptions(data: Obj): boolean {
      const subs = data['eventSubscriptions'];
      if (subs === undefined) return true;
      if (typeof subs !== 'number' || !Number.isInteger(subs) || subs < 0) {
        close(OBS_CLOSE.InvalidDataFieldType, 'Your `eventSubscriptions` is not an unsigned number.');
        return false;
      }
      session.eventSubscriptions = subs;
      return true;
    }
  }

  // ------------------------------------------------------------------ server

  let server: Server | undefined;
  let wss: WebSocketServer | undefined;
  let port = 0;
  async function listen(): Promise<void> {
    wss = new WebSocketServer({
      noServer: true,
      // OBS picks the first of its two subprotocols the client offers; none means JSON.
      handleProtocols: (protocols) => [...protocols].find((p) => p === 'obswebsocket.json' || p === 'obswebsocket.msgpack') ?? false,
    });
    wss.on('connection', onConnection);
    const srv = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('Upgrade Required');
    });
    const w = wss;
    srv.on('upgrade', (req, socket, head) => w.handleUpgrade(req, socket, head, (ws) => w.emit('connection', ws, req)));
    port = port === 0 ? await listenRestartable(srv) : await relisten(srv, port);
    server = srv;
  }
  async function stop(): Promise<void> {
    const srv = server;
    if (!srv) return;
    server = undefined;
    for (const ws of live.keys()) ws.terminate();
    live.clear();
    wss?.close();
    srv.closeAllConnections();
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  }
  await listen();

  const standin: ObsStandin = {
    url: `ws://127.0.0.1:${port}`,
    port,
    password: opts.password ?? null,
    latencyMs: opts.latencyMs ?? 0,
    requests,
    sessions,
    get currentScene() {
      return model.current;
    },
    input: (name) => model.input(name),
    sceneItems: (name) => model.sceneItems(name),
    switchScene: (name) => model.switchScene(name),
    kick(code = OBS_CLOSE.SessionInvalidated, reason = 'Your session has been invalidated.') {
      for (const [ws, s] of live) {
        s.closeCode = code;
        s.closeReason = reason;
        ws.close(code, reason);
      }
    },
    stop,
    restart: listen,
    close: stop,
  };
  return standin;
}
