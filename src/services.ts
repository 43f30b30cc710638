import type { Env } from './config/env.ts';
import type { StatusBoard } from './status.ts';

/**
 * Services that are not part of this version yet, or lack what they need, are reported
 * as disabled with the exact step that enables them (console, /health, panel).
 */
export function reportDisabledServices(env: Env, status: StatusBoard): void {
  // tts: reported by src/tts (startVoice), which knows about the key, espeak-ng and Deepgram's answers.
  // stt: reported by src/stt (startEars), which knows about the key, the audio input and Deepgram.
  if (!env.VISION_ENABLED) {
    status.set('vision', 'disabled', 'VISION_ENABLED=false: Pickle does not look at the camera', {
      fix: 'set VISION_ENABLED=true in .env (needs Chrome, Chromium or Edge, and `ollama pull moondream` or OVERSHOOT_API_KEY)',
      configured: false,
    });
  } else {
    // src/vision reports from here on: browser, camera, vision model.
    status.set('vision', 'starting', 'looking for a browser…');
  }
  // memory: src/memory reports its own state (disabled, starting, up, degraded: embedder fallback / Chroma away).
}
