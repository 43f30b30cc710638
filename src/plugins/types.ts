/**
 * The plugin interface: how to add an input source (Discord, YouTube chat, a text file…) or an
 * output sink (a webhook, a light controller, a second overlay…) to Pickle without forking it.
 * Full guide: plugins/README.md.
 *
 * A plugin is a module whose default export (or export `plugin`) is a `PicklePlugin`, or a
 * function returning one (it may be async). Pickle loads every module in `plugins/` and the
 * ones listed in `PLUGINS` (npm package names or paths), runs each as an actor `plugin:<name>`
 * under the orchestrator (visible in the inspector) with its own line on /health, and stops a
 * plugin that throws — at start, on an event, or later inside `ctx.guard`ed callbacks — without
 * taking Pickle down.
 */
import type { ChatRole, PickleEvent, PickleEventType, ServiceState } from '../../machines/events.ts';
import type { Logger } from '../log.ts';

/** What an input plugin emits: one chat line. It goes through chat like a Twitch line. */
export interface PluginChatInput {
  /** Who wrote it, as shown (any text; untrusted). The login is derived from it. */
  user: string;
  /** The line (untrusted; cut at 500 characters). */
  text: string;
  /** Default `viewer`. A plugin may pass `moderator` for its own platform's mods (they can `!skip`). */
  role?: ChatRole;
}

/** The events an output plugin can receive: any Pickle event, by type (read-only copies). */
export type PluginEvent = PickleEvent;
export type PluginEventType = PickleEventType;

/** A plugin's settings: `PLUGIN_<NAME>_<KEY>` variables, keys in camelCase (`PLUGIN_FILE_TAIL_PATH` → `path`). */
export type PluginConfig = Readonly<Record<string, string>>;

export interface PluginContext {
  /** The plugin's name. */
  readonly name: string;
  readonly config: PluginConfig;
  /** A writable folder for this plugin: `<PICKLE_DATA_DIR>/plugin-data/<name>` (created on first use). */
  readonly dataDir: string;
  /** A pino logger; one line per event, never secrets. */
  readonly log: Logger;
  /** Aborted when the plugin stops (Pickle stopping, or the plugin failing). Pass it to fetch, streams… */
  readonly signal: AbortSignal;
  /** Send a chat-shaped input into Pickle. Ignored after the plugin stopped. */
  emit(input: PluginChatInput): void;
  /** Set this plugin's line on /health, the panel and the console (after start it is `up` unless set). */
  setStatus(state: Exclude<ServiceState, 'starting'>, detail: string, fix?: string): void;
  /**
   * Wrap a callback you give to a timer, a watcher, a socket or a promise: if it throws (or its
   * promise rejects), the plugin is stopped and reported instead of crashing Pickle.
   */
  guard<A extends unknown[]>(fn: (...args: A) => unknown): (...args: A) => void;
  /** Guarded timers, cleared when the plugin stops. */
  setInterval(fn: () => unknown, ms: number): void;
  setTimeout(fn: () => unknown, ms: number): void;
}

export type Cleanup = () => void | Promise<void>;

export interface PicklePlugin {
  /** Unique name: letters, digits, `-`, `_` (max 40). The actor is `plugin:<name>`. */
  name: string;
  /** One line for people reading /health or the inspector. */
  description?: string;
  /**
   * Event types this plugin receives in `onEvent`, e.g. `['reply.spoken']` for a sink. A function
   * gets the plugin's config (a sink whose events are configurable).
   */
  events?: readonly PluginEventType[] | ((config: PluginConfig) => readonly PluginEventType[]);
  /** Called once. May return a cleanup function. Throwing, rejecting or taking over 10 s stops the plugin. */
  start(ctx: PluginContext): void | Cleanup | Promise<void | Cleanup>;
  /** Each event of the subscribed types, in order. Throwing or rejecting stops the plugin. */
  onEvent?(event: PluginEvent, ctx: PluginContext): void | Promise<void>;
  /** Called when the plugin stops (after the cleanup `start` returned). Errors here are only logged. */
  stop?(): void | Promise<void>;
}

/** Identity helper that gives a plugin object its types. */
export function definePlugin(plugin: PicklePlugin): PicklePlugin {
  return plugin;
}

export const PLUGIN_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,39}$/i;
