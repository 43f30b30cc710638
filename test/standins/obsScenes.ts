/**
 * What the obs-websocket stand-in (obs.ts) knows about OBS: scenes, inputs, the program scene, and
 * the requests on them with OBS's status codes and comments (obs-websocket 5's request handlers).
 */
import { randomUUID } from 'node:crypto';

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
  CannotAct: 703,
} as const;

/** EventSubscription bits (General 1, Config 2, Scenes 4, Inputs 8, … All = 4095 without the high-volume ones). */
export const OBS_EVENTS = { Scenes: 1 << 2, Inputs: 1 << 3, SceneItems: 1 << 7, All: 4095 } as const;

/** OBS with obs-browser on Linux; Debian's OBS 29 lacks `browser_source` (see OBS_29_DEBIAN_KINDS). */
export const DEFAULT_INPUT_KINDS = ['browser_source', 'image_source', 'color_source_v3', 'text_ft2_source_v2', 'ffmpeg_source', 'pulse_input_capture'];
/** GetInputKindList of Debian's obs-studio 29.0.2, as a real one answered. */
export const OBS_29_DEBIAN_KINDS = ['image_source', 'color_source_v3', 'slideshow', 'xshm_input', 'pulse_input_capture', 'pulse_output_capture', 'v4l2_input', 'ffmpeg_source', 'text_ft2_source_v2'];

export type Obj = Record<string, unknown>;

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

class RequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}


export interface ObsScenesOptions {
  scenes?: string[];
  currentScene?: string;
  /** Inputs that exist already, each placed in the listed scenes. */
  inputs?: { name: string; kind: string; settings?: Obj; scenes?: string[] }[];
  obsVersion: string;
  /** obs-websocket's version: 5.1 (OBS 29) has no UUIDs and words a few answers differently from 5.3+. */
  obsWebSocketVersion: string;
  inputKinds?: string[];
  /** Sends an event to the sessions subscribed to `intent`. */
  broadcast(eventType: string, intent: number, eventData: Obj): void;
}

export interface ObsRequestOutcome {
  /** The RequestResponse's `d`. */
  response: Obj;
  requestType: string;
  requestData: Obj | undefined;
  code: number;
}

export interface ObsScenes {
  readonly current: string;
  run(d: Obj): ObsRequestOutcome;
  switchScene(name: string): void;
  input(name: string): { kind: string; settings: Obj } | undefined;
  sceneItems(scene: string): string[];
}

export function createObsScenes(opts: ObsScenesOptions): ObsScenes {
  const sceneNames = opts.scenes ?? ['Just Chatting', 'BRB', 'Starting Soon'];
  const scenes = new Map<string, Scene>(sceneNames.map((n) => [n, { name: n, uuid: randomUUID(), items: [], nextItemId: 1 }]));
  let current = opts.currentScene ?? sceneNames[0]!;
  const inputs = new Map<string, Input>();
  for (const i of opts.inputs ?? []) {
    inputs.set(i.name, { name: i.name, uuid: randomUUID(), kind: i.kind, settings: { ...(i.settings ?? {}) } });
    for (const s of i.scenes ?? []) addItem(scenes.get(s)!, i.name);
  }
  const obsVersion = opts.obsVersion;
  const wsVersion = opts.obsWebSocketVersion;
  /** obs-websocket before 5.3 (OBS 29): names only, no UUIDs in requests or answers. */
  const namesOnly = /^5\.[0-2]\./.test(wsVersion);
  const uuidOf = <T extends Obj>(fields: T): T | Obj => (namesOnly ? Object.fromEntries(Object.entries(fields).filter(([k]) => !/Uuid$/.test(k))) : fields);
  const inputKinds = opts.inputKinds ?? DEFAULT_INPUT_KINDS;
  const broadcast = (eventType: string, intent: number, eventData: Obj) => opts.broadcast(eventType, intent, eventData);

  function addItem(scene: Scene, sourceName: string): number {
    const id = scene.nextItemId++;
    scene.items.push({ sceneItemId: id, sourceName, enabled: true });
    return id;
  }

  // ------------------------------------------------------------------ request handlers

  /** A new scene item's transform as OBS reports it: at the origin, unscaled, the source's size (1920×1080 canvas-sized by default). */
  const transformOf = (settings: Obj) => {
    const w = typeof settings['width'] === 'number' ? settings['width'] : 1920;
    const h = typeof settings['height'] === 'number' ? settings['height'] : 1080;
    return {
      alignment: 5, boundsAlignment: 0, boundsHeight: 0, boundsType: 'OBS_BOUNDS_NONE', boundsWidth: 0,
      cropBottom: 0, cropLeft: 0, cropRight: 0, cropTop: 0,
      height: h, positionX: 0, positionY: 0, rotation: 0, scaleX: 1, scaleY: 1, sourceHeight: h, sourceWidth: w, width: w,
    };
  };

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
    if (namesOnly) {
      const name = str(data, nameKey, true)!;
      const found = scenes.get(name) ?? inputs.get(name);
      if (!found) throw new RequestError(OBS_STATUS.ResourceNotFound, `No source was found by the name of \`${name}\`.`);
      return found;
    }
    const uuid = str(data, uuidKey, false);
    if (uuid !== undefined) {
      const found = [...scenes.values(), ...inputs.values()].find((s) => s.uuid === uuid);
      if (!found) throw new RequestError(OBS_STATUS.ResourceNotFound, `No source was found by the UUID of \`${uuid}\`.`);
      return found;
    }
    const name = str(data, nameKey, false);
    if (name === undefined)
      throw new RequestError(OBS_STATUS.MissingRequestField, `Your request must contain at least one of the following fields: \`${nameKey}\` or \`${uuidKey}\`.`);
    const found = scenes.get(name) ?? inputs.get(name);
    if (!found) throw new RequestError(OBS_STATUS.ResourceNotFound, `No source was found by the name of \`${name}\`.`);
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
      obsWebSocketVersion: wsVersion,
      rpcVersion: 1,
      availableRequests: Object.keys(handlers),
      supportedImageFormats: ['png', 'jpg', 'webp'],
      platform: 'ubuntu',
      platformDescription: 'Ubuntu 24.04 LTS',
    }),
    GetCurrentProgramScene: () => {
      const s = scenes.get(current)!;
      // 5.1 answers only the field later versions deprecated.
      if (namesOnly) return { currentProgramSceneName: s.name };
      return { sceneName: s.name, sceneUuid: s.uuid, currentProgramSceneName: s.name, currentProgramSceneUuid: s.uuid };
    },
    GetInputKindList: () => ({ inputKinds: [...inputKinds] }),
    SetCurrentProgramScene: (data) => {
      switchScene(scene(data).name);
      return undefined;
    },
    GetSceneList: () => {
      const s = scenes.get(current)!;
      const list = [...scenes.values()].map((x, i, all) => uuidOf({ sceneIndex: all.length - 1 - i, sceneName: x.name, sceneUuid: x.uuid }));
      return uuidOf({ currentProgramSceneName: s.name, currentProgramSceneUuid: s.uuid, currentPreviewSceneName: null, currentPreviewSceneUuid: null, scenes: list });
    },
    GetSceneItemList: (data) => ({
      sceneItems: scene(data).items.map((it, index) => {
        const src = inputs.get(it.sourceName) ?? scenes.get(it.sourceName);
        const isInput = src !== undefined && !('items' in src);
        return uuidOf({
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
          sceneItemTransform: transformOf(isInput ? src.settings : {}),
        });
      }),
    }),
    GetInputList: (data) => {
      const kind = str(data, 'inputKind', false);
      return {
        inputs: [...inputs.values()]
          .filter((i) => !kind || i.kind === kind)
          .map((i) => uuidOf({ inputName: i.name, inputUuid: i.uuid, inputKind: i.kind, unversionedInputKind: i.kind.replace(/_v\d+$/, ''), ...(namesOnly ? {} : { inputKindCaps: 0 }) })),
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
      if (!inputKinds.includes(kind))
        throw new RequestError(
          OBS_STATUS.InvalidInputKind,
          'Your specified input kind is not supported by OBS. Check that your specified kind is properly versioned and that any necessary plugins are loaded.',
        );
      const settings = obj(data, 'inputSettings', false) ?? {};
      const created: Input = { name, uuid: randomUUID(), kind, settings: { ...settings } };
      inputs.set(name, created);
      const sceneItemId = addItem(s, name);
      broadcast('InputCreated', OBS_EVENTS.Inputs, { inputName: name, inputUuid: created.uuid, inputKind: kind, unversionedInputKind: kind, inputSettings: created.settings, defaultInputSettings: {} });
      return uuidOf({ inputUuid: created.uuid, sceneItemId });
    },
    CreateSceneItem: (data) => {
      const s = scene(data);
      const src = source(data, 'sourceName', 'sourceUuid');
      if (src === s) throw new RequestError(OBS_STATUS.CannotAct, 'You cannot create scene item of a scene within itself.');
      return { sceneItemId: addItem(s, src.name) };
    },
  };

  function run(d: Obj): ObsRequestOutcome {
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
    const response = {
      requestType,
      requestId,
      requestStatus: { result: code === OBS_STATUS.Success, code, ...(comment ? { comment } : {}) },
      ...(responseData ? { responseData } : {}),
    };
    return { response, requestType: String(requestType), requestData, code };
  }

  function switchScene(name: string): void {
    const s = scenes.get(name);
    if (!s) throw new Error(`stand-in: no scene ${name}`);
    current = name;
    broadcast('CurrentProgramSceneChanged', OBS_EVENTS.Scenes, { sceneName: s.name, sceneUuid: s.uuid });
  }

  return {
    get current() {
      return current;
    },
    run,
    switchScene,
    input(name) {
      const i = inputs.get(name);
      return i ? { kind: i.kind, settings: structuredClone(i.settings) } : undefined;
    },
    sceneItems(name) {
      return (scenes.get(name)?.items ?? []).map((i) => i.sourceName);
    },
  };
}
