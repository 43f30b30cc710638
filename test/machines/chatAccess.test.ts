import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { chatAccessMachine, type ChatAccessEmitted, type ChatAccessInput } from '../../machines/chatAccess.ts';

function run(input: ChatAccessInput) {
  const actor = createActor(chatAccessMachine, { input });
  const out: ChatAccessEmitted[] = [];
  actor.on('access.readOnly', (e) => out.push(e));
  actor.start();
  return { actor, out, state: () => actor.getSnapshot().value };
}

describe('chat access: the bot, or an anonymous reader', () => {
  it('without credentials reads anonymously from the start, and a refusal changes nothing', () => {
    const a = run({ credentials: false, readAnonymouslyWhenRefused: false });
    expect(a.state()).toBe('anonymous');
    expect(a.actor.getSnapshot().context.because).toBe('no-credentials');
    a.actor.send({ type: 'access.refused' });
    expect(a.state()).toBe('anonymous');
    expect(a.out).toEqual([]);
  });

  it('a refused bot stays down unless the streamer chose to read on', () => {
    const strict = run({ credentials: true, readAnonymouslyWhenRefused: false });
    expect(strict.state()).toBe('bot');
    strict.actor.send({ type: 'access.refused' });
    expect(strict.state()).toBe('refused');
    expect(strict.out).toEqual([]);

    const lenient = run({ credentials: true, readAnonymouslyWhenRefused: true });
    lenient.actor.send({ type: 'access.refused' });
    expect(lenient.state()).toBe('anonymous');
    expect(lenient.actor.getSnapshot().context.because).toBe('refused');
    expect(lenient.out).toEqual([{ type: 'access.readOnly', because: 'refused' }]);
    // Once reading anonymously there is nothing left to refuse.
    lenient.actor.send({ type: 'access.refused' });
    expect(lenient.out).toHaveLength(1);
  });
});
