/**
 * The microphone page's line to Pickle: a socket.io namespace on Pickle's own server, binary
 * frames of 16 kHz PCM16 straight from the page (no base64, no DevTools round trip per chunk:
 * measured cheaper than an exposed function, see README). Only a page given the session's
 * random key (through the DevTools pipe, which no web page can reach) may send audio.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Server } from 'socket.io';
import type { MicNamespace } from '../screens/namespaces.ts';

export const MIC_NAMESPACE = '/senses-mic';
/** Largest chunk accepted (1 s of 16 kHz PCM16). */
const MAX_CHUNK_BYTES = 32_000;

export interface MicChannel {
  /** A new key; chunks sent with it go to `onChunk` until `close`. */
  open(onChunk: (pcm: Buffer) => void): { key: string; close(): void };
}

export function createMicChannel(io: Server): MicChannel {
  const sessions = new Map<string, (pcm: Buffer) => void>();
  const ns: MicNamespace = io.of(MIC_NAMESPACE);
  const find = (key: unknown) => {
    if (typeof key !== 'string') return undefined;
    const k = Buffer.from(key);
    for (const [known, cb] of sessions) {
      const kk = Buffer.from(known);
      if (kk.length === k.length && timingSafeEqual(kk, k)) return { known, cb };
    }
    return undefined;
  };
  ns.use((socket, next) => {
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    if (find(auth?.['key'])) next();
    else next(new Error('unauthorized'));
  });
  ns.on('connection', (socket) => {
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const key = find(auth?.['key'])?.known;
    socket.on('pcm', (data: unknown) => {
      const cb = key ? sessions.get(key) : undefined;
      if (!cb) return void socket.disconnect(true);
      if (!Buffer.isBuffer(data) || data.length === 0 || data.length > MAX_CHUNK_BYTES) return;
      const whole = data.length & ~1;
      cb(whole === data.length ? data : data.subarray(0, whole));
    });
  });
  return {
    open(onChunk) {
      const key = randomBytes(18).toString('base64url');
      sessions.set(key, onChunk);
      return {
        key,
        close() {
          sessions.delete(key);
          for (const s of ns.sockets.values()) if ((s.handshake.auth as Record<string, unknown> | undefined)?.['key'] === key) s.disconnect(true);
        },
      };
    },
  };
}
