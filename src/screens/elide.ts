/**
 * Makes any value safe and small enough to show on the inspector page: secrets and audio
 * are replaced by a note, long strings and arrays are cut, functions and actor refs become
 * labels, cycles and deep nesting stop. The result is plain JSON.
 */
import { scrubSecrets } from '../log.ts';

export interface ElideOptions {
  /** Secret values (API keys, tokens) to scrub from any string. */
  secrets?: readonly string[];
  maxString?: number;
  maxArray?: number;
  maxKeys?: number;
  maxDepth?: number;
}

/** Keys whose values are credentials, whatever they hold. */
const SECRET_KEY = /(token|secret|password|passwd|api[_-]?key|authorization|cookie|credentials?)$/i;
/** Keys whose values are audio (base64 PCM in `stream_audio`, buffers in voice events). */
const AUDIO_KEY = /^(audio|pcm|samples|wav|chunk|chunks|image|images|jpeg|frame)$/i;
/** A long run of base64 is binary data, whatever its key. */
const BASE64_RUN = /^[A-Za-z0-9+/=\r\n]{512,}$/;

export function elide(value: unknown, opts: ElideOptions = {}): unknown {
  const o = {
    secrets: (opts.secrets ?? []).filter((s) => s && s.length >= 6),
    maxString: opts.maxString ?? 400,
    maxArray: opts.maxArray ?? 30,
    maxKeys: opts.maxKeys ?? 40,
    maxDepth: opts.maxDepth ?? 6,
  };
  const seen = new WeakSet<object>();

  const str = (s: string): string => {
    if (BASE64_RUN.test(s)) return `[binary: ${s.length} base64 chars]`;
    const clean = o.secrets.length ? scrubSecrets(s, o.secrets) : s;
    return clean.length > o.maxString ? `${clean.slice(0, o.maxString)}… (+${clean.length - o.maxString} chars)` : clean;
  };

  const walk = (v: unknown, depth: number, key: string): unknown => {
    if (key && typeof v === 'string' && v !== '' && SECRET_KEY.test(key)) return '[secret]';
    if (key && AUDIO_KEY.test(key) && v !== null && v !== undefined && typeof v !== 'boolean' && typeof v !== 'number') {
      return `[${key}: ${sizeOf(v)}]`;
    }
    switch (typeof v) {
      case 'string':
        return str(v);
      case 'number':
        return Number.isFinite(v) ? v : String(v);
      case 'boolean':
      case 'undefined':
        return v;
      case 'bigint':
        return `${v}n`;
      case 'symbol':
        return v.toString();
      case 'function':
        return `[function${v.name ? ` ${v.name}` : ''}]`;
    }
    if (v === null) return null;
    const obj = v as object;
    if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) return `[binary: ${sizeOf(obj)}]`;
    if (isActorRef(obj)) return `[actor ${obj.systemId ?? obj.id}]`;
    if (seen.has(obj)) return '[circular]';
    if (depth >= o.maxDepth) return Array.isArray(obj) ? `[array(${obj.length})]` : '[object]';
    seen.add(obj);
    try {
      if (obj instanceof Error) return { error: obj.name, message: str(obj.message) };
      if (obj instanceof Date) return obj.toISOString();
      if (obj instanceof Map) return walk(Object.fromEntries(obj), depth, key);
      if (obj instanceof Set) return walk([...obj], depth, key);
      if (Array.isArray(obj)) {
        const out = obj.slice(0, o.maxArray).map((x) => walk(x, depth + 1, ''));
        if (obj.length > o.maxArray) out.push(`… (+${obj.length - o.maxArray} more)`);
        return out;
      }
      const out: Record<string, unknown> = {};
      const keys = Object.keys(obj);
      for (const k of keys.slice(0, o.maxKeys)) out[k] = walk((obj as Record<string, unknown>)[k], depth + 1, k);
      if (keys.length > o.maxKeys) out['…'] = `+${keys.length - o.maxKeys} more keys`;
      return out;
    } finally {
      seen.delete(obj);
    }
  };
  return walk(value, 0, '');
}

function sizeOf(v: unknown): string {
  if (typeof v === 'string') return `${v.length} chars`;
  if (v instanceof ArrayBuffer) return `${v.byteLength} bytes`;
  if (ArrayBuffer.isView(v)) return `${v.byteLength} bytes`;
  if (Array.isArray(v)) return `${v.length} items`;
  return typeof v;
}

interface ActorLike {
  id: string;
  systemId?: string;
  sessionId: string;
  send: unknown;
}

function isActorRef(v: object): v is ActorLike {
  const a = v as Partial<ActorLike>;
  return typeof a.sessionId === 'string' && typeof a.send === 'function';
}
