/**
 * A fake camera for Chromium: writes YUV4MPEG2 (.y4m) files that Chromium plays as its
 * camera with `--use-fake-device-for-media-stream --use-file-for-fake-video-capture=FILE`.
 * Chromium loops the file at the frame rate of its header, so a file whose frames change
 * is a scene that changes over time, and a one-frame file is a perfectly static scene.
 *
 * Format: a header line `YUV4MPEG2 W<w> H<h> F<num>:<den> Ip A1:1 C420jpeg`, then per frame
 * `FRAME\n` and the I420 planes (Y full size, then U and V at half width and height).
 */
import { openSync, writeSync, closeSync } from 'node:fs';

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

export const RED: Rgb = { r: 255, g: 0, b: 0 };
export const GREEN: Rgb = { r: 0, g: 255, b: 0 };
export const BLUE: Rgb = { r: 0, g: 0, b: 255 };

/** BT.601 "studio swing" (what Chromium assumes for I420 camera frames). */
export function rgbToYuv({ r, g, b }: Rgb): { y: number; u: number; v: number } {
  const R = r / 255;
  const G = g / 255;
  const B = b / 255;
  const clamp = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
  return {
    y: clamp(16 + 65.481 * R + 128.553 * G + 24.966 * B),
    u: clamp(128 - 37.797 * R - 74.203 * G + 112.0 * B),
    v: clamp(128 + 112.0 * R - 93.786 * G - 18.214 * B),
  };
}

/** Paints one frame: `pixel(x, y)` gives the colour of each pixel (chroma is sampled at even pixels). */
export type FramePainter = (x: number, y: number) => Rgb;

export interface Y4mOptions {
  width: number;
  height: number;
  /** Frames per second of playback (Chromium honours it). */
  fps: number;
  /** One painter per frame, or a uniform colour per frame. */
  frames: Array<Rgb | FramePainter>;
}

/** Writes the file frame by frame (a few hundred frames of VGA are tens of MB: never held whole in memory). */
export function writeY4m(path: string, opts: Y4mOptions): void {
  const { width: w, height: h } = opts;
  if (w % 2 !== 0 || h % 2 !== 0) throw new Error('y4m: width and height must be even for 4:2:0');
  const cw = w / 2;
  const ch = h / 2;
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `YUV4MPEG2 W${w} H${h} F${Math.round(opts.fps * 1000)}:1000 Ip A1:1 C420jpeg\n`);
    const frame = Buffer.alloc(w * h + 2 * cw * ch);
    for (const spec of opts.frames) {
      if (typeof spec === 'function') {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const yuv = rgbToYuv(spec(x, y));
            frame[y * w + x] = yuv.y;
            if (x % 2 === 0 && y % 2 === 0) {
              const ci = (y / 2) * cw + x / 2;
              frame[w * h + ci] = yuv.u;
              frame[w * h + cw * ch + ci] = yuv.v;
            }
          }
        }
      } else {
        const yuv = rgbToYuv(spec);
        frame.fill(yuv.y, 0, w * h);
        frame.fill(yuv.u, w * h, w * h + cw * ch);
        frame.fill(yuv.v, w * h + cw * ch);
      }
      writeSync(fd, 'FRAME\n');
      writeSync(fd, frame);
    }
  } finally {
    closeSync(fd);
  }
}

/** Colour distance (max channel difference), for "is this pixel red?" checks. */
export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.max(Math.abs(a.r - b.r), Math.abs(a.g - b.g), Math.abs(a.b - b.b));
}
