/**
 * Pickle end to end against an Ollama as slow and as odd as a real one: a cold load of seconds,
 * real token rates, a reasoning model's `<think>` section, and a turn of endless whitespace.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNEL, REALISTIC_OLLAMA, startRig, type Rig } from './harness.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

describe('a realistic Ollama', () => {
  it('answers a mention after a cold load; the thoughts never reach the captions', async () => {
    rig = await startRig({ ollama: { ...REALISTIC_OLLAMA, think: 'They greet me. SECRET-THOUGHT. I answer kindly.' } });
    rig.ollama.responder = () => ({ emotion: 'happy', text: 'Hello Sam, good to see you!' });
    rig.irc!.say(CHANNEL, { user: 'sam', displayName: 'Sam', text: 'hey @Pickle hello' });
    await rig.waitFor(() => rig!.captions().some((c) => c.includes('good to see you')), 30_000, 'the answer');
    expect(rig.captions().join(' ')).not.toContain('SECRET-THOUGHT');
    expect(rig.ollama.streams.at(-1)?.content).toContain('SECRET-THOUGHT');
  });

  it('a reply lost to endless whitespace is cut off, and the next mention is answered', async () => {
    rig = await startRig({ ollama: { endlessWhitespace: true } });
    rig.ollama.responder = ({ messages }) => ({ emotion: 'happy', text: /second/.test(messages.at(-1)?.content ?? '') ? 'Second one works.' : 'First one.' });
    rig.irc!.say(CHANNEL, { user: 'sam', text: '@Pickle first question' });
    const first = await rig.ollama.nextStream();
    expect(first.outcome).toBe('client-closed');
    rig.ollama.endlessWhitespace = false;
    rig.irc!.say(CHANNEL, { user: 'kim', text: '@Pickle second question' });
    await rig.waitFor(() => rig!.captions().includes('Second one works.'), 30_000, 'the second answer');
  });
});
