/** What Pickle and its camera page (src/vision/page/capture.js) say to each other. */

export interface PageConfig {
  backend: 'ollama' | 'overshoot';
  /** Part of the camera's name (case-insensitive); null = the first camera. */
  camera: string | null;
  /** Sampling period. */
  intervalMs: number;
  /** Camera page retries opening the camera (or the SDK) this often while it fails. */
  retryMs: number;
  /** Width asked of the camera (Chrome scales), and the frame rate cap. */
  captureWidth: number;
  frameRate: number;
  /** Change detection on a thumbnail this wide: a frame is new when the mean difference (0-255) reaches
   *  `meanThreshold`, or when `changedShare` of the thumbnail's cells differ by more than `cellThreshold`. */
  thumbWidth: number;
  meanThreshold: number;
  cellThreshold: number;
  changedShare: number;
  /** JPEG sent to the model. */
  maxWidth: number;
  jpegQuality: number;
  overshoot?: { sdkUrl: string; apiUrl: string; apiKey: string; prompt: string; model?: string };
}

export interface PageReport {
  state: 'up' | 'down' | 'error';
  /** The browser's error name (NotAllowedError, NotFoundError, CameraNotFound, SdkLoadFailed…). */
  reason?: string;
  message?: string;
  label?: string;
  width?: number;
  height?: number;
  frameRate?: number;
  cameras?: string[];
}

export interface FrameInfo {
  width?: number;
  height?: number;
  /** Mean difference to the last accepted frame (null for the first one). */
  diff?: number | null;
  changed?: number | null;
}

/** A fault a streamer can act on. */
export interface VisionFault {
  detail: string;
  fix?: string;
}
