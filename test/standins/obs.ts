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
 *   601 (ResourceAlreadyExists), 602, 605 (InvalidInputKind), with OBS's comments.
 * - Events (op 5) only to identified sessions whose `eventSubscriptions` include the event's intent.
 *
 * Requests: GetVersion, GetCurrentProgramScene, SetCurrentProgramScene, GetSceneList,
 * GetSceneItemList, GetInputList, GetInputSettings, CreateInput, SetInputSettings, CreateSceneItem,
 * plus RequestBatch (op 8) run serially. Knobs: `latencyMs` (a slow OBS), `switchScene` (the streamer
 * clicks a scene), `kick(code)`, `stop()` / `restart()` (OBS quits and comes back on the same port).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decode, encode } from '@msgpack/msgpack';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

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

export const OBS_STATUS = {
  Success: 100,
  MissingRequestType: 203,
  UnknownRequestType: 204,
  MissingRequestField: 300,
  InvalidRequestFieldType: 401,
  ResourceNotFound: 600,
  ResourceAlreadyExists: 601,
  InvalidResourceType: 602,
  InvalidInputKind: 605,
} as const;

/** EventSubscription bits (General 1, Config 2, Scenes 4, Inputs 8, … All = 4095 without the high-volume ones). */
export const OBS_EVENTS = { Scenes: 1 << 2, Inputs: 1 << 3, SceneItems: 1 << 7, All: 4095 } as const;

const INPUT_KINDS = ['browser_source', 'image_source', 'color_source_v3', 'text_ft2_source_v2', 'ffmpeg_source', 'pulse_input_capture'];

type Obj = Record<string, unknown>;

interface Input {
  name: string;
  uuid: string;
  kind: string;
  settings: Obj;
}
interface SceneItem {
  sceneItemId: number;
  sourceName: string;
  enabled: boolean;
}
interface Scene {
  name: string;
  uuid: string;
  items: SceneItem[];
  nextItemId: number;
}

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

class RequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const sha256b64 = (s: string) => createHash('sha256').update(s).digest('base64');

export async function startObsStandin(opts: ObsStandinOptions = {}): Promise<ObsStandin> {
  const sceneNames = opts.scenes ?? ['Just Chatting', 'BRB', 'Starting Soon'];
  const scenes = new Map<string, Scene>(sceneNames.map((n) => [n, { name: n, uuid: randomUUID(), items: [], nextItemId: 1 }]));
  let current = opts.currentScene ?? sceneNames[0]!;
  const inputs = new Map<string, Input>();
  for (const i of opts.inputs ?? []) {
    inputs.set(i.name, { name: i.name, uuid: randomUUID(), kind: i.kind, settings: { ...(i.settings ?? {}) } });
    for (const s of i.scenes ?? []) addItem(scenes.get(s)!, i.name);
  }
  const requests: ObsRequestRecord[] = [];
  const sessions: ObsSessionRecord[] = [];
  const live = new Map<WebSocket, ObsSessionRecord>();
  const obsVersion = opts.obsVersion ?? '31.0.2';

  function addItem(scene: Scene, sourceName: string): number {
    const id = scene.nextItemId++;
    scene.items.push({ sceneItemId: id, sourceName, enabled: true });
    return id;
  }

  // ------------------------------------------------------------------ request handlers

  const str = (data: Obj | undefined, key: string, required: boolean): string | undefined => {
    const v = data?.[key];
    if (v === undefined) {
      if (required) throw new RequestError(OBS_STATUS.MissingRequestField, `Your request is missing the \`${key}\` field.`);
      return undefined;
    }
    if (typeof v !== 'string') throw new RequestError(OBS_STATUS.InvalidRequestFieldType, `The field value of \`${key}\` must be a string.`);
    return v;
  };
  const obj = (data: Obj | undefined, key: string, required: boolean): Obj | undefined => {
    const v = data?.[key];
    if (v === undefined) {
      if (required) throw new RequestError(OBS_STATUS.MissingRequestField, `Your request is missing the \`${key}\` field.`);
      return undefined;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RequestError(OBS_STATUS.InvalidRequestFieldType, `The field value of \`${key}\` must be an object.`);
    return v as Obj;
  };
  /** OBS's AcquireSource: by uuid, else by name; a scene or an input (sources share one name space). */
  const source = (data: Obj | undefined, nameKey: string, uuidKey: string): Scene | Input => {
    const uuid = str(data, uuidKey, false);
    if (uuid !== undefined) {
      const found = [...scenes.values(), ...inputs.values()].find((s) => s.uuid === uuid);
      if (!found) throw new RequestError(OBS_STATUS.ResourceNotFound, `No source was found by the UUID of \`${uuid}\`.`);
      return found;
    }
    const name = str(data, nameKey, false);
    if (name === undefined)
      throw new RequestError(OBS_STATUS.MissingRequestField, `Your request must contain at least one of the following fields: \`${nameKey}\` with optional \`canvasUuid\` or \`${uuidKey}\`.`);
    const found = scenes.get(name) ?? inputs.get(name);
    if (!found) throw new RequestError(OBS_STATUS.ResourceNotFound, `No source was found by the name of \`${name}\` within the canvas \`Main\`.`);
    return found;
  };
  const scene = (data: Obj | undefined): Scene => {
    const s = source(data, 'sceneName', 'sceneUuid');
    if (!('items' in s)) throw new RequestError(OBS_STATUS.InvalidResourceType, 'The specified source is not a scene.');
    return s;
  };
  const input = (data: Obj | undefined): Input => {
    const s = source(data, 'inputName', 'inputUuid');
    if ('items' in s) throw new RequestError(OBS_STATUS.InvalidResourceType, 'The specified source is not an input.');
    return s;
  };

  const handlers: Record<string, (data: Obj | undefined) => Obj | undefined> = {
    GetVersion: () => ({
      obsVersion,
      obsWebSocketVersion: '5.5.4',
      rpcVersion: 1,
      availableRequests: Object.keys(handlers),
      supportedImageFormats: ['png', 'jpg', 'webp'],
      platform: 'ubuntu',
      platformDescription: 'Ubuntu 24.04 LTS',
    }),
    GetCurrentProgramScene: () => {
      const s = scenes.get(current)!;
      return { sceneName: s.name, sceneUuid: s.uuid, currentProgramSceneName: s.name, currentProgramSceneUuid: s.uuid };
    },
    SetCurrentProgramScene: (data) => {
      switchScene(scene(data).name);
      return undefined;
    },
    GetSceneList: () => {
      const s = scenes.get(current)!;
      const list = [...scenes.values()].map((x, i, all) => ({ sceneIndex: all.length - 1 - i, sceneName: x.name, sceneUuid: x.uuid }));
      return { currentProgramSceneName: s.name, currentProgramSceneUuid: s.uuid, currentPreviewSceneName: null, currentPreviewSceneUuid: null, scenes: list };
    },
    GetSceneItemList: (data) => ({
      sceneItems: scene(data).items.map((it, index) => {
        const src = inputs.get(it.sourceName) ?? scenes.get(it.sourceName);
        const isInput = src !== undefined && !('items' in src);
        return {
          sceneItemId: it.sceneItemId,
          sceneItemIndex: index,
          sceneItemEnabled: it.enabled,
          sceneItemLocked: false,
          sceneItemBlendMode: 'OBS_BLEND_NORMAL',
          sourceName: it.sourceName,
          sourceUuid: src?.uuid ?? '',
          sourceType: isInput ? 'OBS_SOURCE_TYPE_INPUT' : 'OBS_SOURCE_TYPE_SCENE',
          inputKind: isInput ? src.kind : null,
          isGroup: isInput ? null : false,
        };
      }),
    }),
    GetInputList: (data) => {
      const kind = str(data, 'inputKind', false);
      return {
        inputs: [...inputs.values()]
          .filter((i) => !kind || i.kind === kind)
          .map((i) => ({ inputName: i.name, inputUuid: i.uuid, inputKind: i.kind, unversionedInputKind: i.kind.replace(/_v\d+$/, ''), inputKindCaps: 0 })),
      };
    },
    GetInputSettings: (data) => {
      const i = input(data);
      return { inputSettings: structuredClone(i.settings), inputKind: i.kind };
    },
    SetInputSettings: (data) => {
      const i = input(data);
      const settings = obj(data, 'inputSettings', true)!;
      const overlay = data?.['overlay'];
      if (overlay !== undefined && typeof overlay !== 'boolean') throw new RequestError(OBS_STATUS.InvalidRequestFieldType, 'The field value of `overlay` must be boolean.');
      i.settings = overlay === false ? { ...settings } : { ...i.settings, ...settings };
      return undefined;
    },
    CreateInput: (data) => {
      const s = scene(data);
      const name = str(data, 'inputName', true)!;
      const kind = str(data, 'inputKind', true)!;
      if (inputs.has(name) || scenes.has(name)) throw new RequestError(OBS_STATUS.ResourceAlreadyExists, 'A source already exists by that input name.');
      if (!INPUT_KINDS.includes(kind))
        throw new RequestError(
          OBS_STATUS.InvalidInputKind,
          'Your specified input kind is not supported by OBS. Check that your specified kind is properly versioned and that any necessary plugins are loaded.',
        );
      const settings = obj(data, 'inputSettings', false) ?? {};
      const created: Input = { name, uuid: randomUUID(), kind, settings: { ...settings } };
      inputs.set(name, created);
      const sceneItemId = addItem(s, name);
      broadcast('InputCreated', OBS_EVENTS.Inputs, { inputName: name, inputUuid: created.uuid, inputKind: kind, unversionedInputKind: kind, inputSettings: created.settings, defaultInputSettings: {} });
      return { inputUuid: created.uuid, sceneItemId };
    },
    CreateSceneItem: (data) => {
      const s = scene(data);
      const src = source(data, 'sourceName', 'sourceUuid');
      if (src === s) throw new RequestError(OBS_STATUS.InvalidResourceType, 'You cannot create scene item of a scene within itself.');
      return { sceneItemId: addItem(s, src.name) };
    },
  };

  function runRequest(session: ObsSessionRecord, d: Obj): Obj {
    const requestType = d['requestType'];
    const requestId = d['requestId'];
    const requestData = typeof d['requestData'] === 'object' && d['requestData'] !== null ? (d['requestData'] as Obj) : undefined;
    let code: number = OBS_STATUS.Success;
    let comment: string | undefined;
    let responseData: Obj | undefined;
    if (typeof requestType !== 'string') {
      code = OBS_STATUS.MissingRequestType;
      comment = 'Your request is missing a `requestType`';
    } else if (!handlers[requestType]) {
      code = OBS_STATUS.UnknownRequestType;
      comment = 'Your request type is not valid.';
    } else {
      try {
        responseData = handlers[requestType](requestData);
      } catch (err) {
        if (!(err instanceof RequestError)) throw err;
        code = err.code;
        comment = err.message;
      }
    }
    requests.push({ session: session.id, requestType: String(requestType), requestData, code });
    return {
      requestType,
      requestId,
      requestStatus: { result: code === OBS_STATUS.Success, code, ...(comment ? { comment } : {}) },
      ...(responseData ? { responseData } : {}),
    };
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

  function switchScene(name: string): void {
    const s = scenes.get(name);
    if (!s) throw new Error(`stand-in: no scene ${name}`);
    current = name;
    broadcast('CurrentProgramSceneChanged', OBS_EVENTS.Scenes, { sceneName: s.name, sceneUuid: s.uuid });
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
      obsStudioVersion: obsVersion,
      obsWebSocketVersion: '5.5.4',
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
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => resolve());
    });
    server = srv;
    port = (srv.address() as AddressInfo).port;
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
      return current;
    },
    input(name) {
      const i = inputs.get(name);
      return i ? { kind: i.kind, settings: structuredClone(i.settings) } : undefined;
    },
    sceneItems(name) {
      return (scenes.get(name)?.items ?? []).map((i) => i.sourceName);
    },
    switchScene,
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
