import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { EMOTIONS, type PersonaRuntime, type StreamEventKind } from '../../machines/events.ts';
import { VOICE_ENGINE_NAMES } from '../tts/engines.ts';
import { errorText } from '../errors.ts';

/** The persona file schema: the seed's (name, personality, style, voice, behavior) plus a few of ours. */
const ackSchema = z
  .object({
    raid: z.boolean().default(true),
    sub: z.boolean().default(true),
    resub: z.boolean().default(true),
    subgift: z.boolean().default(true),
    submysterygift: z.boolean().default(true),
    bits: z.boolean().default(true),
    /** Follows are thanked in batches ("thanks Ana, Bo and 3 others"); off unless the persona asks. */
    follow: z.boolean().default(false),
  })
  .strict()
  .default({ raid: true, sub: true, resub: true, subgift: true, submysterygift: true, bits: true, follow: false });

/** A model or animation file the persona names: `name.vrm` or `folder/name.vrm`, never a path out (`..`, `/…`). */
export const AVATAR_FILE_RE = /^(?:[\w-]{1,64}\/){0,2}[\w .-]{0,100}[\w-]\.vrm$/i;

export const personaFileSchema = z
  .object({
    name: z.string().trim().min(1).max(40),
    aliases: z.array(z.string().trim().min(1).max(40)).default([]),
    personality: z.string().trim().min(1).max(4000),
    style: z.array(z.string().trim().min(1).max(300)).max(30).default([]),
    /** Languages chat and replies use: moderation loads personas/moderation/<lang>.txt for each. */
    languages: z.array(z.string().trim().regex(/^[a-z]{2}$/, 'a two-letter language code (en, es, de)')).min(1).max(10).default(['en']),
    /** Moderation choices of the persona: mild profanity ("damn", "hell", "pissed") said or not. */
    moderation: z
      .object({ mild: z.enum(['allow', 'block']).default('allow') })
      .strict()
      .default({ mild: 'allow' }),
    voice: z
      .object({
        provider: z.enum(VOICE_ENGINE_NAMES).default('deepgram'),
        voice_id: z.string().trim().min(1).default('aura-asteria-en'),
        speed: z.number().min(0.5).max(2).default(1),
      })
      .strict()
      .default({ provider: 'deepgram', voice_id: 'aura-asteria-en', speed: 1 }),
    /**
     * Optional art for the overlay: `images: <folder>` → personas/<folder>/<emotion>.png (+ <emotion>-talk.png),
     * or `kind: vrm, model: <file>.vrm` (in personas/ or the data folder); else the built-in face.
     */
    avatar: z
      .object({
        kind: z.enum(['images', 'vrm']).default('images'),
        images: z.string().trim().regex(/^[a-z0-9_-]{1,64}$/i, 'a folder name inside personas/ (letters, digits, "_", "-")').optional(),
        model: z.string().trim().regex(AVATAR_FILE_RE, 'a .vrm file name in personas/ or the data folder (a sub-folder may be named, never "..")').optional(),
        framing: z.enum(['bust', 'full']).optional(),
        distance: z.number().min(0.2).max(20).optional(),
        /** A .vrma animation (next to the model) played as the idle motion instead of breathing and sway. */
        idle: z.string().trim().regex(/^[\w-]{1,80}\.vrma$/i, 'a .vrma file name next to the model').optional(),
      })
      .strict()
      .superRefine((a, ctx) => {
        if (a.kind === 'vrm' && !a.model) ctx.addIssue({ code: 'custom', path: ['model'], message: 'kind vrm needs model: <file>.vrm' });
        if (a.kind === 'images' && !a.images) ctx.addIssue({ code: 'custom', path: ['images'], message: 'name a folder of pictures (or kind: vrm with a model)' });
      })
      .optional(),
    /** VTube Studio (AVATAR=vts): which hotkey each emotion triggers, e.g. {happy: "Smile"}; other emotions use a hotkey named like them. */
    vts: z
      .object({ hotkeys: z.partialRecord(z.enum(EMOTIONS), z.string().trim().min(1).max(64)).default({}) })
      .strict()
      .default({ hotkeys: {} }),
    /** OBS: scenes during which Pickle stays quiet (e.g. BRB), added to OBS_MUTE_SCENES. */
    obs: z
      .object({ mute_scenes: z.array(z.string().trim().min(1).max(200)).max(50).default([]) })
      .strict()
      .default({ mute_scenes: [] }),
    behavior: z
      .object({
        spontaneous_rate: z.number().min(0).max(1).default(0.2),
        cooldown: z.number().min(0).max(600).default(5),
        /** Seconds of no chat and no streamer speech before Pickle starts a topic itself; 0 = never. */
        idle_after: z.number().min(0).max(3600).default(180),
        chat_batch_size: z.number().int().min(1).max(100).default(10),
        max_reply_chars: z.number().int().min(40).max(2000).default(300),
        acknowledge: ackSchema,
        /** The channel-point reward whose redemptions are questions for the co-host (default `Ask <name>`). */
        reward_title: z.string().trim().min(1).max(45).optional(),
      })
      .strict()
      .default({
        spontaneous_rate: 0.2,
        cooldown: 5,
        idle_after: 180,
        chat_batch_size: 10,
        max_reply_chars: 300,
        acknowledge: { raid: true, sub: true, resub: true, subgift: true, submysterygift: true, bits: true, follow: false },
      }),
  })
  .strict();

export type PersonaFile = z.output<typeof personaFileSchema>;

export interface Persona {
  id: string;
  file: PersonaFile;
}

export class PersonaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PersonaError';
  }
}

export function listPersonas(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^[a-z0-9_-]+\.ya?ml$/i.test(f))
    .map((f) => f.replace(/\.ya?ml$/i, ''))
    .sort();
}

/** Loads personas/<id>.yaml; any problem is one PersonaError line naming the file and field. */
export function loadPersona(dir: string, id: string): Persona {
  if (!/^[a-z0-9_-]+$/i.test(id)) throw new PersonaError(`PERSONA: "${id}" is not a persona file name`);
  const path = [join(dir, `${id}.yaml`), join(dir, `${id}.yml`)].find((p) => existsSync(p));
  if (!path) {
    const known = listPersonas(dir);
    throw new PersonaError(`PERSONA: no personas/${id}.yaml (available: ${known.join(', ') || 'none'})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new PersonaError(`personas/${id}.yaml: not valid YAML (${errorText(err).split('\n')[0]})`);
  }
  const parsed = personaFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PersonaError(`personas/${id}.yaml: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return { id, file: parsed.data };
}

/** Overrides from the settings API (absent = keep the persona file's value). */
export interface PersonaOverrides {
  spontaneousRate?: number | undefined;
  cooldownSec?: number | undefined;
  idleAfterSec?: number | undefined;
  replyInChat?: boolean | undefined;
}

export function toRuntime(persona: Persona, overrides: PersonaOverrides = {}): PersonaRuntime {
  const b = persona.file.behavior;
  return {
    id: persona.id,
    name: persona.file.name,
    aliases: persona.file.aliases,
    personality: persona.file.personality,
    style: persona.file.style,
    spontaneousRate: overrides.spontaneousRate ?? b.spontaneous_rate,
    cooldownSec: overrides.cooldownSec ?? b.cooldown,
    idleAfterSec: overrides.idleAfterSec ?? b.idle_after,
    replyInChat: overrides.replyInChat ?? false,
    chatBatchSize: b.chat_batch_size,
    maxReplyChars: b.max_reply_chars,
    acknowledge: { ...b.acknowledge } as Record<StreamEventKind, boolean>,
  };
}

/** Blocklist: one word/phrase per line, `#` comments. */
export function loadBlocklist(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.toLowerCase());
}

/** The channel-point reward Pickle answers: `behavior.reward_title`, else `Ask <name>`. */
export function rewardTitleOf(persona: Persona): string {
  return persona.file.behavior.reward_title ?? `Ask ${persona.file.name}`;
}
