/**
 * Which VRM model the overlay shows, and whether it can: the persona's `avatar: {kind: vrm,
 * model}` or AVATAR_MODEL, looked up in the persona folder and then the data folder, and nowhere
 * else (no `..`, no absolute path, no symlink out). The file is checked (size, glTF, VRM,
 * humanoid bones) before any overlay is told about it; the overlay fetches it from one fixed URL
 * (`/overlay/avatar/model.vrm`), never by a path a request names.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Env } from '../config/env.ts';
import type { Persona } from '../config/persona.ts';
import { inspectVrm, VrmFileError, type VrmFileInfo } from './vrmFile.ts';

export type Framing = 'bust' | 'full';

/** What the overlay needs to show the model. */
export interface ModelLook {
  /** Where the overlay fetches it (a fixed route; `?v=` changes with the file). */
  url: string;
  /** The file's name as the persona or AVATAR_MODEL gave it. */
  file: string;
  version: VrmFileInfo['version'];
  framing: Framing;
  /** Camera distance in metres. */
  distance: number;
  /** A .vrma idle animation's URL, or null for breathing and sway. */
  idle: string | null;
}

export type ModelCheck =
  | { kind: 'none' }
  | { kind: 'ok'; path: string; idlePath: string | null; look: ModelLook; info: VrmFileInfo }
  | { kind: 'bad'; file: string; reason: string; fix: string };

export const DEFAULT_DISTANCE: Record<Framing, number> = { bust: 0.9, full: 2.6 };

export interface ModelRoots {
  personasDir: string;
  dataDir: string;
}

/** The model the persona (first) or AVATAR_MODEL names, checked. */
export function checkModel(persona: Persona, env: Pick<Env, 'AVATAR_MODEL' | 'AVATAR_FRAMING' | 'AVATAR_CAMERA_DISTANCE' | 'AVATAR_MAX_MB'>, roots: ModelRoots): ModelCheck {
  const a = persona.file.avatar;
  const fromPersona = a?.kind === 'vrm' && a.model ? a.model : undefined;
  const file = fromPersona ?? env.AVATAR_MODEL;
  if (!file) return { kind: 'none' };
  const where = fromPersona ? `personas/${persona.id}.yaml avatar.model` : 'AVATAR_MODEL';
  try {
    const path = locate(file, roots);
    const info = inspectVrm(path, env.AVATAR_MAX_MB * 1024 * 1024);
    const idleFile = a?.kind === 'vrm' ? a.idle : undefined;
    const idlePath = idleFile ? locate(join(file, '..', idleFile), roots) : null;
    const framing = (fromPersona ? a?.framing : undefined) ?? env.AVATAR_FRAMING;
    const distance = (fromPersona ? a?.distance : undefined) ?? env.AVATAR_CAMERA_DISTANCE ?? DEFAULT_DISTANCE[framing];
    const v = `${info.bytes}`;
    return {
      kind: 'ok',
      path,
      idlePath,
      info,
      look: { url: `/overlay/avatar/model.vrm?v=${v}`, file, version: info.version, framing, distance, idle: idlePath ? `/overlay/avatar/idle.vrma?v=${v}` : null },
    };
  } catch (err) {
    if (!(err instanceof VrmFileError)) throw err;
    return { kind: 'bad', file, reason: `${file}: ${err.message}`, fix: `put a VRM model in personas/ or the data folder and name it in ${where}` };
  }
}

/** The file inside personas/ or the data folder (in that order), or a VrmFileError saying it is not allowed or not there. */
export function locate(file: string, roots: ModelRoots): string {
  if (isAbsolute(file) || file.split(/[\\/]/).includes('..')) throw new VrmFileError('only files inside personas/ or the data folder are used (no absolute path, no "..")');
  let missing = true;
  for (const root of [roots.personasDir, roots.dataDir]) {
    const path = resolve(root, file);
    let real: string;
    let realRoot: string;
    try {
      real = realpathSync(path);
      realRoot = realpathSync(root);
    } catch {
      continue;
    }
    missing = false;
    const rel = relative(realRoot, real);
    if (rel && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)) return real;
  }
  throw new VrmFileError(missing ? 'the file does not exist in personas/ or the data folder' : 'the file links outside personas/ and the data folder');
}
