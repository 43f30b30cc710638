/**
 * What Pickle's page scripts (served as they are, no build step) find on `window`: the socket.io
 * client's `io` (from /socket.io/socket.io.js) and the small APIs one script hands the next. The
 * scripts are type-checked against these with `npm run typecheck` (tsconfig.pages.json).
 */
import type { io as ioLookup, Socket } from 'socket.io-client';
import type UPlot from 'uplot';
import type { AnimationClip, Object3D } from 'three';
import type { GLTFLoaderPlugin, GLTFParser } from 'three/addons/loaders/GLTFLoader.js';
import type {
  ActorInfo,
  AvatarReportPayload,
  BlinkPayload,
  ExpressionPayload,
  GazePayload,
  ModelLook,
  AvatarClientEvents,
  AvatarServerEvents,
  Emotion,
  InspectorRecord,
  InspectorClientEvents,
  InspectorServerEvents,
  Look,
  MachineGraph,
  PanelClientEvents,
  PanelServerEvents,
} from '../src/screens/payloads.ts';

declare global {
  /** The overlay's socket (`/avatar`), typed by the messages the server sends and receives. */
  type AvatarSocket = Socket<AvatarServerEvents, AvatarClientEvents>;
  /** The control panel's socket (`/panel`). */
  type PanelSocket = Socket<PanelServerEvents, PanelClientEvents>;
  /** The inspector's socket (`/inspector`). */
  type InspectorSocket = Socket<InspectorServerEvents, InspectorClientEvents>;

  /** overlay/pageKit.js: DOM helpers that only write text, and the access token. */
  interface PickleKit {
    byId<T extends Element>(id: string, kind: abstract new (...args: never[]) => T): T;
    $(id: string): HTMLElement;
    input(id: string): HTMLInputElement;
    el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string | null, text?: unknown): HTMLElementTagNameMap[K];
    svg(tag: string, attrs?: Record<string, string>, text?: unknown): SVGElement;
    initialToken(): string;
    tokenBox(onToken: (token: string) => void): { show(): void };
  }

  /** overlay/audio.js: the voice, played from the /avatar stream_* messages with Web Audio. */
  interface PickleAudioPlayer {
    /** Current output amplitude 0..1 (lip-sync, read once per animation frame). */
    level(): number;
    /** The mouth shape of what plays now (all 0 in silence), smoothed; read once per animation frame. */
    visemes(): Visemes;
    /** True while the browser refuses to play until a user gesture. */
    blocked(): boolean;
    /** Call from a click handler to enable audio outside OBS. */
    unlock(): Promise<void>;
  }
  interface PickleAudio {
    attach(socket: AvatarSocket, opts?: { sinkId?: string }): PickleAudioPlayer;
  }

  /** overlay/visemes.js: mouth shapes from the spectrum of the voice playing. */
  interface Visemes {
    aa: number;
    ih: number;
    ou: number;
    ee: number;
    oh: number;
  }
  interface PickleVisemes {
    shape(db: Float32Array | null, binHz: number, level: number): Visemes;
    smoother(): { next(target: Visemes, dt: number): Visemes; reset(): void };
    GATE: number;
  }

  /**
   * The part of @pixiv/three-vrm (and -animation) the overlay uses: its own .d.ts files import
   * without file extensions, which this checker (NodeNext) cannot follow.
   */
  interface VrmLike {
    scene: Object3D;
    meta: { metaVersion?: string; name?: string; title?: string };
    expressionManager?: { expressions: Array<{ expressionName: string }>; setValue(name: string, weight: number): void } | null;
    humanoid: { getNormalizedBoneNode(name: string): Object3D | null };
    lookAt?: { target?: Object3D | null } | null;
    update(delta: number): void;
  }
  interface ThreeVrmModule {
    VRMLoaderPlugin: new (parser: GLTFParser) => GLTFLoaderPlugin;
    VRMUtils: { removeUnnecessaryVertices(root: Object3D): void; rotateVRM0(vrm: VrmLike): void };
  }
  interface ThreeVrmAnimationModule {
    VRMAnimationLoaderPlugin: new (parser: GLTFParser) => GLTFLoaderPlugin;
    createVRMAnimationClip(animation: unknown, vrm: VrmLike): AnimationClip;
  }

  /** overlay/vrmStage.js: a VRM model drawn with three.js (loaded only when the look names one). */
  interface PickleVrmStageOptions {
    canvas: HTMLCanvasElement;
    model: ModelLook;
    /** The mouth shape now (read once per frame). */
    visemes: () => Visemes;
    /** Loaded (meta name, VRM version), then every 2 s: fps and the strongest expression. */
    report: (r: AvatarReportPayload) => void;
    /** Loading or drawing failed: the page keeps the built-in face. */
    failed: (reason: string) => void;
  }
  interface PickleVrmStage {
    expression(p: ExpressionPayload): void;
    blink(p: BlinkPayload): void;
    gaze(p: GazePayload): void;
    speaking(value: boolean): void;
    /** Stops drawing and frees the GPU's memory. */
    dispose(): void;
  }
  interface PickleVrm {
    show(opts: PickleVrmStageOptions): PickleVrmStage;
    /** The last frame intervals in ms (benchmark). */
    frameTimes(): number[];
  }

  /** overlay/avatar.js: the face. */
  interface PickleAvatarFace {
    setEmotion(emotion: Emotion): void;
    setSpeaking(speaking: boolean): void;
    setLook(look: Look): void;
    emotion(): Emotion;
    mouthOpen(): number;
  }
  interface PickleAvatar {
    create(opts: { level: () => number }): PickleAvatarFace;
    emotions: string[];
  }

  /** overlay/inspectorLog.js: the inspector's event log. */
  interface PickleInspectorLogOptions {
    nameOf(actor: { name?: string; systemId?: string; id: string }): string;
    leafPath(record: { active?: string[]; status?: string }): string;
    /** The selected actor's name. */
    selected(): string;
  }
  interface PickleInspectorLogView {
    append(records: InspectorRecord[]): void;
    refilter(): void;
  }

  /** overlay/inspectorTrail.js: the state paths each actor went through. */
  interface PickleInspectorTrail {
    /** `brain.replying.thinking` → `replying.thinking` (the path inside its machine). */
    leafPath(actor: { active?: string[]; status?: string } | null): string;
    /** Adds the actor's state now to its trail. */
    push(actor: ActorInfo): void;
    /** Shows the trail of `actor` (the selected one) in #trail. */
    render(actor: ActorInfo | null): void;
  }

  /** overlay/inspectorChart.js: the statechart drawing. */
  interface PickleInspectorChart {
    /** Draws `graph` for the actor `session` in #chart, replacing what was there. */
    draw(graph: MachineGraph, session: string): void;
    clear(): void;
    /** Lights up the `active` state ids; with `previous`, also the transition just taken. */
    highlight(active: string[], previous: string[] | null): void;
    /** Which machine, for which actor, is drawn now. */
    shows(): { machine: string | null; session: string | null };
  }

  /** overlay/panelKit.js: what the control panel's section scripts share. */
  interface PicklePanel {
    /** A call to Pickle's HTTP API with the access token; never rejects. */
    api(method: string, path: string, body?: unknown): Promise<PanelApiResult>;
    /** The error an API answer carries, in one line for the streamer. */
    problem(result: PanelApiResult): string;
    toast(text: string, kind?: 'ok' | 'bad'): void;
    /** `hh:mm:ss` of a time in ms (now when not a number). */
    clock(ts: unknown): string;
    /** Why Pickle spoke or stayed quiet (a decision's reason), in words. */
    reasonText(reason: string): string;
    /** The persona's display name ("Pickle" until the personas are loaded). */
    personaName: string;
    /** The access token the panel uses now ('' when none). */
    token(): string;
    showTokenBox(): void;
    /** `wire` adds a section's listeners to the panel's socket, before it connects. */
    onSocket(wire: (socket: PanelSocket) => void): void;
    /** Creates and connects the socket (panel.js, last); null without socket.io. */
    connect(): PanelSocket | null;
  }
  interface PanelApiResult {
    ok: boolean;
    status: number;
    /** The JSON body (null when none): untrusted, checked field by field where it is read. */
    data: PanelApiBody | null;
  }
  /** The fields of an API answer the panel reads; every one may be missing. */
  interface PanelApiBody {
    [key: string]: unknown;
    error?: unknown;
    fix?: unknown;
    detail?: unknown;
    fields?: unknown;
  }

  interface Window {
    /** socket.io's client; missing when /socket.io/socket.io.js did not load. */
    io?: typeof ioLookup;
    PickleKit: PickleKit;
    PicklePanel: PicklePanel;
    PickleAudio?: PickleAudio;
    PickleAvatar?: PickleAvatar;
    PickleVisemes?: PickleVisemes;
    /** Set by overlay/vrmStage.js (a module, so it may come after overlay.js has run: it then fires `pickle-vrm-ready`). */
    PickleVrm?: PickleVrm;
    PickleInspectorLog: (opts: PickleInspectorLogOptions) => PickleInspectorLogView;
    PickleInspectorChart: PickleInspectorChart;
    PickleInspectorTrail: PickleInspectorTrail;
    /** uPlot's browser build (/report/lib/uPlot.iife.min.js, from node_modules); missing when it did not load. */
    uPlot?: typeof UPlot;
    /** Older Safari's name for AudioContext. */
    webkitAudioContext?: typeof AudioContext;
  }
}

declare global {
  interface AudioContext {
    /** Chromium 110+: play on this output device (not in TypeScript's DOM types yet). */
    setSinkId?(sinkId: string): Promise<void>;
  }
}
