/**
 * Plugins as actors under the real orchestrator: inputs go through chat, sinks get the events
 * they subscribed to, and a plugin that throws — at start, on an event, later in a timer, or in
 * its actor logic itself — is stopped and reported while the rest of Pickle keeps going.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createActor, type AnyActorRef } from 'xstate';
import type { PickleEvent } from '../../machines/events.ts';
import { providePickle, type PluginSpec } from '../../machines/orchestrator.ts';
import { silentLogger } from '../../src/log.ts';
import type { LoadedPlugin } from '../../src/plugins/loader.ts';
import { createPluginActor, toChatMessage } from '../../src/plugins/runtime.ts';
import type { PicklePlugin, PluginContext } from '../../src/plugins/types.ts';
import { fakeLlm } from '../machines/fakeLlm.ts';
import { persona } from '../machines/fixtures.ts';

let stopAll: Array<() => void> = [];
afterEach(() => {
  for (const s of stopAll) s();
  stopAll = [];
});

function run(plugins: PicklePlugin[], opts: { startTimeoutMs?: number; extraSpecs?: PluginSpec[] } = {}) {
  const registry = new Map<string, LoadedPlugin>(
    plugins.map((p) => {
      const events = (typeof p.events === 'function' ? p.events({}) : (p.events ?? [])) as LoadedPlugin['events'];
      return [p.name, { name: p.name, plugin: p, source: `test:${p.name}`, config: {}, events }];
    }),
  );
  const teardowns: Promise<void>[] = [];
  const llm = fakeLlm();
  const actors: string[] = [];
  const actor = createActor(
    providePickle({
      generateReply: llm.logic,
      plugin: createPluginActor({
        registry,
        log: silentLogger(),
        dataRoot: '/nonexistent',
        onTeardown: (p) => teardowns.push(p),
        ...(opts.startTimeoutMs ? { startTimeoutMs: opts.startTimeoutMs } : {}),
      }),
    }),
    {
      input: {
        plugins: [...[...registry.values()].map((p) => ({ name: p.name, events: p.events })), ...(opts.extraSpecs ?? [])],
        chat: { persona, ignoreBots: [] },
        brain: { persona: { ...persona, cooldownSec: 0 }, blocklist: [], random: () => 0.99 },
        voice: { msPerChar: 1, minSentenceMs: 5 },
        avatar: { captionHoldMs: 10 },
      },
      inspect: (e) => {
        if (e.type === '@xstate.actor') {
          const ref = e.actorRef as AnyActorRef & { systemId?: string };
          actors.push(ref.systemId ?? ref.id);
        }
      },
    },
  );
  const seen: PickleEvent[] = [];
  actor.on('*', (e) => seen.push(e as PickleEvent));
  actor.start();
  stopAll.push(() => actor.stop());
  const of = <T extends PickleEvent['type']>(type: T) => seen.filter((e) => e.type === type) as Extract<PickleEvent, { type: T }>[];
  return { actor, llm, of, actors, teardowns };
}

async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 3000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

/** An output plugin recording what it gets. */
function sink(name: string, events: PicklePlugin['events'] = ['reply.spoken']) {
  const got: PickleEvent[] = [];
  const plugin: PicklePlugin = { name, events, start: () => {}, onEvent: (e) => void got.push(e) };
  return { plugin, got };
}

/** Drives one reply through the fake LLM. */
async function reply(p: ReturnType<typeof run>, text: string) {
  const n = p.llm.calls.length;
  p.actor.send({ type: 'chat.message', message: { platform: 'twitch', id: `m${n}`, user: 'sam', displayName: 'Sam', text: `pickle ${text}`, role: 'viewer', ts: 1 } });
  await until(() => p.llm.calls.length > n, 'an LLM call');
  p.llm.reply([`${text}!`]);
  await until(() => p.of('reply.spoken').length > n, 'the reply spoken');
}

describe('plugins under the orchestrator', () => {
  it('an input plugin: its lines go through chat to the brain, and it is an actor plugin:<name> in the system', async () => {
    let ctx!: PluginContext;
    const p = run([{ name: 'discordish', start: (c) => void (ctx = c) }]);
    await until(() => p.of('plugin.status').some((e) => e.state === 'up'), 'plugin up');
    expect(p.actors).toContain('plugin:discordish');
    expect(p.actor.system.get('plugin:discordish')).toBeDefined();
    ctx.emit({ user: 'Zoë Q', text: '  pickle, hi from discord  ', role: 'moderator' });
    ctx.emit({ user: 'x', text: '   ' }); // nothing to say: dropped
    const batch = await until(() => p.of('chat.batch')[0], 'a chat batch');
    expect(batch.messages).toEqual([
      { platform: 'plugin', id: 'discordish-1', user: 'zoq', displayName: 'Zoë Q', text: 'pickle, hi from discord', role: 'moderator', ts: expect.any(Number) },
    ]);
    expect(p.of('plugin.input')).toHaveLength(1);
    await until(() => p.llm.calls.length === 1, 'an LLM call for the mention');
    expect(JSON.stringify(p.llm.last().input.messages)).toContain('pickle, hi from discord');
  });

  it('an output plugin gets exactly the event types it subscribed to, in order', async () => {
    const s = sink('lights', ['reply.spoken', 'voice.sentenceStarted']);
    const p = run([s.plugin]);
    await reply(p, 'one');
    await reply(p, 'two');
    await until(() => s.got.filter((e) => e.type === 'reply.spoken').length === 2, 'two replies');
    expect(s.got.map((e) => e.type)).toEqual(['voice.sentenceStarted', 'reply.spoken', 'voice.sentenceStarted', 'reply.spoken']);
    expect(s.got.filter((e) => e.type === 'reply.spoken').map((e) => (e as { text: string }).text)).toEqual(['one!', 'two!']);
  });

  it('throwing at start (sync, or a rejected promise): stopped and reported; the others and the brain go on', async () => {
    const s = sink('good');
    const p = run([
      { name: 'bad-sync', start: () => { throw new Error('no token configured'); } },
      { name: 'bad-async', start: async () => { await tick(5); throw new Error('discord said 401'); } },
      s.plugin,
    ]);
    await until(() => p.of('plugin.failed').length === 2, 'two failures');
    expect(p.of('plugin.failed').map((e) => [e.plugin, e.phase, e.error]).sort()).toEqual([
      ['bad-async', 'start', 'discord said 401'],
      ['bad-sync', 'start', 'no token configured'],
    ]);
    expect(p.actor.system.get('plugin:bad-sync')).toBeUndefined();
    expect(p.actor.getSnapshot().context.plugins?.map((x) => x.name)).toEqual(['good']);
    await reply(p, 'still here');
    await until(() => s.got.length === 1, 'the good plugin got the reply');
    expect(p.actor.getSnapshot().status).toBe('active');
  });

  it('throwing later, on an event: stopped at the first throw, never called again, Pickle keeps replying', async () => {
    let calls = 0;
    const p = run([{ name: 'flaky', events: ['reply.spoken'], start: () => {}, onEvent: () => { calls++; throw new Error('webhook exploded'); } }]);
    await reply(p, 'first');
    await until(() => p.of('plugin.failed').length === 1, 'failure');
    expect(p.of('plugin.failed')[0]).toMatchObject({ plugin: 'flaky', phase: 'event', error: 'webhook exploded' });
    await reply(p, 'second');
    await tick();
    expect(calls).toBe(1);
    expect(p.of('reply.spoken')).toHaveLength(2);
  });

  it('throwing later, in a guarded timer or a rejected promise: stopped; what it emits afterwards is ignored', async () => {
    let ctx!: PluginContext;
    let n = 0;
    const p = run([
      {
        name: 'ticker',
        start: (c) => {
          ctx = c;
          c.setInterval(() => {
            if (++n === 3) throw new Error('poll failed: EACCES');
          }, 5);
        },
      },
      { name: 'rejecter', start: (c) => c.setTimeout(async () => Promise.reject(new Error('late rejection')), 5) },
    ]);
    await until(() => p.of('plugin.failed').length === 2, 'both failed');
    expect(p.of('plugin.failed').map((e) => [e.plugin, e.phase]).sort()).toEqual([
      ['rejecter', 'running'],
      ['ticker', 'running'],
    ]);
    expect(ctx.signal.aborted).toBe(true);
    await tick();
    expect(n).toBe(3); // the interval was cleared
    ctx.emit({ user: 'ghost', text: 'pickle boo' });
    await tick();
    expect(p.of('plugin.input')).toHaveLength(0);
  });

  it('a start() that never finishes is stopped after the start timeout', async () => {
    const p = run([{ name: 'stuck', start: () => new Promise(() => {}) }], { startTimeoutMs: 50 });
    const f = await until(() => p.of('plugin.failed')[0], 'failure');
    expect(f).toMatchObject({ plugin: 'stuck', phase: 'start' });
    expect(f.error).toMatch(/did not finish/);
  });

  it('the actor logic itself throwing (XState error event) is handled: reported, root still active', async () => {
    // A spec without a loaded plugin: the runtime throws while starting the actor.
    const p = run([], { extraSpecs: [{ name: 'phantom', events: ['reply.spoken'] }] });
    const f = await until(() => p.of('plugin.failed')[0], 'failure');
    expect(f).toMatchObject({ plugin: 'phantom', phase: 'running' });
    expect(f.error).toMatch(/no plugin named phantom/);
    expect(p.actor.getSnapshot().status).toBe('active');
    // Routing no longer targets it (sending to a stopped child would crash the root).
    await reply(p, 'fine');
    expect(p.actor.getSnapshot().status).toBe('active');
  });

  it('stopping Pickle runs each plugin\'s cleanup and stop(); a throwing stop() is only logged', async () => {
    const order: string[] = [];
    const p = run([
      { name: 'a', start: () => () => void order.push('a:cleanup'), stop: () => void order.push('a:stop') },
      { name: 'b', start: () => {}, stop: () => { order.push('b:stop'); throw new Error('oops'); } },
    ]);
    await until(() => p.of('plugin.status').filter((e) => e.state === 'up').length === 2, 'both up');
    p.actor.stop();
    await Promise.allSettled(p.teardowns);
    expect(order.sort()).toEqual(['a:cleanup', 'a:stop', 'b:stop']);
  });
});

describe('toChatMessage', () => {
  it('derives a login, cuts at 500 characters, defaults the role, drops empty text', () => {
    const m = toChatMessage('yt', 7, { user: '', text: 'x'.repeat(600), role: 'admin' as never }, 5)!;
    expect(m).toMatchObject({ id: 'yt-7', user: 'yt', displayName: 'yt', role: 'viewer', ts: 5 });
    expect(m.text).toHaveLength(500);
    expect(toChatMessage('yt', 1, { user: 'a', text: ' ' }, 0)).toBeUndefined();
  });
});
