/**
 * Runs one plugin as an XState callback actor (`plugin:<name>` under the orchestrator).
 *
 * Everything the plugin's code does passes through here, wrapped: `start` (sync throw, rejection,
 * or no answer within the start timeout), `onEvent` (throw or rejection), and the callbacks it
 * wraps with `ctx.guard` / `ctx.setInterval` / `ctx.setTimeout`. The first failure sends
 * `plugin.failed` to the orchestrator, which stops this actor (running the plugin's cleanup and
 * `stop`); from then on nothing the plugin does reaches Pickle. Errors in cleanup are only logged.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { service, type PluginService } from '../../machines/services.ts';
import type { ChatMessage, ChatRole, PickleEvent, PluginEvent } from '../../machines/events.ts';
import type { PluginActorInput } from '../../machines/orchestrator.ts';
import type { Logger } from '../log.ts';
import type { LoadedPlugin } from './loader.ts';
import type { Cleanup, PluginChatInput, PluginContext } from './types.ts';
import { errorText } from '../errors.ts';

export interface PluginRuntimeDeps {
  registry: ReadonlyMap<string, LoadedPlugin>;
  log: Logger;
  /** `<PICKLE_DATA_DIR>/plugin-data`. */
  dataRoot: string;
  /** Default 10 000. */
  startTimeoutMs?: number;
  /** Called with each plugin's teardown promise (the app awaits them when stopping). */
  onTeardown?: (done: Promise<void>) => void;
}

const ROLES: readonly ChatRole[] = ['viewer', 'moderator', 'broadcaster'];
const MAX_QUEUED = 200;

const messageOf = (err: unknown) => (errorText(err)).slice(0, 300);

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';

/** A plugin's input as a chat line: a login derived from the shown name, text cut at 500. */
export function toChatMessage(plugin: string, seq: number, input: PluginChatInput, now: number): ChatMessage | undefined {
  const text = typeof input?.text === 'string' ? input.text.trim().slice(0, 500) : '';
  if (text === '') return undefined;
  const displayName = (typeof input.user === 'string' && input.user.trim() !== '' ? input.user.trim() : plugin).slice(0, 50);
  const user = displayName.toLowerCase().replace(/[^a-z0-9_]/g, '').slice(0, 25) || plugin.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  const role = input.role && ROLES.includes(input.role) ? input.role : 'viewer';
  return { platform: 'plugin', id: `${plugin}-${seq}`, user, displayName, text, role, ts: now };
}

export function createPluginActor(deps: PluginRuntimeDeps): PluginService {
  const startTimeoutMs = deps.startTimeoutMs ?? 10_000;
  return service<PluginActorInput, PluginEvent, PickleEvent>(({ input, sendBack, receive }) => {
    const loaded = deps.registry.get(input.name);
    // Reaches the orchestrator as xstate.error.actor.plugin:<name>, handled there like any failure.
    if (!loaded) throw new Error(`no plugin named ${input.name} was loaded`);
    const { plugin, name } = loaded;
    const log = deps.log.child({ plugin: name });
    const ctrl = new AbortController();
    const timers = new Set<NodeJS.Timeout>();
    let state: 'starting' | 'running' | 'failed' | 'stopped' = 'starting';
    let statusSet = false;
    let cleanup: Cleanup | undefined;
    let seq = 0;
    const queued: PickleEvent[] = [];

    const send = (event: PluginEvent) => {
      if (state === 'starting' || state === 'running') sendBack(event);
    };
    const fail = (phase: 'start' | 'event' | 'running', err: unknown) => {
      if (state === 'failed' || state === 'stopped') return;
      const error = messageOf(err);
      log.warn({ event: 'plugin.failed', phase, err: error }, 'plugin failed; stopping it');
      sendBack({ type: 'plugin.failed', plugin: name, phase, error } satisfies PluginEvent);
      state = 'failed';
      ctrl.abort();
      for (const t of timers) clearTimeout(t);
      timers.clear();
    };
    const guard =
      <A extends unknown[]>(fn: (...args: A) => unknown) =>
      (...args: A): void => {
        if (state !== 'starting' && state !== 'running') return;
        try {
          const r = fn(...args);
          if (isThenable(r)) r.then(undefined, (err: unknown) => fail('running', err));
        } catch (err) {
          fail('running', err);
        }
      };

    let dataDir: string | undefined;
    const ctx: PluginContext = {
      name,
      config: loaded.config,
      get dataDir() {
        if (!dataDir) {
          dataDir = join(deps.dataRoot, name);
          mkdirSync(dataDir, { recursive: true });
        }
        return dataDir;
      },
      log,
      signal: ctrl.signal,
      emit(chat) {
        if (state !== 'starting' && state !== 'running') return;
        const message = toChatMessage(name, ++seq, chat, Date.now());
        if (message) send({ type: 'plugin.input', plugin: name, message });
      },
      setStatus(s, detail, fix) {
        statusSet = true;
        send({ type: 'plugin.status', plugin: name, state: s, detail: String(detail).slice(0, 300), ...(fix ? { fix: String(fix).slice(0, 300) } : {}) });
      },
      guard,
      setInterval(fn, ms) {
        if (state !== 'starting' && state !== 'running') return;
        const t = setInterval(guard(fn), ms);
        t.unref?.();
        timers.add(t);
      },
      setTimeout(fn, ms) {
        if (state !== 'starting' && state !== 'running') return;
        const g = guard(fn);
        const t = setTimeout(() => {
          timers.delete(t);
          g();
        }, ms);
        t.unref?.();
        timers.add(t);
      },
    };

    const deliver = (event: PickleEvent) => {
      try {
        const r = plugin.onEvent?.(event, ctx);
        if (isThenable(r)) r.then(undefined, (err: unknown) => fail('event', err));
      } catch (err) {
        fail('event', err);
      }
    };

    const startTimer = setTimeout(() => fail('start', new Error(`start() did not finish within ${Math.round(startTimeoutMs / 1000)} s`)), startTimeoutMs);
    startTimer.unref?.();
    Promise.resolve()
      .then(() => plugin.start(ctx))
      .then(
        (result) => {
          clearTimeout(startTimer);
          if (typeof result === 'function') cleanup = result;
          if (state !== 'starting') return;
          state = 'running';
          if (!statusSet) send({ type: 'plugin.status', plugin: name, state: 'up', detail: plugin.description ?? 'running' });
          log.info({ event: 'plugin.started', events: loaded.events }, 'plugin started');
          for (const e of queued.splice(0)) if (state === 'running') deliver(e);
        },
        (err: unknown) => {
          clearTimeout(startTimer);
          fail('start', err);
        },
      );

    receive((event) => {
      if (state === 'starting') {
        if (queued.length >= MAX_QUEUED) queued.shift();
        queued.push(event as PickleEvent);
      } else if (state === 'running') deliver(event as PickleEvent);
    });

    return () => {
      const wasFailed = state === 'failed';
      state = 'stopped';
      clearTimeout(startTimer);
      ctrl.abort();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const done = (async () => {
        for (const step of [cleanup, plugin.stop?.bind(plugin)]) {
          if (!step) continue;
          try {
            await step();
          } catch (err) {
            log.warn({ event: 'plugin.stop', err: messageOf(err) }, 'plugin cleanup threw');
          }
        }
        if (!wasFailed) log.info({ event: 'plugin.stopped' }, 'plugin stopped');
      })();
      deps.onTeardown?.(done);
    };
  });
}
