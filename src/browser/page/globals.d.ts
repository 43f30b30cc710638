/**
 * What the hidden browser's sound pages (mic.js, speaker.js) find on `window`: the functions
 * Pickle exposes to them (puppeteer exposeFunction; each returns a Promise in the page), plus
 * overlay/globals.d.ts for `io` and `PickleAudio`.
 */
import type { MicReport } from '../../audio/browserMic.ts';

declare global {
  /** Chromium 110+: an AudioContext that renders without any output device (the mic page plays nothing). */
  interface AudioContextOptions {
    sinkId?: string | { type: 'none' };
  }
  /** What pickleMicConfig() answers (src/audio/browserMic.ts and src/browser/listDevices.ts build it). */
  interface MicPageConfig {
    /** Part of the microphone's name (case-insensitive); null = the default one. */
    device: string | null;
    chunkMs: number;
    retryMs: number;
    /** Only list the sound devices, then stop. */
    listOnly: boolean;
    /** Binary frames on Pickle's socket instead of base64 through pickleMicAudio. */
    socket?: { namespace: string; key: string };
  }
  /** What pickleSpeakerConfig() answers (src/audio/localSpeaker.ts). */
  interface SpeakerPageConfig {
    device: string | null;
    /** What the page joins `/avatar` with (its own key, never the access token). */
    key: string;
  }
  /** A speaker report: the microphone's shape (src/audio/localSpeaker.ts reads it as one). */
  type SoundReport = MicReport;

  interface Window {
    pickleMicConfig?: () => Promise<MicPageConfig>;
    pickleMicStatus: (report: SoundReport) => Promise<void>;
    pickleMicAudio: (base64: string) => Promise<void>;
    /** For tests: what the microphone page has done so far. */
    __pickleMicStats?: () => MicPageStats;
    pickleSpeakerConfig?: () => Promise<SpeakerPageConfig>;
    pickleSpeakerStatus: (report: SoundReport) => Promise<void>;
  }
  interface MicPageStats {
    chunks: number;
    bytes: number;
    opened: number;
    gumStartedAt: number | null;
    firstChunkAt: number | null;
  }
}
