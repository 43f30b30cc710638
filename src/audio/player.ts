/**
 * Playback of one reply, as an XState callback actor under the voice machine: it takes the
 * `play.*` commands (already in order), sends the audio to the outputs (overlay over
 * socket.io, optionally a local device), and keeps the clock the machine needs.
 *
 * The clock is a model of the overlay's Web Audio schedule: a chunk plays right after the
 * previous one, or `startLeadMs` after it arrives when nothing is playing (stream start,
 * underrun). From it come when each sentence will be heard (`playback.scheduled`: the voice
 * machine waits that long, then shows its caption) and the end
 * of playback (`playback.drained`): reported by an overlay that plays audio (`playback_end`),
 * or computed from sample counts when none does (no overlay, a muted preview, tests).
 *
 * Audio is paced: a chunk goes out at most `leadMs` before it is due, so a cut (`!skip`,
 * barge-in: the actor is stopped) leaves little in flight, and the overlay is told to flush
 * (`stream_stop`) at once. Sentences without audio are timed silences; once a stream is open
 * they are sent as zeros, so the overlay's schedule and this clock stay in step.
 */
import { VOICE_SAMPLE_RATE, type PlayCommand, type PlaybackEvent } from '../../machines/events.ts';
import { pcmMs, type PlaybackInput } from '../../machines/voice.ts';
import { service, type PlaybackService } from '../../machines/services.ts';
import { wallClock } from '../clock.ts';

export interface AudioSink {
  /** A new stream (one per reply that has audio). */
  start(streamId: string, sampleRate: number): void;
  /** The next piece of the stream's audio (PCM16 LE mono at the stream's rate). */
  audio(pcm: Buffer): void;
  /** No more audio in this stream. */
  end(): void;
  /** Stop playing at once and drop what is buffered. */
  stop(): void;
  /** How many outputs will report the end of playback through `onEnded`. */
  reporters(): number;
  /** Calls `cb` once an output reports stream `streamId` played to the end; returns an unsubscribe. */
  onEnded(streamId: string, cb: () => void): () => void;
}

export interface PlaybackOptions {
  sink: AudioSink;
  /** Audio is sent at most this long before it is due. Default 250 ms. */
  leadMs?: number;
  /** The overlay starts a stream (or resumes after an underrun) this long after the chunk arrives. Default 30 ms; overlay/audio.js uses the same. */
  startLeadMs?: number;
  /** With reporting outputs: how long past the computed end their report is awaited. Default 1 500 ms. */
  reportGraceMs?: number;
  /** Silence is sent as zeros in pieces of this length. Default 100 ms. */
  silenceChunkMs?: number;
  now?: () => number;
}

interface Item {
  index: number;
  /** undefined: a timed silence before any audio (nothing is sent). */
  pcm: Buffer | undefined;
  startAt: number;
}

export function createPlayback(opts: PlaybackOptions): PlaybackService {
  const { sink, leadMs = 250, startLeadMs = 30, reportGraceMs = 1500, silenceChunkMs = 100 } = opts;
  const now = opts.now ?? (() => performance.now());

  return service<PlaybackInput, PlaybackEvent, PlayCommand>(({ input, sendBack, receive }) => {
    const { replyId } = input;
    const queue: Item[] = [];
    const timers = new Set<NodeJS.Timeout>();
    /** Clock time at which the next sample would play (0: nothing scheduled yet). */
    let cursor = 0;
    let hasAudio = false;
    let sentAudio = false;
    let lastIndex = -1;
    let finished = false;
    let endHandled = false;
    let drained = false;
    let stopped = false;
    let startEmitted = false;
    let pumpTimer: NodeJS.Timeout | undefined;
    let unsubscribe: (() => void) | undefined;

    // Socket writes wait for the end of the current synchronous turn, so that the state events
    // the same chunk causes (the first voice.sentenceStarted → `speaking: true`) reach the overlay first.
    const outbox: Array<() => void> = [];
    let flushQueued = false;
    const out = (fn: () => void) => {
      outbox.push(fn);
      if (flushQueued) return;
      flushQueued = true;
      queueMicrotask(() => {
        flushQueued = false;
        const fns = outbox.splice(0);
        if (!stopped) for (const f of fns) f();
      });
    };

    const later = (fn: () => void, ms: number) => {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!stopped) fn();
      }, Math.max(0, ms));
      timers.add(t);
    };

    const send = (e: PlaybackEvent) => {
      if (!stopped) sendBack(e);
    };

    function schedule(index: number, ms: number, pcm: Buffer | undefined): void {
      const t = now();
      const startAt = cursor > t ? cursor : pcm ? t + startLeadMs : t;
      cursor = startAt + ms;
      queue.push({ index, pcm, startAt });
    }

    function drain(): void {
      const endIn = Math.max(0, cursor - now());
      const done = () => {
        if (drained) return;
        drained = true;
        unsubscribe?.();
        send({ type: 'playback.drained', replyId });
      };
      if (sentAudio && sink.reporters() > 0) {
        unsubscribe = sink.onEnded(replyId, done);
        later(done, endIn + reportGraceMs);
      } else {
        later(done, endIn);
      }
    }

    function pump(): void {
      if (pumpTimer) clearTimeout(pumpTimer);
      pumpTimer = undefined;
      const t = now();
      while (queue.length > 0) {
        const item = queue[0]!;
        // The first chunk of a stream goes when it is due (the overlay starts it on arrival);
        // the rest may run ahead of the playhead by `leadMs`.
        const sendAt = item.startAt - (sentAudio ? leadMs : startLeadMs);
        if (sendAt > t + 1) {
          pumpTimer = setTimeout(() => {
            pumpTimer = undefined;
            if (!stopped) pump();
          }, sendAt - t);
          return;
        }
        queue.shift();
        if (item.index !== lastIndex) {
          lastIndex = item.index;
          // When it is heard, by this clock; the voice machine shows its caption then.
          const inMs = Math.max(0, Math.round(item.startAt - startLeadMs - t));
          send({ type: 'playback.scheduled', replyId, index: item.index, inMs, ts: wallClock() + inMs });
        }
        if (item.pcm) {
          const { pcm } = item;
          if (!sentAudio) {
            sentAudio = true;
            out(() => {
              startEmitted = true;
              sink.start(replyId, VOICE_SAMPLE_RATE);
            });
          }
          out(() => sink.audio(pcm));
        }
      }
      if (finished && !endHandled) {
        endHandled = true;
        if (sentAudio) out(() => sink.end());
        drain();
      }
    }

    receive((cmd) => {
      if (stopped) return;
      if (cmd.type === 'play.audio') {
        if (cmd.pcm.byteLength === 0) return;
        const pcm = Buffer.from(cmd.pcm.buffer, cmd.pcm.byteOffset, cmd.pcm.byteLength);
        hasAudio = true;
        schedule(cmd.index, pcmMs(pcm.length), pcm);
      } else if (cmd.type === 'play.silence') {
        if (hasAudio) {
          // Zeros keep the overlay's schedule where this clock is.
          const bytesPerPiece = Math.round((silenceChunkMs / 1000) * VOICE_SAMPLE_RATE) * 2;
          let left = Math.round((cmd.ms / 1000) * VOICE_SAMPLE_RATE) * 2;
          while (left > 0) {
            const n = Math.min(left, bytesPerPiece);
            schedule(cmd.index, pcmMs(n), Buffer.alloc(n));
            left -= n;
          }
        } else {
          schedule(cmd.index, cmd.ms, undefined);
        }
      } else if (cmd.type === 'play.finish') {
        finished = true;
      }
      pump();
    });

    return () => {
      if (stopped) return;
      stopped = true;
      if (pumpTimer) clearTimeout(pumpTimer);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      unsubscribe?.();
      outbox.length = 0;
      // Cut while the overlay may still be playing: flush it now.
      if (startEmitted && !drained) sink.stop();
    };
  });
}

/** Several outputs as one: the end counts when the first reporting output says so. */
export function combineSinks(sinks: AudioSink[]): AudioSink {
  return {
    start: (id, rate) => sinks.forEach((s) => s.start(id, rate)),
    audio: (pcm) => sinks.forEach((s) => s.audio(pcm)),
    end: () => sinks.forEach((s) => s.end()),
    stop: () => sinks.forEach((s) => s.stop()),
    reporters: () => sinks.reduce((n, s) => n + s.reporters(), 0),
    onEnded(id, cb) {
      let fired = false;
      const once = () => {
        if (fired) return;
        fired = true;
        cb();
      };
      const offs = sinks.map((s) => s.onEnded(id, once));
      return () => offs.forEach((off) => off());
    },
  };
}
