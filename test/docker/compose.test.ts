/**
 * Docker: `docker compose config` validates the compose file when docker compose is installed,
 * and the image builds when a Docker engine answers (each skipped with a printed reason
 * otherwise). Without them, the compose file and the Dockerfile are checked here: parsed with the
 * `yaml` package against a strict schema of the compose keys used (a typo is an unknown key), the
 * overlay port published on 127.0.0.1 only, Ollama and Chroma as their own services wired through
 * OLLAMA_HOST / CHROMA_URL, data in named volumes, and Pickle's environment valid for its config.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { envSchema, parseEnv } from '../../src/config/env.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const COMPOSE = join(ROOT, 'docker-compose.yml');

function run(cmd: string, args: string[], timeoutMs = 20_000) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, DOCKER_CLI_HINTS: 'false' } });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim(), error: r.error };
}

// Docker's compose plugin, or Debian's docker-compose (v1; .ci/run installs it) — the file works with both.
const pluginCheck = run('docker', ['compose', 'version']);
const v1Check = pluginCheck.ok ? pluginCheck : run('docker-compose', ['version']);
const composeCmd: [string, string[]] = pluginCheck.ok ? ['docker', ['compose']] : ['docker-compose', []];
const composeCheck = pluginCheck.ok ? pluginCheck : v1Check;
const hasCompose = composeCheck.ok;
const engineCheck = run('docker', ['info', '--format', '{{.ServerVersion}}']);
const hasEngine = engineCheck.ok;
const why = (c: { out: string; error?: Error | undefined }) => (c.error ? c.error.message : c.out.split('\n')[0] || 'not available');
if (!hasCompose) console.log(`docker: skipping \`docker compose config\`: ${why(composeCheck)}`);
if (!hasEngine) console.log(`docker: skipping the image build: no Docker engine (${why(engineCheck)})`);

describe('docker compose (real CLI)', () => {
  it.runIf(hasCompose)('`docker compose config` accepts the file', () => {
    const r = run(composeCmd[0], [...composeCmd[1], '-f', COMPOSE, 'config', '--quiet'], 60_000);
    expect(r.out).toBe('');
    expect(r.ok).toBe(true);
  });

  it.runIf(hasEngine)('the Dockerfile builds', () => {
    const r = run('docker', ['build', '--quiet', '--tag', 'pickle:test', ROOT], 14 * 60_000);
    expect(r.ok, r.out).toBe(true);
  }, 15 * 60_000);
});

// ---------------------------------------------------------------- the compose file, checked without Docker

/** `${NAME}`, `${NAME:-default}`, `${NAME-default}`: compose interpolation, as the compose spec defines it. */
const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g;

function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(INTERPOLATION, (_m, name: string, op: string | undefined, def: string | undefined) => {
    const v = vars[name];
    if (op === ':-') return v === undefined || v === '' ? (def ?? '') : v;
    if (op === '-') return v === undefined ? (def ?? '') : v;
    return v ?? '';
  });
}

const name = z.string().regex(/^[a-zA-Z0-9._-]+$/);
const stringish = z.union([z.string(), z.number(), z.boolean()]);
const command = z.union([z.string(), z.array(z.string())]);
const service = z.strictObject({
  build: z.union([z.string(), z.strictObject({ context: z.string(), dockerfile: z.string().optional() })]).optional(),
  image: z.string().optional(),
  env_file: z.union([z.string(), z.array(z.union([z.string(), z.strictObject({ path: z.string(), required: z.boolean().optional() })]))]).optional(),
  environment: z.union([z.record(z.string(), stringish.nullable()), z.array(z.string())]).optional(),
  ports: z.array(z.string()).optional(),
  volumes: z.array(z.string()).optional(),
  extra_hosts: z.array(z.string()).optional(),
  depends_on: z
    .record(name, z.strictObject({ condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']), required: z.boolean().optional() }))
    .optional(),
  healthcheck: z
    .strictObject({ test: command, interval: z.string().optional(), timeout: z.string().optional(), retries: z.number().int().optional(), start_period: z.string().optional() })
    .optional(),
  entrypoint: command.optional(),
  command: command.optional(),
  restart: z.enum(['no', 'always', 'on-failure', 'unless-stopped']).optional(),
});
const composeSchema = z.strictObject({
  name: name.optional(),
  services: z.record(name, service),
  volumes: z.record(name, z.null().or(z.strictObject({ driver: z.string().optional() }))).optional(),
});

const raw = readFileSync(COMPOSE, 'utf8');
const doc = composeSchema.parse(parse(raw));
const services = doc.services;

/** A short port spec: [host_ip:]host_port:container_port[/proto]. */
function hostIpOf(port: string): string | undefined {
  const p = port.replace(/\/(tcp|udp)$/, '');
  const parts = p.startsWith('[') ? [p.slice(1, p.indexOf(']')), ...p.slice(p.indexOf(']') + 2).split(':')] : p.split(':');
  return parts.length === 3 ? parts[0] : undefined;
}

function envOf(svc: z.infer<typeof service>): Record<string, string> {
  const e = svc.environment ?? {};
  if (Array.isArray(e)) return Object.fromEntries(e.map((kv) => [kv.split('=')[0]!, kv.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

describe('docker-compose.yml (parsed)', () => {
  it('is well-formed: the keys of the compose spec it uses, valid service names, interpolations closed', () => {
    expect(Object.keys(services).sort()).toEqual(['chroma', 'ollama', 'ollama-pull', 'pickle']);
    // Every `$` starts a well-formed interpolation (a lone `${` or `$VAR` typo is caught here).
    const dollars = raw.split('\n').filter((l) => !l.trim().startsWith('#') && l.includes('$'));
    for (const line of dollars) expect(line.replace(INTERPOLATION, ''), line).not.toContain('$');
  });

  it('Ollama and ChromaDB run as their own services, from their official images', () => {
    expect(services.ollama!.image).toMatch(/^ollama\/ollama(:|$)/);
    expect(services.chroma!.image).toMatch(/^chromadb\/chroma(:|$)/);
    expect(services.pickle!.build).toBe('.');
    expect(Object.keys(services.pickle!.depends_on ?? {}).sort()).toEqual(['chroma', 'ollama']);
    for (const svc of Object.values(services)) for (const dep of Object.keys(svc.depends_on ?? {})) expect(services).toHaveProperty(dep);
  });

  it('publishes only the overlay port, and only on 127.0.0.1', () => {
    for (const [n, svc] of Object.entries(services)) {
      if (n !== 'pickle') expect(svc.ports ?? [], n).toEqual([]);
    }
    const ports = services.pickle!.ports!;
    expect(ports).toHaveLength(1);
    expect(hostIpOf(interpolate(ports[0]!, {}))).toBe('127.0.0.1');
    expect(hostIpOf(interpolate(ports[0]!, { PORT: '9000' }))).toBe('127.0.0.1');
    // Same port inside and out (Pickle checks the Host header against its own port), default 8000.
    expect(interpolate(ports[0]!, {})).toBe('127.0.0.1:8000:8000');
    expect(interpolate(ports[0]!, { PORT: '9000' })).toBe('127.0.0.1:9000:9000');
    expect(interpolate(envOf(services.pickle!).PORT!, { PORT: '9000' })).toBe('9000');
  });

  it("wires Pickle to the services (OLLAMA_HOST, CHROMA_URL), overridable from .env, and its environment passes Pickle's own config check", () => {
    const env = envOf(services.pickle!);
    // Every variable set is one Pickle reads (a typo would silently do nothing).
    for (const k of Object.keys(env)) expect(Object.keys(envSchema.shape), k).toContain(k);
    const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v, {})]));
    expect(resolved).toMatchObject({ OLLAMA_HOST: 'http://ollama:11434', CHROMA_URL: 'http://chroma:8000', HOST: '0.0.0.0', PICKLE_DATA_DIR: '/data' });
    expect(interpolate(env.OLLAMA_HOST!, { OLLAMA_HOST: 'http://192.168.1.50:11434' })).toBe('http://192.168.1.50:11434');
    const parsed = parseEnv(resolved);
    expect(parsed.OLLAMA_HOST).toBe('http://ollama:11434');
    expect(parsed.PORT).toBe(8000);
    // The model pulled at start is the one Pickle uses.
    expect(interpolate(JSON.stringify(services['ollama-pull']!.entrypoint), {})).toContain(parseEnv({}).OLLAMA_MODEL);
    expect(envOf(services['ollama-pull']!).OLLAMA_HOST).toBe('http://ollama:11434');
    // Settings reach Pickle through ${VAR:-} interpolation from .env (works without a .env, and with compose v1 and v2).
    const pickleEnv = services.pickle!.environment as Record<string, string>;
    for (const key of ['TWITCH_CHANNEL', 'TWITCH_BOT_TOKEN', 'DEEPGRAM_API_KEY', 'OLLAMA_MODEL', 'LLM_BACKEND']) expect(pickleEnv[key], key).toMatch(new RegExp(`^\\$\\{${key}:-`));
  });

  it('keeps data in named volumes: Pickle at its PICKLE_DATA_DIR, models, memories', () => {
    const declared = Object.keys(doc.volumes ?? {});
    const mounts = Object.fromEntries(
      Object.entries(services).map(([n, s]) => [n, (s.volumes ?? []).map((v) => v.split(':')).map(([src, dst]) => ({ src: src!, dst: dst! }))]),
    );
    for (const list of Object.values(mounts))
      for (const m of list) if (!m.src.startsWith('.') && !m.src.startsWith('/')) expect(declared, m.src).toContain(m.src);
    expect(mounts.pickle).toContainEqual({ src: 'pickle-data', dst: envOf(services.pickle!).PICKLE_DATA_DIR });
    expect(mounts.ollama).toContainEqual({ src: 'ollama-models', dst: '/root/.ollama' });
    expect(mounts.chroma).toContainEqual({ src: 'chroma-data', dst: '/data' });
  });
});

describe('Dockerfile', () => {
  const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const instr = (k: string) => lines.filter((l) => l.toUpperCase().startsWith(`${k} `));

  it('node:20-slim, npm ci, npm start', () => {
    expect(instr('FROM')).toEqual(['FROM node:20-slim']);
    expect(instr('RUN').some((l) => /\bnpm ci\b/.test(l))).toBe(true);
    expect(instr('CMD')).toEqual(['CMD ["npm", "start"]']);
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start).toBeTruthy();
  });

  it('copies what exists and what Pickle reads at run time; keeps secrets and local data out of the image', () => {
    const sources = instr('COPY').flatMap((l) => l.split(/\s+/).slice(1, -1));
    for (const s of sources) expect(existsSync(join(ROOT, s)), s).toBe(true);
    for (const needed of ['package.json', 'package-lock.json', 'machines', 'src', 'overlay', 'personas', 'plugins']) expect(sources).toContain(needed);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'data', '.env']) expect(ignored).toContain(p);
    expect(lines.some((l) => /PICKLE_DATA_DIR=\/data\b/.test(l))).toBe(true);
  });
});
