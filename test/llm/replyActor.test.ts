/**
 * The reply actor invoked by a machine, with the real adapter and client against the stand-in:
 * events come back in order, and stopping the actor (leaving the state) aborts the request.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActor, setup } from 'xstate';
import type { LlmEvent, PromptMessage } from '../../machines/events.ts';
import { createOllamaLlm } from '../../src/llm/ollama.ts';
import { createReplyActor } from '../../src/llm/replyActor.ts';
import { silentLogger } from '../../src/log.ts';
import { StatusBoard } from '../../src/status.ts';
import { startOllamaStandin, type OllamaStandin } from '../standins/ollama.ts';

const PROMPT: PromptMessage[] = [{ role: 'user', content: 'viewer: hi pickle!' }];

let standin: OllamaStandin;
beforeEach(async () => {
  standin = await startOllamaStandin();
});
afterEach(async () => {
  await standin.close();
});

/** A minimal "brain": thinking invokes the reply actor, `cancel` (like !skip) leaves thinking. */
function runBrain(host: string, opts: { firstTokenTimeoutMs?: number } = {}) {
  const received: LlmEvent[] = [];
  /** Every llm.* event delivered to the machine, whatever its state (seen through inspection). */
  const delivered: LlmEvent[] = [];
  const llm = createOllamaLlm({
    host,
    model: 'phi3.5:latest',
    log: silentLogger(),
    status: new StatusBoard(),
    ...opts,
  });
  const machine = setup({
    types: { events: {} as LlmEvent | { type: 'cancel' } },
    actors: { reply: createReplyActor(llm) },
    actions: { record: ({ event }) => void received.push(event as LlmEvent) },
  }).createMachine({
    initial: 'thinking',
    states: {
      thinking: {
        invoke: { src: 'reply', input: { replyId: 'r1', messages: PROMPT } },
        on: {
          'llm.emotion': { actions: { type: 'record' } },
          'llm.sentence': { actions: { type: 'record' } },
          'llm.done': { target: 'done', actions: { type: 'record' } },
          'llm.error': { target: 'failed', actions: { type: 'record' } },
          cancel: 'cancelled',
        },
      },
      done: {},
      failed: {},
      cancelled: {},
    },
  });
  const actor = createActor(machine, {
    inspect: (ev) => {
      if (ev.type === '@xstate.event' && ev.actorRef === actor && ev.event.type.startsWith('llm.'))
        delivered.push(ev.event as LlmEvent);
    },
  });
  actor.start();
  const settled = (state: string) =>
    new Promise<void>((resolve) => {
      const check = () => actor.getSnapshot().value === state && resolve();
      actor.subscribe(check);
      check();
    });
  return { actor, received, delivered, settled };
}

describe('reply actor', () => {
  it('sends llm.emotion, llm.sentence… then llm.done', async () => {
    standin.responder = () => ({ emotion: 'happy', text: 'Hey there! Welcome in.' });
    const { received, settled } = runBrain(standin.url);
    await settled('done');
    expect(received.map((e) => e.type)).toEqual(['llm.emotion', 'llm.sentence', 'llm.sentence', 'llm.done']);
    expect(received[0]).toEqual({ type: 'llm.emotion', emotion: 'happy' });
    expect(received[1]).toEqual({ type: 'llm.sentence', text: 'Hey there!', ts: expect.any(Number) });
    expect(received[3]).toMatchObject({ type: 'llm.done', text: 'Hey there! Welcome in.', emotion: 'happy' });
    expect(typeof (received[3] as { ts: number }).ts).toBe('number');
  });

  it('sends llm.error with the failure kind', async () => {
    standin.models = [];
    const { received, settled } = runBrain(standin.url);
    await settled('failed');
    expect(received).toEqual([
      {
        type: 'llm.error',
        error: { kind: 'model-missing', message: expect.stringContaining('ollama pull phi3.5:latest'), retryable: false },
      },
    ]);
  });

  it('stopping the actor aborts the HTTP request and nothing is sent afterwards', async () => {
    standin.responder = () => ({ emotion: 'happy', text: 'One. Two. Three. Four. Five. Six.' });
    standin.tokenDelayMs = 15;
    const ended = standin.nextStream();
    const { actor, received, delivered } = runBrain(standin.url);
    await new Promise<void>((resolve) => {
      const sub = actor.subscribe(() => {
        if (received.some((e) => e.type === 'llm.sentence')) {
          sub.unsubscribe();
          resolve();
        }
      });
    });
    actor.send({ type: 'cancel' });
    const count = delivered.length;
    const rec = await ended;
    expect(rec.outcome).toBe('client-closed');
    expect(rec.pieces).toBeLessThan(rec.totalPieces);
    await new Promise((r) => setTimeout(r, 100));
    expect(delivered.length).toBe(count);
    expect(delivered.some((e) => e.type === 'llm.done' || e.type === 'llm.error')).toBe(false);
    expect(actor.getSnapshot().value).toBe('cancelled');
  });
});
