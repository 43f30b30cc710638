import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../../src/config/env.ts';

describe('CHROME_ARGS', () => {
  it('is a shell-like list of switches', () => {
    expect(parseEnv({}).CHROME_ARGS).toEqual([]);
    expect(parseEnv({ CHROME_ARGS: '--use-fake-device-for-media-stream  --use-file-for-fake-audio-capture="/tmp/my voice.wav"' }).CHROME_ARGS).toEqual([
      '--use-fake-device-for-media-stream',
      '--use-file-for-fake-audio-capture=/tmp/my voice.wav',
    ]);
    expect(parseEnv({ CHROME_ARGS: "--lang=en '--window-size=800,600'" }).CHROME_ARGS).toEqual(['--lang=en', '--window-size=800,600']);
  });

  it.each(['--a "unclosed', '--a | rm -rf /', '--a; --b', 'not-a-switch', '--a > out.txt'])('"%s" is one clear line naming CHROME_ARGS', (v) => {
    expect(() => parseEnv({ CHROME_ARGS: v })).toThrow(ConfigError);
    expect(() => parseEnv({ CHROME_ARGS: v })).toThrow(/^CHROME_ARGS: expected browser switches like --use-fake-device-for-media-stream/);
  });

  it('AUDIO_INPUT and AUDIO_OUTPUT take their known values only', () => {
    expect(parseEnv({}).AUDIO_INPUT).toBe('browser');
    expect(parseEnv({ AUDIO_OUTPUT: 'LOCAL' }).AUDIO_OUTPUT).toBe('local');
    expect(() => parseEnv({ AUDIO_INPUT: 'portaudio' })).toThrow(/^AUDIO_INPUT: expected browser or naudiodon/);
  });
});
