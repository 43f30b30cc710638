/**
 * Runtime settings the streamer changes from the panel / REST API, persisted to
 * `<dataDir>/settings.json`. Persona overrides are optional: absent means "use the
 * persona YAML's value", and `null` in a patch removes an override.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../log.ts';

export const PERSONA_ID_RE = /^[a-z0-9_-]+$/i;
/** Deepgram voice ids look like `aura-asteria-en` / `aura-2-thalia-en`; they go into a URL. */
const VOICE_MODEL_RE = /^[a-z0-9._-]+$/i;

const voiceModel = z.string().min(1).max(100).regex(VOICE_MODEL_RE, 'letters, digits, ".", "_" and "-" only');
const voiceSpeed = z.number().min(0.5).max(2);
const personaName = z.string().min(1).max(64).regex(PERSONA_ID_RE, 'letters, digits, "_" and "-" only');
const spontaneousRate = z.number().min(0).max(1);
const cooldownSec = z.number().min(0).max(600);
const idleAfterSec = z.number().min(0).max(3600);

export const VoiceSettingsSchema = z.object({
  model: voiceModel.default('aura-asteria-en'),
  speed: voiceSpeed.default(1.0),
});

export const PersonaSettingsSchema = z.object({
  name: personaName.default('default'),
  spontaneousRate: spontaneousRate.optional(),
  cooldownSec: cooldownSec.optional(),
  idleAfterSec: idleAfterSec.optional(),
  replyInChat: z.boolean().optional(),
});

/** Ears (microphone) and eyes (camera): saved, so that a crash or a restart never turns them back on. */
export const SensesSettingsSchema = z.object({
  ears: z.boolean().default(true),
  eyes: z.boolean().default(true),
});

/** The file's schema: unknown keys are dropped (an older/newer Pickle may have written them). */
export const SettingsSchema = z.object({
  voice: VoiceSettingsSchema.prefault({}),
  persona: PersonaSettingsSchema.prefault({}),
  senses: SensesSettingsSchema.prefault({}),
});

export type Settings = z.infer<typeof SettingsSchema>;

/** Patches are strict: a typo in a key is an error, not a silent no-op. `null` clears an override. */
export const VoicePatchSchema = z.strictObject({ model: voiceModel, speed: voiceSpeed }).partial();
export const PersonaPatchSchema = z
  .strictObject({
    name: personaName,
    spontaneousRate: spontaneousRate.nullable(),
    cooldownSec: cooldownSec.nullable(),
    idleAfterSec: idleAfterSec.nullable(),
    replyInChat: z.boolean().nullable(),
  })
  .partial();
export const SensesPatchSchema = z.strictObject({ ears: z.boolean(), eyes: z.boolean() }).partial();
export const SettingsPatchSchema = z.strictObject({ voice: VoicePatchSchema, persona: PersonaPatchSchema, senses: SensesPatchSchema }).partial();

export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export function defaultSettings(): Settings {
  return SettingsSchema.parse({});
}

/** Thrown by `update` when the patch or the merged result is invalid. Nothing is changed or written. */
export class SettingsValidationError extends Error {
  override readonly name = 'SettingsValidationError';
  /** Dotted path (e.g. `voice.speed`) → message. */
  readonly fields: Record<string, string>;
  constructor(fields: Record<string, string>) {
    super(`invalid settings: ${Object.keys(fields).join(', ') || '(root)'}`);
    this.fields = fields;
  }
}

/** zod issues → `{ 'voice.speed': 'Too big: ...' }`; unknown keys get one entry each. */
export function zodFields(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[[...base, key].join('.')] = 'unknown setting';
    } else {
      const key = base.join('.');
      if (!(key in fields)) fields[key] = issue.message;
    }
  }
  return fields;
}

export interface SettingsStoreOptions {
  dataDir: string;
  log: Logger;
  /** Clock for the `.corrupt-<timestamp>` name (tests). */
  now?: () => number;
}

export interface SettingsStore {
  /** A copy: mutating it changes nothing. */
  get(): Settings;
  /** Merge, validate, persist atomically, emit 'change'. Throws SettingsValidationError (nothing written). */
  update(patch: SettingsPatch): Settings;
  /** Called after each persisted change that altered something. Returns an unsubscribe function. */
  on(event: 'change', fn: (next: Settings, prev: Settings) => void): () => void;
  /** Set when the file on disk could not be used at load; print it to the console. */
  readonly warning?: string;
  /** Absolute path of settings.json. */
  readonly file: string;
}

export function createSettingsStore(opts: SettingsStoreOptions): SettingsStore {
  const now = opts.now ?? Date.now;
  const file = path.resolve(opts.dataDir, 'settings.json');
  const emitter = new EventEmitter<{ change: [Settings, Settings] }>();
  const loaded = load(file, now, opts.log);
  let current = loaded.settings;

  return {
    file,
    ...(loaded.warning ? { warning: loaded.warning } : {}),
    get: () => structuredClone(current),
    update(patch) {
      const parsedPatch = SettingsPatchSchema.safeParse(patch);
      if (!parsedPatch.success) throw new SettingsValidationError(zodFields(parsedPatch.error));
      const merged = SettingsSchema.safeParse(merge(current, parsedPatch.data));
      if (!merged.success) throw new SettingsValidationError(zodFields(merged.error));
      const next = merged.data;
      const prev = current;
      if (JSON.stringify(next) === JSON.stringify(prev)) return structuredClone(prev);
      writeAtomic(file, `${JSON.stringify(next, null, 2)}\n`);
      current = next;
      opts.log.info({ voice: next.voice, persona: next.persona, senses: next.senses }, 'settings changed');
      emitter.emit('change', structuredClone(next), structuredClone(prev));
      return structuredClone(next);
    },
    on(_event, fn) {
      emitter.on('change', fn);
      return () => emitter.off('change', fn);
    },
  };
}

function merge(base: Settings, patch: SettingsPatch): Record<string, unknown> {
  const persona: Record<string, unknown> = { ...base.persona };
  for (const [k, v] of Object.entries(patch.persona ?? {})) {
    if (v === null) delete persona[k];
    else if (v !== undefined) persona[k] = v;
  }
  const voice: Record<string, unknown> = { ...base.voice };
  for (const [k, v] of Object.entries(patch.voice ?? {})) if (v !== undefined) voice[k] = v;
  const senses: Record<string, unknown> = { ...base.senses };
  for (const [k, v] of Object.entries(patch.senses ?? {})) if (v !== undefined) senses[k] = v;
  return { voice, persona, senses };
}

function load(file: string, now: () => number, log: Logger): { settings: Settings; warning?: string } {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { settings: defaultSettings() };
    // Unreadable (permissions...): not corrupt, so leave it where it is.
    const warning = `Could not read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); using default settings.`;
    log.warn({ file, code: (err as NodeJS.ErrnoException).code }, 'settings file unreadable, using defaults');
    return { settings: defaultSettings(), warning };
  }

  let reason: string;
  try {
    const parsed = SettingsSchema.safeParse(JSON.parse(raw));
    if (parsed.success) return { settings: parsed.data };
    reason = `invalid values: ${Object.entries(zodFields(parsed.error))
      .map(([k, m]) => `${k || '(root)'}: ${m}`)
      .join('; ')}`;
  } catch {
    reason = 'not valid JSON';
  }

  // Keep the broken file for the streamer to look at, so the next save does not destroy it.
  const stamp = new Date(now()).toISOString().replace(/[:.]/g, '-');
  const aside = `${file}.corrupt-${stamp}`;
  let warning: string;
  try {
    fs.renameSync(file, aside);
    warning = `${file} was unusable (${reason}); moved it to ${aside} and using default settings.`;
  } catch (err) {
    warning = `${file} was unusable (${reason}) and could not be moved aside (${(err as NodeJS.ErrnoException).code ?? 'error'}); using default settings.`;
  }
  log.warn({ file, aside, reason }, 'settings file unusable, using defaults');
  return { settings: defaultSettings(), warning };
}

/** Temp file in the same directory + fsync + rename: a crash leaves the old or the new file, never half of one. */
function writeAtomic(file: string, content: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeFileSync(fd, content, 'utf8');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw err;
  }
  // Make the rename itself durable; directories cannot be opened this way on Windows.
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    /* best effort */
  }
}
