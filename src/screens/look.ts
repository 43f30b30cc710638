/**
 * The avatar's look for the overlay: the built-in face, or the persona's own pictures when its
 * YAML names an image folder (`avatar: { images: <folder> }` → personas/<folder>/):
 * `<emotion>.png` (mouth closed) and optionally `<emotion>-talk.png` (mouth open) for any of the
 * emotions; `neutral` is required and stands in for the missing ones. png, webp, gif, jpg, svg.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EMOTIONS } from '../../machines/events.ts';
import type { Persona } from '../config/persona.ts';
import type { ModelLook } from '../avatar/model.ts';

export type { ModelLook } from '../avatar/model.ts';

export interface Look {
  /** Persona id and display name. */
  persona: string;
  name: string;
  /** `happy`, `happy-talk`… → URL; null for the built-in face. */
  images: Record<string, string> | null;
  /** A VRM model to show instead (the built-in face stays underneath until it has loaded); null when none. */
  model: ModelLook | null;
  /** Why the persona's pictures are not used, when they are not. */
  warning?: string;
}

export const IMAGE_FILE_RE = /^([a-z]+)(-talk)?\.(png|webp|gif|jpe?g|svg)$/;

export function imageDir(persona: Persona, personasDir: string): string | undefined {
  const folder = persona.file.avatar?.images;
  return folder ? join(personasDir, folder) : undefined;
}

export function lookOf(persona: Persona, personasDir: string, model: ModelLook | null = null): Look {
  const base = { persona: persona.id, name: persona.file.name, model };
  const dir = imageDir(persona, personasDir);
  const folder = persona.file.avatar?.images ?? '';
  if (!dir) return { ...base, images: null };
  if (!existsSync(dir)) return { ...base, images: null, warning: `personas/${folder}/ does not exist` };
  const images: Record<string, string> = {};
  for (const file of readdirSync(dir).sort()) {
    const m = IMAGE_FILE_RE.exec(file);
    if (!m || !(EMOTIONS as readonly string[]).includes(m[1]!)) continue;
    const key = `${m[1]}${m[2] ?? ''}`;
    if (images[key]) continue;
    const v = Math.round(statSync(join(dir, file)).mtimeMs);
    images[key] = `/overlay/look/${encodeURIComponent(persona.id)}/${encodeURIComponent(file)}?v=${v}`;
  }
  if (!images['neutral']) {
    return { ...base, images: null, warning: `personas/${folder}/ has no neutral.png (or .webp/.gif/.jpg/.svg)` };
  }
  return { ...base, images };
}
