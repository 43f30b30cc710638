/**
 * What the camera page (capture.js) finds on `window`: the functions Pickle exposes to it
 * (puppeteer exposeFunction; each returns a Promise in the page), typed as src/vision/browser.ts
 * implements them.
 */
import type { FrameInfo, PageConfig, PageReport } from '../types.ts';

declare global {
  interface Window {
    pickleConfig?: () => Promise<PageConfig>;
    pickleStatus: (report: PageReport) => Promise<void>;
    pickleFrame: (base64: string, info: FrameInfo) => Promise<{ accepted: boolean }>;
    pickleScene: (text: string) => Promise<void>;
    /** For tests: what the camera page has done so far. */
    __pickleStats?: () => CameraPageStats;
  }
  interface CameraPageStats {
    captured: number;
    skipped: number;
    sent: number;
    refused: number;
    errors: number;
    lastDiff: number | null;
    lastChanged: number | null;
    opened: number;
  }
  interface MediaDevices {
    /** The browser's own getUserMedia, kept while the Overshoot SDK is pointed at the chosen camera. */
    __pickleOriginalGetUserMedia?: MediaDevices['getUserMedia'];
  }
}
