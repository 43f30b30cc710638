import { describe, expect, it } from 'vitest';
import { setup, type AnyStateMachine } from 'xstate';
import { avatarMachine } from '../../machines/avatar.ts';
import { brainMachine } from '../../machines/brain.ts';
import { chatMachine } from '../../machines/chat.ts';
import { orchestratorMachine } from '../../machines/orchestrator.ts';
import { voiceMachine } from '../../machines/voice.ts';
import { activeIds, describeMachine, eventLabel, layoutMachine, type MachineGraph } from '../../src/screens/graph.ts';

/** A small machine with every kind of transition the drawing must handle. */
const sample = setup({
  types: { events: {} as { type: 'go' } | { type: 'stop' } | { type: 'poke' } | { type: 'reset' } },
  guards: { ready: () => true },
  delays: { rest: 1000 },
}).createMachine({
  id: 'sample',
  initial: 'idle',
  on: { reset: '.idle' },
  states: {
    idle: {
      on: { go: { guard: 'ready', target: 'busy' }, poke: { actions: () => {} } },
    },
    busy: {
      initial: 'warm',
      always: { guard: 'ready', target: 'done' },
      states: {
        warm: { on: { poke: 'hot' } },
        hot: { after: { 250: 'warm' } },
      },
      on: { stop: 'idle' },
    },
    done: { type: 'final' },
    resting: { after: { rest: 'idle' } },
  },
});

describe('statechart drawing: machine.toJSON() + always transitions → nodes and edges', () => {
  it('labels XState event types the way people read them', () => {
    expect(eventLabel('xstate.after.cooldown.brain.cooldown')).toBe('after cooldown');
    expect(eventLabel('xstate.after.250.sample.busy.hot')).toBe('after 250 ms');
    expect(eventLabel('')).toBe('always');
    expect(eventLabel('xstate.done.actor.llm')).toBe('done: llm');
    expect(eventLabel('xstate.error.actor.llm')).toBe('error: llm');
    expect(eventLabel('chat.batch')).toBe('chat.batch');
  });

  it('turns targeted transitions into edges (guards named), targetless ones into lines inside the state', () => {
    const { nodes, edges } = describeMachine(sample);
    const ids = nodes.map((n) => n.id);
    expect(ids).toEqual(
      expect.arrayContaining(['sample', 'sample.idle', 'sample.busy', 'sample.busy.warm', 'sample.busy.hot', 'sample.done', 'sample.resting']),
    );
    // Initial-state markers for the root and for the compound state.
    expect(edges).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: 'sample.__initial', target: 'sample.idle' }),
        expect.objectContaining({ source: 'sample.busy.__initial', target: 'sample.busy.warm' }),
      ]),
    );
    const edge = (s: string, t: string) => edges.find((e) => e.source === s && e.target === t);
    expect(edge('sample.idle', 'sample.busy')?.label).toBe('go [ready]');
    // toJSON() leaves `always` out; it is read from the state node.
    expect(edge('sample.busy', 'sample.done')?.label).toBe('always [ready]');
    expect(edge('sample.busy', 'sample.idle')?.label).toBe('stop');
    expect(edge('sample.busy.hot', 'sample.busy.warm')?.label).toBe('after 250 ms');
    expect(edge('sample.resting', 'sample.idle')?.label).toBe('after rest');
    // Targetless: a line in the state. Root → own child: a line too (ELK cannot route it).
    expect(nodes.find((n) => n.id === 'sample.idle')?.lines).toEqual(['poke']);
    expect(nodes.find((n) => n.id === 'sample')?.lines).toEqual(['reset → idle']);
    expect(nodes.find((n) => n.id === 'sample.done')?.type).toBe('final');
  });

  it('merges several transitions between the same two states into one arrow with one line each', () => {
    const { edges } = describeMachine(brainMachine);
    const toIdle = edges.filter((e) => e.source === 'brain.replying.thinking' && e.target === 'brain.idle');
    expect(toIdle).toHaveLength(1);
    expect(toIdle[0]!.label.split('\n').length).toBeGreaterThan(1);
    expect(toIdle[0]!.events.length).toBe(toIdle[0]!.label.split('\n').length);
  });

  it('lays the sample out: every node inside its parent, every edge with points, the initial state first', async () => {
    const g = await layoutMachine(sample);
    checkGeometry(g);
    const y = (id: string) => g.nodes.find((n) => n.id === id)!.y;
    // Top to bottom: idle above busy even though busy → idle exists (back edges are reversed for layout).
    expect(y('sample.idle')).toBeLessThan(y('sample.busy'));
    // A back edge is drawn the right way round: it ends at idle.
    const back = g.edges.find((e) => e.source === 'sample.busy' && e.target === 'sample.idle')!;
    const idle = g.nodes.find((n) => n.id === 'sample.idle')!;
    const [ex, ey] = back.points.at(-1)!;
    expect(ex).toBeGreaterThanOrEqual(idle.x - 1);
    expect(ex).toBeLessThanOrEqual(idle.x + idle.width + 1);
    expect(ey).toBeGreaterThanOrEqual(idle.y - 1);
    expect(ey).toBeLessThanOrEqual(idle.y + idle.height + 1);
  });

  it("lays out every one of Pickle's machines (elkjs falls back when its model-order pass fails)", async () => {
    for (const m of [orchestratorMachine, chatMachine, brainMachine, voiceMachine, avatarMachine] as AnyStateMachine[]) {
      const g = await layoutMachine(m);
      expect(g.id).toBe(m.id);
      checkGeometry(g);
    }
  });

  it('maps a snapshot value to the ids of the active state nodes', () => {
    expect(activeIds(sample, 'idle')).toEqual(['sample', 'sample.idle']);
    expect(activeIds(sample, { busy: 'hot' })).toEqual(['sample', 'sample.busy', 'sample.busy.hot']);
    expect(activeIds(sample, 'nonsense')).toEqual(['sample']);
    expect(activeIds(brainMachine, 'cooldown')).toEqual(['brain', 'brain.cooldown']);
  });
});

function checkGeometry(g: MachineGraph): void {
  expect(g.width).toBeGreaterThan(0);
  expect(g.height).toBeGreaterThan(0);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  for (const n of g.nodes) {
    expect(n.width, n.id).toBeGreaterThan(0);
    expect(n.height, n.id).toBeGreaterThan(0);
    expect(n.x + n.width, n.id).toBeLessThanOrEqual(g.width + 1);
    expect(n.y + n.height, n.id).toBeLessThanOrEqual(g.height + 1);
    const p = n.parent ? byId.get(n.parent) : undefined;
    if (p) {
      expect(n.x, `${n.id} inside ${p.id}`).toBeGreaterThanOrEqual(p.x);
      expect(n.y, `${n.id} inside ${p.id}`).toBeGreaterThanOrEqual(p.y);
      expect(n.x + n.width, `${n.id} inside ${p.id}`).toBeLessThanOrEqual(p.x + p.width + 0.5);
      expect(n.y + n.height, `${n.id} inside ${p.id}`).toBeLessThanOrEqual(p.y + p.height + 0.5);
    }
  }
  for (const e of g.edges) {
    expect(e.points.length, e.id).toBeGreaterThanOrEqual(2);
    expect(byId.has(e.source) && byId.has(e.target), e.id).toBe(true);
    if (e.label) expect(e.labelBox, e.id).toBeDefined();
  }
}
