import { io, type Socket } from 'socket.io-client';

/**
 * An overlay page that plays Pickle's voice, on the socket.io protocol overlay/audio.js speaks
 * (`/avatar`): it says it can play, plays each stream for as long as its samples last (from the
 * first chunk), then reports `playback_end {id}`. A `stream_stop` flushes it. It records when each
 * stream ended and when each caption arrived, on this process's clock.
 */
export interface OverlayPlayer {
  socket: Socket;
  /** Stream (reply) id → performance.now() when `playback_end` was sent. */
  ends: Map<string, number>;
  captions: Array<{ text: string; t: number }>;
  close(): void;
}

export function startOverlayPlayer(pickleUrl: string): OverlayPlayer {
  const socket = io(`${pickleUrl}/avatar`, { transports: ['websocket'] });
  const ends = new Map<string, number>();
  const captions: Array<{ text: string; t: number }> = [];
  const timers = new Set<NodeJS.Timeout>();
  let stream: { id: string; rate: number; startAt: number; samples: number } | undefined;
  socket.on('connect', () => socket.emit('audio_state', { state: 'running' }));
  socket.on('stream_start', (m: { id: string; sample_rate: number }) => {
    stream = { id: m.id, rate: m.sample_rate, startAt: 0, samples: 0 };
  });
  socket.on('stream_audio', (m: { audio: string }) => {
    if (!stream) return;
    if (stream.startAt === 0) stream.startAt = performance.now();
    stream.samples += Buffer.from(m.audio, 'base64').length / 2;
  });
  socket.on('stream_end', () => {
    const s = stream;
    if (!s) return;
    const playedAt = (s.startAt || performance.now()) + (s.samples / s.rate) * 1000;
    const timer = setTimeout(() => {
      timers.delete(timer);
      ends.set(s.id, performance.now());
      socket.emit('playback_end', { id: s.id });
    }, Math.max(0, playedAt - performance.now()));
    timers.add(timer);
  });
  socket.on('stream_stop', () => (stream = undefined));
  socket.on('caption', (c: { text: string }) => {
    if (c.text) captions.push({ text: c.text, t: performance.now() });
  });
  return {
    socket,
    ends,
    captions,
    close() {
      for (const t of timers) clearTimeout(t);
      socket.close();
    },
  };
}
