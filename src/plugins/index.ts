/**
 * Plugins in the app: load them (plugins/ and PLUGINS), give the orchestrator their specs and the
 * actor that runs them, and keep one line per plugin on the status board (/health, panel, console).
 */
import { join, resolve } from 'node:path';
import type { PickleActor, PluginSpec } from '../../machines/orchestrator.ts';
import type { PluginService } from '../../machines/services.ts';
import type { Env } from '../config/env.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { loadPluginModules, type LoadedPlugin } from './loader.ts';
import { createPluginActor } from './runtime.ts';

export type { PicklePlugin, PluginContext, PluginChatInput } from './types.ts';

export interface Plugins {
  /** For the orchestrator's input. */
  specs: PluginSpec[];
  /** For providePickle({ plugin }). */
  actor: PluginService;
  loaded: LoadedPlugin[];
  /** Mirrors plugin.status / plugin.failed onto the status board. Call before the orchestrator starts. */
  attach(orchestrator: Pick<PickleActor, 'on'>): void;
  /** Waits for plugins' cleanups after the orchestrator stopped. */
  drain(): Promise<void>;
}

export async function loadPlugins(opts: {
  env: Env;
  rootDir: string;
  dataDir: string;
  log: Logger;
  status: StatusBoard;
  startTimeoutMs?: number;
}): Promise<Plugins> {
  const { env, log, status } = opts;
  const dir = env.PLUGINS_DIR ? resolve(env.PLUGINS_DIR) : join(opts.rootDir, 'plugins');
  const { loaded, failed } = await loadPluginModules({ dir, extra: env.PLUGINS, vars: env.pluginVars ?? {} });
  for (const f of failed) {
    status.set(`plugin:${f.name}`, 'down', f.error, { fix: f.fix, lastError: f.error });
    log.warn({ event: 'plugin.load-failed', plugin: f.name, source: f.source, err: f.error }, 'plugin not loaded');
  }
  for (const p of loaded) status.set(`plugin:${p.name}`, 'starting', `loaded from ${p.source}`);
  if (loaded.length > 0) log.info({ event: 'plugins', plugins: loaded.map((p) => ({ name: p.name, source: p.source, events: p.events })) }, 'plugins loaded');

  const registry = new Map(loaded.map((p) => [p.name, p]));
  const teardowns: Promise<void>[] = [];
  const actor = createPluginActor({
    registry,
    log,
    dataRoot: join(resolve(opts.dataDir), 'plugin-data'),
    ...(opts.startTimeoutMs ? { startTimeoutMs: opts.startTimeoutMs } : {}),
    onTeardown: (p) => teardowns.push(p),
  });

  return {
    specs: loaded.map((p) => ({ name: p.name, events: p.events })),
    actor,
    loaded,
    attach(o) {
      o.on('plugin.status', (e) => status.set(`plugin:${e.plugin}`, e.state, e.detail, e.fix ? { fix: e.fix } : {}));
      o.on('plugin.failed', (e) => {
        const source = registry.get(e.plugin)?.source ?? e.plugin;
        const when = e.phase === 'start' ? 'failed to start' : e.phase === 'event' ? 'crashed on an event' : 'crashed';
        status.set(`plugin:${e.plugin}`, 'down', `${when} and was stopped: ${e.error}`, {
          fix: `fix or remove the plugin (${source}), then restart Pickle`,
          lastError: e.error,
        });
      });
    },
    async drain() {
      await Promise.allSettled(teardowns);
    },
  };
}
