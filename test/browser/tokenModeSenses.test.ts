import { io as connect } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { MIC_NAMESPACE } from '../../src/audio/micChannel.ts';
import { findBrowser } from '../../src/vision/chrome.ts';
import { startRig, type Rig } from '../integration/harness.ts';
import { startDeepgramLiveStandin, type DeepgramLiveStandin } from '../standins/deepgramLive.ts';
import { hasEspeak, speechWav } from '../stt/audioFixtures.ts';

/**
 * Token mode (HOST=0.0.0.0) with every sense working: Pickle's hidden browser holds no access
 * token and gets no pass for being on this PC; its microphone and voice pages show keys of their
 * own, so hearing and the local voice work as they do on 127.0.0.1, and a socket without those
 * keys is refused.
 */

const chrome = findBrowser({ platform: process.platform, env: process.env, chromePath: process.env.CHROME_PATH });

let rig: Rig | undefined;
let dg: DeepgramLiveStandin | undefined;
afterEach(async () => {
  await rig?.stop();
  await dg?.close();
  rig = dg = undefined;
});

/** The handshake's answer on a namespace: connected, or the server's refusal. */
function handshake(url: string, namespace: string, auth: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(`${url}${namespace}`, { transports: ['websocket'], auth, reconnection: false, timeout: 5000 });
    s.on('connect', () => {
      s.close();
      resolve('connected');
    });
    s.on('connect_error', (err) => {
      s.close();
      resolve(err.message);
    });
  });
}

describe.runIf(chrome && hasEspeak)('token mode: the hidden browser hears and speaks with keys of its own (real Chromium)', { timeout: 90_000 }, () => {
  it('HOST=0.0.0.0 and the fake microphone: speech reaches Deepgram and Pickle answers it, stt up', async () => {
    const wav = await speechWav("Pickle, what's up? I am talking in token mode.", 'token-mic.wav');
    dg = await startDeepgramLiveStandin({ script: [{ at: { audioMs: 1500 }, do: { type: 'Results', transcript: "Pickle, what's up?", is_final: true, speech_final: true } }] });
    rig = await startRig({
      twitch: false,
      env: {
        HOST: '0.0.0.0',
        DEEPGRAM_API_KEY: dg.key,
        DEEPGRAM_URL: dg.url,
        AUDIO_INPUT: 'browser',
        CHROME_PATH: chrome!.path,
        CHROME_ARGS: `--use-fake-device-for-media-stream --use-file-for-fake-audio-capture="${wav}"`,
      },
      tuning: { stt: { keepAliveMs: 1000, closeTimeoutMs: 1000 } },
    });
    expect(rig.pickle.accessToken).toBeTruthy();
    const reply = rig.ollama.nextStream();
    const conn = await rig.waitFor(() => dg!.connections[0], 20_000, 'a Deepgram connection');
    await rig.waitFor(() => conn.audioMs() >= 2000, 30_000, 'two seconds of microphone audio');
    const a = conn.analysis();
    expect(a.plausiblePcm16).toBe(true);
    expect(a.rms).toBeGreaterThan(300);
    const said = JSON.parse((await reply).content).text as string;
    await rig.waitFor(() => rig!.captions().includes(said), 10_000, 'the reply caption');
    expect(rig.pickle.status.get('stt')).toMatchObject({ state: 'up' });
    // Without the session's key the microphone's namespace refuses, the access token included.
    expect(await handshake(rig.pickle.url, MIC_NAMESPACE)).toBe('unauthorized');
    expect(await handshake(rig.pickle.url, MIC_NAMESPACE, { key: 'guessed-key' })).toBe('unauthorized');
  });

  it('HOST=0.0.0.0 and AUDIO_OUTPUT=local: the voice page joins /avatar with its own key and plays; a socket without a key is refused', async () => {
    rig = await startRig({
      twitch: false,
      env: { HOST: '0.0.0.0', AUDIO_OUTPUT: 'local', CHROME_PATH: chrome!.path, CHROME_ARGS: '--use-fake-device-for-media-stream' },
    });
    await rig.waitFor(() => rig!.pickle.status.get('audio')?.state === 'up', 20_000, 'the speaker page up');
    await rig.waitFor(() => rig!.pickle.voice.overlay.playing() === 1, 10_000, 'the speaker page playing');
    expect(await handshake(rig.pickle.url, '/avatar')).toBe('unauthorized');
    expect(await handshake(rig.pickle.url, '/avatar', { key: 'guessed-key' })).toBe('unauthorized');
  });
});
