import type { Env } from './config/env.ts';
import type { StatusBoard } from './status.ts';

/**
 * Services that are not part of this version yet, or lack what they need, are reported
 * as disabled with the exact step that enables them (console, /health, panel).
 */
export function reportDisabledServices(env: Env, status: StatusBoard): void {
  if (env.DEEPGRAM_API_KEY) {
    status.set('tts', 'disabled', 'voice output is not part of this version yet: replies are shown as captions', {
      fix: 'nothing to do: captions work without a voice',
    });
  } else {
    status.set('tts', 'disabled', 'no DEEPGRAM_API_KEY: replies are shown as captions only', {
      fix: 'set DEEPGRAM_API_KEY in .env (https://console.deepgram.com) to give Pickle a voice',
    });
  }
  if (!env.STT_ENABLED) {
    status.set('stt', 'disabled', 'STT_ENABLED=false: Pickle does not listen to your microphone', { fix: 'set STT_ENABLED=true in .env' });
  } else if (!env.DEEPGRAM_API_KEY) {
    status.set('stt', 'disabled', 'no DEEPGRAM_API_KEY: Pickle cannot hear you', {
      fix: 'set DEEPGRAM_API_KEY in .env (https://console.deepgram.com)',
    });
  } else {
    status.set('stt', 'disabled', 'listening to the microphone is not part of this version yet', { fix: 'talk to Pickle through chat for now' });
  }
  if (!env.VISION_ENABLED) {
    status.set('vision', 'disabled', 'VISION_ENABLED=false: Pickle does not look at the camera', {
      fix: 'set VISION_ENABLED=true in .env (and OLLAMA_VISION_MODEL, e.g. moondream)',
    });
  } else {
    status.set('vision', 'disabled', 'camera vision is not part of this version yet', { fix: 'nothing to do yet' });
  }
  status.set('memory', 'degraded', 'short-term memory only (last 15 lines); long-term memory is not part of this version yet', {
    fix: 'nothing to do: Pickle remembers the current conversation',
  });
}
