/**
 * What a VRM file is, read from its glTF binary header and JSON chunk only (a 50 MB model is not
 * read whole): glTF 2.0, the VRM extension (VRMC_vrm for 1.0, VRM for 0.x), the humanoid bones
 * VRM requires, and the model's name from its meta. Anything else is a `VrmFileError` whose
 * message is one line for the streamer.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export type VrmVersion = '1.0' | '0.x';

export interface VrmFileInfo {
  version: VrmVersion;
  /** The meta's name (1.0) or title (0.x); '' when the model has none. */
  name: string;
  bytes: number;
}

export class VrmFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VrmFileError';
  }
}

/** The bones three-vrm (and the VRM specification) require of every model. */
export const REQUIRED_BONES = ['hips', 'spine', 'head', 'leftUpperLeg', 'leftLowerLeg', 'leftFoot', 'rightUpperLeg', 'rightLowerLeg', 'rightFoot', 'leftUpperArm', 'leftLowerArm', 'leftHand', 'rightUpperArm', 'rightLowerArm', 'rightHand'] as const;

const GLTF_MAGIC = 0x46546c67;
const JSON_CHUNK = 0x4e4f534a;
/** A JSON chunk larger than this is not a model description anyone wrote. */
const MAX_JSON_BYTES = 32 * 1024 * 1024;

/** Synchronous on purpose: only the header and the JSON chunk (kilobytes) are read, at start and on a persona switch. */
export function inspectVrm(path: string, maxBytes: number): VrmFileInfo {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new VrmFileError(code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read (${code ?? 'error'})`);
  }
  try {
    const { size } = fstatSync(fd);
    if (size > maxBytes) throw new VrmFileError(`the file is ${mb(size)} MB, over the ${mb(maxBytes)} MB limit (AVATAR_MAX_MB)`);
    const head = Buffer.alloc(20);
    const bytesRead = readSync(fd, head, 0, 20, 0);
    if (bytesRead < 20 || head.readUInt32LE(0) !== GLTF_MAGIC) throw new VrmFileError('not a VRM file (no glTF binary header)');
    if (head.readUInt32LE(4) !== 2) throw new VrmFileError(`glTF version ${head.readUInt32LE(4)}, VRM needs glTF 2`);
    const jsonLength = head.readUInt32LE(12);
    if (head.readUInt32LE(16) !== JSON_CHUNK || jsonLength > MAX_JSON_BYTES || 20 + jsonLength > size) throw new VrmFileError('a broken glTF binary (its JSON chunk is missing or cut off)');
    const body = Buffer.alloc(jsonLength);
    readSync(fd, body, 0, jsonLength, 20);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new VrmFileError('a broken glTF binary (its JSON chunk does not parse)');
    }
    return { ...describe(json), bytes: size };
  } finally {
    closeSync(fd);
  }
}

function describe(json: unknown): { version: VrmVersion; name: string } {
  const ext = record(record(json)?.['extensions']);
  const v1 = record(ext?.['VRMC_vrm']);
  if (v1) {
    const bones = record(record(v1['humanoid'])?.['humanBones']) ?? {};
    requireBones(Object.keys(bones).filter((b) => record(bones[b])?.['node'] !== undefined));
    return { version: '1.0', name: text(record(v1['meta'])?.['name']) };
  }
  const v0 = record(ext?.['VRM']);
  if (v0) {
    const list = record(v0['humanoid'])?.['humanBones'];
    const names = Array.isArray(list) ? list.map((b) => text(record(b)?.['bone'])).filter(Boolean) : [];
    // VRM 0.x names the thumbs differently; the required bones are the same.
    requireBones(names);
    return { version: '0.x', name: text(record(v0['meta'])?.['title']) };
  }
  throw new VrmFileError('a glTF model without VRM data (no VRMC_vrm or VRM extension): export it as VRM');
}

function requireBones(present: string[]): void {
  const missing = REQUIRED_BONES.filter((b) => !present.includes(b));
  if (missing.length > 0) throw new VrmFileError(`the VRM has no humanoid ${missing.length === REQUIRED_BONES.length ? 'bones' : `bone${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`}`);
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v.trim().slice(0, 80) : '';
}

function mb(bytes: number): string {
  return String(Math.round((bytes / 1024 / 1024) * 10) / 10);
}
