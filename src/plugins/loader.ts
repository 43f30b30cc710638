/**
 * Finds and imports plugins: every module in the plugins folder (top-level `.ts`/`.mts`/`.js`/
 * `.mjs` files, and sub-folders with an `index.*` or a package.json), then each `PLUGINS` entry
 * (a path, or an npm package name resolved from Pickle's node_modules). A module that cannot be
 * imported or does not export a plugin is a load failure (reported, skipped); nothing here throws.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PickleEventType } from '../../machines/events.ts';
import { PLUGIN_NAME_RE, type PicklePlugin, type PluginConfig } from './types.ts';
import { errorText } from '../errors.ts';

export interface LoadedPlugin {
  name: string;
  plugin: PicklePlugin;
  /** Where it came from (a path or a package name), for messages. */
  source: string;
  config: PluginConfig;
  events: PickleEventType[];
}

export interface LoadFailure {
  /** The plugin's name when known, else a name derived from the source. */
  name: string;
  source: string;
  error: string;
  fix: string;
}

const MODULE_EXT = /\.(ts|mts|js|mjs)$/;
const EVENT_TYPE_RE = /^[a-z]+(\.[a-zA-Z]+)+$/;

/** Module files and folders in the plugins folder, sorted. A missing folder is no plugins. */
export function discover(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const n = entry.name;
    if (n.startsWith('.') || n.startsWith('_') || n === 'node_modules' || n === 'examples') continue;
    const full = join(dir, n);
    if (entry.isFile() && MODULE_EXT.test(n) && !/\.d\.m?ts$/.test(n) && !/\.test\./.test(n)) out.push(full);
    else if (entry.isDirectory()) {
      const index = ['index.ts', 'index.mts', 'index.js', 'index.mjs'].map((f) => join(full, f)).find((f) => existsSync(f));
      if (index) out.push(index);
      else if (existsSync(join(full, 'package.json'))) out.push(full);
    }
  }
  return out.sort();
}

/** `PLUGIN_FILE_TAIL_PATH=/x` → `{ path: '/x' }` for the plugin `file-tail`. */
export function configFor(name: string, vars: Readonly<Record<string, string>>): PluginConfig {
  const prefix = `PLUGIN_${name.toUpperCase().replace(/-/g, '_')}_`;
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    if (!k.startsWith(prefix) || k.length === prefix.length) continue;
    const key = k
      .slice(prefix.length)
      .toLowerCase()
      .replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    config[key] = v;
  }
  return config;
}

const looksLikePath = (spec: string) => spec.startsWith('.') || isAbsolute(spec) || /^[a-z]:[\\/]/i.test(spec);

function nameFromSource(source: string): string {
  const base = basename(source).replace(MODULE_EXT, '');
  const name = base === 'index' ? basename(resolve(source, '..')) : base;
  return name.replace(/[^a-z0-9_-]/gi, '-').replace(/^-+/, '').slice(0, 40) || 'plugin';
}

async function importOne(source: string, cwd: string): Promise<{ plugin: PicklePlugin } | { error: string; fix: string }> {
  let specifier: string;
  if (looksLikePath(source)) {
    const full = resolve(cwd, source);
    if (!existsSync(full)) return { error: `${full} does not exist`, fix: `check the path in PLUGINS, or remove it` };
    let file = full;
    if (statSync(full).isDirectory()) {
      // ESM has no folder imports: the folder's index, or its package.json `main`.
      const index = ['index.ts', 'index.mts', 'index.js', 'index.mjs'].map((f) => join(full, f)).find((f) => existsSync(f));
      let main: string | undefined;
      try {
        const pkg = JSON.parse(readFileSync(join(full, 'package.json'), 'utf8')) as { main?: unknown };
        if (typeof pkg.main === 'string') main = join(full, pkg.main);
      } catch {
        /* no package.json */
      }
      const entry = index ?? main;
      if (!entry) return { error: `${full} has no index.ts/index.js or package.json main`, fix: 'add one, or point PLUGINS at the module file' };
      file = entry;
    }
    specifier = pathToFileURL(file).href;
  } else specifier = source;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const missing = e?.code === 'ERR_MODULE_NOT_FOUND' && !looksLikePath(source);
    return {
      error: `could not load ${source}: ${e?.message?.split('\n')[0] ?? String(err)}`,
      fix: missing ? `run \`npm install ${source}\` in the Pickle folder, or remove it from PLUGINS` : `fix the error in ${source}, or remove it`,
    };
  }
  let candidate: unknown = mod.default ?? mod.plugin;
  try {
    if (typeof candidate === 'function') candidate = await (candidate as () => unknown)();
  } catch (err) {
    return { error: `${source}: its plugin factory threw: ${errorText(err)}`, fix: `fix the error in ${source}, or remove it` };
  }
  const p = candidate as Partial<PicklePlugin> | undefined;
  if (!p || typeof p !== 'object' || typeof p.start !== 'function' || typeof p.name !== 'string')
    return { error: `${source} does not export a plugin (an object with name and start())`, fix: 'see plugins/README.md for the plugin shape' };
  if (!PLUGIN_NAME_RE.test(p.name)) return { error: `${source}: invalid plugin name "${p.name}"`, fix: 'use letters, digits, "-" and "_" (max 40)' };
  return { plugin: p as PicklePlugin };
}

export interface LoadResult {
  loaded: LoadedPlugin[];
  failed: LoadFailure[];
}

/** Imports the plugins of `dir` and of `extra` (PLUGINS), each once, in that order. */
export async function loadPluginModules(opts: {
  dir: string;
  extra: readonly string[];
  vars: Readonly<Record<string, string>>;
  cwd?: string;
}): Promise<LoadResult> {
  const cwd = opts.cwd ?? process.cwd();
  const sources = [...discover(opts.dir), ...opts.extra];
  const seenSources = new Set<string>();
  const loaded: LoadedPlugin[] = [];
  const failed: LoadFailure[] = [];
  for (const source of sources) {
    const key = looksLikePath(source) ? resolve(cwd, source) : source;
    if (seenSources.has(key)) continue;
    seenSources.add(key);
    const r = await importOne(source, cwd);
    if ('error' in r) {
      failed.push({ name: nameFromSource(source), source, error: r.error, fix: r.fix });
      continue;
    }
    const { plugin } = r;
    const clash = loaded.find((l) => l.name === plugin.name);
    if (clash) {
      failed.push({ name: `${plugin.name}-2`, source, error: `the name "${plugin.name}" is already used by ${clash.source}`, fix: `rename one of the plugins` });
      continue;
    }
    const config = configFor(plugin.name, opts.vars);
    let events: readonly string[];
    try {
      events = typeof plugin.events === 'function' ? plugin.events(config) : (plugin.events ?? []);
    } catch (err) {
      failed.push({ name: plugin.name, source, error: `events() threw: ${errorText(err)}`, fix: 'check its PLUGIN_… settings' });
      continue;
    }
    const bad = events.filter((t) => typeof t !== 'string' || !EVENT_TYPE_RE.test(t));
    if (bad.length > 0) {
      failed.push({ name: plugin.name, source, error: `unknown event types: ${bad.join(', ')}`, fix: 'use event types like reply.spoken (machines/events.ts)' });
      continue;
    }
    loaded.push({ name: plugin.name, plugin, source, config, events: [...new Set(events)] as PickleEventType[] });
  }
  return { loaded, failed };
}

