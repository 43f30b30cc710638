import { describe, expect, it } from 'vitest';
import { openLocalOutput } from '../../src/audio/localDevice.ts';
import { silentLogger } from '../../src/log.ts';
import { StatusBoard } from '../../src/status.ts';

const naudiodonInstalled = await import('naudiodon' as string).then(
  () => true,
  () => false,
);

describe.skipIf(naudiodonInstalled)('local sound device without naudiodon (not a dependency)', () => {
  it('AUDIO_OUTPUT_DEVICE set: no output, no crash, and the status says how to enable it', async () => {
    const status = new StatusBoard();
    const sink = await openLocalOutput('Speakers', { status, log: silentLogger(), sampleRate: 24000 });
    expect(sink).toBeUndefined();
    expect(status.get('audio')).toMatchObject({ state: 'disabled' });
    expect(status.get('audio')!.detail).toMatch(/naudiodon is not installed.*overlay/);
    expect(status.get('audio')!.fix).toMatch(/npm install naudiodon/);
  });
});
