// What Pickle's own pages put on `window` for the server to read through puppeteer's evaluate().
declare global {
  interface Window {
    /** The camera page's counters (src/vision/page/capture.js). */
    __pickleStats?: () => Record<string, unknown>;
  }
}

export {};
