/**
 * The overlay as an audio output: the seed's stream protocol on the socket.io namespace
 * `/avatar`, played with Web Audio by overlay/audio.js (OBS captures the browser source's
 * audio with "Control audio via OBS": no virtual cable).
 *
 * Server → overlay: `stream_start {sample_rate, id}`, `stream_audio {audio: base64 PCM16 LE
 * mono}`, `stream_end {}`, and `stream_stop {}` (flush now: skip / barge-in).
 * Overlay → server: `audio_state {state: 'running' | 'blocked'}` (whether it can play), and
 * `playback_end {id}` when stream `id` has been played to the end. Messages from the page are
 * untrusted: validated, and only the oldest page that said it is playing is listened to.
 */
import { EventEmitter } from 'node:events';
import type { AvatarNamespace } from '../screens/namespaces.ts';
import type { AudioSink } from './player.ts';

export interface OverlayOutput extends AudioSink {
  attach(avatar: AvatarNamespace): void;
  /** Overlays connected that say they play audio. */
  playing(): number;
  /** Called with the new count whenever pages start or stop saying they play. Returns an unsubscribe function. */
  onPlayingChange(cb: (playing: number) => void): () => void;
}

export function createOverlayOutput(): OverlayOutput {
  let ns: AvatarNamespace | undefined;
  const running = new Set<string>();
  const ended = new EventEmitter<{ ended: [string] }>();
  ended.setMaxListeners(0);
  const oldest = () => running.values().next().value;
  const changes = new EventEmitter<{ playing: [number] }>();
  const track = (id: string, on: boolean) => {
    const before = running.size;
    if (on) running.add(id);
    else running.delete(id);
    if (running.size !== before) changes.emit('playing', running.size);
  };

  return {
    attach(avatar) {
      ns = avatar;
      avatar.on('connection', (socket) => {
        socket.on('audio_state', (msg: unknown) => {
          const state = (msg as { state?: unknown } | null)?.state;
          track(socket.id, state === 'running');
        });
        socket.on('playback_end', (msg: unknown) => {
          const id = (msg as { id?: unknown } | null)?.id;
          // Only the oldest playing overlay is listened to: a second page (another PC, a test
          // tab, a fake) can neither end a reply early nor make Pickle wait on it.
          if (typeof id === 'string' && id.length > 0 && id.length <= 100 && oldest() === socket.id) ended.emit('ended', id);
        });
        socket.on('disconnect', () => track(socket.id, false));
      });
    },
    playing: () => running.size,
    onPlayingChange(cb) {
      changes.on('playing', cb);
      return () => changes.off('playing', cb);
    },
    start(id, sampleRate) {
      ns?.emit('stream_start', { sample_rate: sampleRate, id });
    },
    audio(pcm) {
      ns?.emit('stream_audio', { audio: pcm.toString('base64') });
    },
    end() {
      ns?.emit('stream_end', {});
    },
    stop() {
      ns?.emit('stream_stop', {});
    },
    reporters: () => Math.min(1, running.size), // only the oldest reports
    onEnded(id, cb) {
      const l = (got: string) => {
        if (got === id) cb();
      };
      ended.on('ended', l);
      return () => ended.off('ended', l);
    },
  };
}
