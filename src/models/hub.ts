/**
 * What the two transformers.js models (the embedder and the toxicity classifier) share: where the
 * files are cached, which hub they come from, a timeout to the first byte of each request, and
 * the download progress the console shows as a bar.
 */
import type { env as TransformersEnv } from '@huggingface/transformers';

export interface DownloadProgress {
  file: string;
  loaded: number;
  total: number;
  /** 0-100 */
  progress: number;
}

export interface HubOptions {
  /** Cache folder (data/models). */
  modelsDir: string;
  /** The model hub's base URL. */
  hubUrl: string;
  /** Time to the headers of one request; the body of a large model may take longer. Default 15 s. */
  requestTimeoutMs?: number;
}

/** The hub's base URL as transformers.js wants it (with a trailing slash); also what a probe asks. */
export function hubHost(hubUrl: string): string {
  return hubUrl.endsWith('/') ? hubUrl : `${hubUrl}/`;
}

/** Points transformers.js at the cache and the hub, with a timeout to each request's headers. */
export function useHub(env: typeof TransformersEnv, opts: HubOptions): void {
  env.cacheDir = opts.modelsDir;
  env.localModelPath = opts.modelsDir;
  env.allowLocalModels = true;
  env.useFSCache = true;
  env.remoteHost = hubHost(opts.hubUrl);
  const requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;
  env.fetch = async (input: string | URL, init?: RequestInit) => {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error(`no answer from ${new URL(String(input)).host} within ${requestTimeoutMs} ms`)), requestTimeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, ac.signal]) : ac.signal;
    try {
      return await fetch(input, { ...init, signal });
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The pipeline option that reports download progress, only when downloading is allowed. */
export function progressOption(allowRemote: boolean, onProgress: ((p: DownloadProgress) => void) | undefined) {
  if (!allowRemote || !onProgress) return {};
  return {
    progress_callback: (p: { status: string; file?: string; loaded?: number; total?: number; progress?: number }) => {
      if (p.status === 'progress' && p.file) onProgress({ file: p.file, loaded: p.loaded ?? 0, total: p.total ?? 0, progress: p.progress ?? 0 });
    },
  };
}

/**
 * How long the hub may take to answer "are you there" before a download. Long enough for a PC
 * busy streaming (a slow answer is not no answer), short enough that a black-holed network does
 * not hold up long-term memory or the classifier for long.
 */
export const HUB_PROBE_MS = 2000;

/** Whether the hub answers at all, within a short budget: the reason it does not, or undefined. */
export async function probeHub(url: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const res = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer().catch(() => undefined);
    return undefined;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
    return e.cause?.code ?? e.cause?.message ?? e.message;
  }
}
