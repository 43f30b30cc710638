import { describe, expect, it } from 'vitest';
import { fileSource } from '../../src/audio/inputs.ts';
import { silentLogger } from '../../src/log.ts';
import { StatusBoard } from '../../src/status.ts';
import { createDeepgramLive, type SttInputEvent } from '../../src/stt/deepgram.ts';
import { hasEspeak, speechWav, waitFor } from './audioFixtures.ts';

/** Against the real Deepgram: runs only with DEEPGRAM_API_KEY set (and espeak-ng installed). */
const key = process.env.DEEPGRAM_API_KEY;

describe.runIf(Boolean(key) && hasEspeak)('live: the real Deepgram transcribes the espeak-ng WAV', () => {
  it('hears the key words of "Pickle, what is the weather like in Paris today?"', async () => {
    const wav = await speechWav('Pickle, what is the weather like in Paris today?', 'live.wav');
    const events: SttInputEvent[] = [];
    const status = new StatusBoard();
    const live = createDeepgramLive({
      key: key!,
      ...(process.env.DEEPGRAM_URL ? { url: process.env.DEEPGRAM_URL } : {}),
      log: silentLogger(),
      status,
      onEvent: (e) => events.push(e),
    });
    const source = fileSource(wav);
    await source.start((c) => live.sendAudio(c), () => live.finalize());
    live.start();
    try {
      const finals = () => events.filter((e) => e.type === 'stt.words' && e.final).map((e) => (e as { text: string }).text).join(' ');
      await waitFor(() => /paris/i.test(finals()) && /weather/i.test(finals()), 20_000, 'the transcript');
      expect(status.get('stt')?.state).toBe('up');
      const text = finals().toLowerCase();
      for (const word of ['weather', 'paris', 'today']) expect(text).toContain(word);
    } finally {
      await source.stop();
      await live.stop();
    }
  }, 30_000);
});
