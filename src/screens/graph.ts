/**
 * Machine definition → positioned statechart, for the inspector page to draw as SVG.
 * The structure comes from `machine.toJSON()` (states, transitions, invokes); eventless
 * `always` transitions, which toJSON leaves out, are read from the state nodes. Layout is
 * elkjs's layered algorithm with hierarchy, computed once per machine on the server, so the
 * page needs no layout library.
 */
// elkjs's bundle is CommonJS: under NodeNext its typed default export is the module's `default`,
// which the bundle sets on its constructor (the module itself), so `Elk.default` is right at runtime too.
import Elk from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import type { AnyStateMachine } from 'xstate';

export interface GraphNode {
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history' | 'initial';
  parent?: string;
  depth: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Targetless transitions and entry/invoke notes, one short line each. */
  lines: string[];
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  /** Event types as XState knows them (`xstate.after.…` for delays, `` for always). */
  events: string[];
  /** One line per transition: `event [guard]`. */
  label: string;
  points: Array<[number, number]>;
  labelBox?: { x: number; y: number; width: number; height: number };
}

export interface MachineGraph {
  id: string;
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

interface JsonTransition {
  eventType?: string | null;
  target?: string[];
  guard?: unknown;
  reenter?: boolean;
}
interface JsonNode {
  id: string;
  key: string;
  type: GraphNode['type'];
  initial?: { target?: string[] };
  states?: Record<string, JsonNode>;
  transitions?: JsonTransition[];
  invoke?: Array<{ src?: unknown; id?: string }>;
}
interface LiveNode {
  states?: Record<string, LiveNode>;
  always?: ReadonlyArray<{ target?: ReadonlyArray<{ id: string }> | undefined; guard?: unknown; reenter?: boolean }>;
}

const ORDER_OPTIONS = { 'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES' };

const TITLE_PX = 8.2;
const LINE_PX = 6.7;
const MAX_LINES = 4;

export function eventLabel(eventType: string | null | undefined): string {
  const e = eventType ?? '';
  if (e === '') return 'always';
  const after = /^xstate\.after\.([^.]+)\./.exec(e);
  if (after) return `after ${/^\d+$/.test(after[1]!) ? `${after[1]} ms` : after[1]}`;
  const done = /^xstate\.done\.actor\.(.+)$/.exec(e);
  if (done) return `done: ${done[1]}`;
  const err = /^xstate\.error\.actor\.(.+)$/.exec(e);
  if (err) return `error: ${err[1]}`;
  if (e.startsWith('xstate.done.state.')) return 'done';
  return e;
}

function guardName(g: unknown): string | undefined {
  if (typeof g === 'string') return g;
  if (g && typeof g === 'object' && typeof (g as { type?: unknown }).type === 'string') return (g as { type: string }).type;
  return undefined;
}

function labelOf(t: JsonTransition): string {
  const g = guardName(t.guard);
  return `${eventLabel(t.eventType)}${g ? ` [${g}]` : ''}`;
}

const stripHash = (s: string) => (s.startsWith('#') ? s.slice(1) : s);

/** The plain structure of a machine: nodes (with parents) and transitions, no positions. */
export function describeMachine(machine: AnyStateMachine): { nodes: Omit<GraphNode, 'x' | 'y' | 'width' | 'height'>[]; edges: Omit<GraphEdge, 'points' | 'labelBox'>[] } {
  const json = JSON.parse(JSON.stringify(machine.toJSON())) as JsonNode;
  const nodes: Omit<GraphNode, 'x' | 'y' | 'width' | 'height'>[] = [];
  const edges: Omit<GraphEdge, 'points' | 'labelBox'>[] = [];
  const parentOf = new Map<string, string | undefined>();
  const isAncestor = (a: string, b: string): boolean => {
    for (let p = parentOf.get(b); p !== undefined; p = parentOf.get(p)) if (p === a) return true;
    return false;
  };
  const pending: Array<{ source: string; t: JsonTransition; lines: string[] }> = [];

  const visit = (n: JsonNode, live: LiveNode | undefined, parent: string | undefined, depth: number) => {
    parentOf.set(n.id, parent);
    const lines: string[] = [];
    for (const inv of n.invoke ?? []) {
      const src = typeof inv.src === 'string' ? inv.src : inv.id ?? 'actor';
      lines.push(`invoke ${src}`);
    }
    const node = { id: n.id, key: n.key, type: n.type, depth, lines, ...(parent ? { parent } : {}) };
    nodes.push(node);
    const transitions: JsonTransition[] = [...(n.transitions ?? [])];
    for (const a of live?.always ?? []) {
      transitions.push({
        eventType: '',
        ...(a.target?.length ? { target: a.target.map((t) => t.id) } : {}),
        ...(guardName(a.guard) ? { guard: guardName(a.guard) } : {}),
      });
    }
    for (const t of transitions) pending.push({ source: n.id, t, lines });
    const children = Object.values(n.states ?? {});
    if (children.length && n.type !== 'parallel') {
      const initial = n.initial?.target?.[0];
      if (initial) {
        const id = `${n.id}.__initial`;
        nodes.push({ id, key: '', type: 'initial', parent: n.id, depth: depth + 1, lines: [] });
        parentOf.set(id, n.id);
        edges.push({ id: `${id}->`, source: id, target: stripHash(initial), events: ['xstate.init'], label: '' });
      }
    }
    for (const c of children) visit(c, live?.states?.[c.key], n.id, depth + 1);
  };
  visit(json, machine.root, undefined, 0);

  // Transitions: a target elsewhere is an edge; none (or the node itself / an ancestor / a
  // descendant, which ELK cannot route) is a line inside the state.
  const seen = new Map<string, number>();
  const internal = new Map<string[], string[]>();
  for (const { source, t, lines } of pending) {
    const targets = (t.target ?? []).map(stripHash);
    const label = labelOf(t);
    const drawable = targets.filter((x) => (x !== source || t.reenter) && !isAncestor(x, source) && !isAncestor(source, x) && parentOf.has(x));
    if (drawable.length === 0) {
      const to = targets.length ? ` → ${targets.map((x) => x.slice(x.lastIndexOf('.') + 1)).join(', ')}` : '';
      const item = `${label}${to}`;
      const list = internal.get(lines) ?? [];
      if (!list.includes(item)) list.push(item);
      internal.set(lines, list);
      continue;
    }
    // Several transitions between the same two states are one arrow with one line per event.
    for (const target of drawable) {
      const id = `${source}->${target}`;
      const i = seen.get(id);
      if (i === undefined) {
        seen.set(id, edges.length);
        edges.push({ id, source, target, events: [t.eventType ?? ''], label });
      } else {
        const e = edges[i]!;
        if (!e.label.split('\n').includes(label)) e.label += `\n${label}`;
        e.events.push(t.eventType ?? '');
      }
    }
  }
  // Events handled without leaving the state, packed a few to a line.
  for (const [lines, items] of internal) lines.push(...pack(items, 30));
  return { nodes, edges };
}

function pack(items: string[], width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const item of items) {
    if (line && line.length + 3 + item.length > width) {
      out.push(line);
      line = item;
    } else line = line ? `${line} · ${item}` : item;
  }
  if (line) out.push(line);
  return out;
}

function sizeOf(n: { type: GraphNode['type']; key: string; lines: string[] }, isRoot: boolean): { width: number; height: number } {
  if (n.type === 'initial') return { width: 12, height: 12 };
  const shown = n.lines.slice(0, MAX_LINES);
  const more = n.lines.length > MAX_LINES ? 1 : 0;
  const title = isRoot ? n.key : n.key;
  const width = Math.ceil(Math.max(64, title.length * TITLE_PX + 28, ...shown.map((l) => Math.min(l.length, 40) * LINE_PX + 20)));
  const height = 30 + (shown.length + more) * 14 + (shown.length ? 6 : 0);
  return { width, height };
}

export function labelSize(label: string): { width: number; height: number } {
  const lines = label.split('\n');
  return { width: Math.ceil(Math.max(...lines.map((l) => l.length)) * LINE_PX + 8), height: lines.length * 14 + 2 };
}

/**
 * Lays a machine out with elkjs (layered, top to bottom, hierarchy included); coordinates are
 * absolute. Back edges (against the order the states are written in) are laid out reversed, so
 * the initial state comes first and the happy path reads top to bottom; they are drawn the right
 * way round.
 */
export async function layoutMachine(machine: AnyStateMachine): Promise<MachineGraph> {
  const { nodes, edges } = describeMachine(machine);
  const byParent = new Map<string | undefined, typeof nodes>();
  for (const n of nodes) {
    const list = byParent.get(n.parent) ?? [];
    list.push(n);
    byParent.set(n.parent, list);
  }
  const order = new Map(nodes.map((n, i) => [n.id, i]));
  const reversed = (e: { source: string; target: string }) => (order.get(e.source) ?? 0) > (order.get(e.target) ?? 0);
  const root = nodes.find((n) => n.parent === undefined)!;

  const graphFor = (modelOrder: boolean) => {
    const orderOptions: Record<string, string> = modelOrder ? ORDER_OPTIONS : {};
    const toElk = (n: (typeof nodes)[number]): ElkNode => {
      const kids = byParent.get(n.id) ?? [];
      if (kids.length === 0) return { id: n.id, ...sizeOf(n, n.parent === undefined) };
      const lines = n.lines.slice(0, MAX_LINES).length + (n.lines.length > MAX_LINES ? 1 : 0);
      const minWidth = sizeOf(n, false).width;
      return {
        id: n.id,
        children: kids.map(toElk),
        layoutOptions: {
          'elk.padding': `[top=${34 + lines * 14},left=16,bottom=16,right=16]`,
          'elk.nodeSize.constraints': 'MINIMUM_SIZE',
          'elk.nodeSize.minimum': `(${minWidth}, 40)`,
          ...orderOptions,
        },
      };
    };
    return {
      id: '__graph',
      layoutOptions: {
        'elk.algorithm': 'layered',
        'elk.direction': 'DOWN',
        'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
        'elk.json.edgeCoords': 'ROOT',
        'elk.json.shapeCoords': 'ROOT',
        'elk.spacing.nodeNode': '26',
        'elk.layered.spacing.nodeNodeBetweenLayers': '34',
        'elk.spacing.edgeLabel': '3',
        'elk.edgeLabels.inline': 'false',
        'elk.padding': '[top=8,left=8,bottom=8,right=8]',
        ...orderOptions,
      },
      children: [toElk(root)],
      edges: edges.map((e) => ({
        id: e.id,
        sources: [reversed(e) ? e.target : e.source],
        targets: [reversed(e) ? e.source : e.target],
        ...(e.label ? { labels: [{ text: e.label, ...labelSize(e.label) }] } : {}),
      })),
    };
  };

  const elk = new Elk.default();
  // elkjs's model-order crossing minimisation crashes on some graphs: then plain layered.
  let laid: ElkNode | undefined;
  let lastError: unknown;
  for (const modelOrder of [true, false]) {
    try {
      laid = await elk.layout(graphFor(modelOrder));
      break;
    } catch (err) {
      lastError = err;
    }
  }
  if (!laid) throw lastError instanceof Error ? lastError : new Error(String(lastError));

  const pos = new Map<string, { x: number; y: number; width: number; height: number }>();
  const collect = (n: ElkNode) => {
    pos.set(n.id, { x: n.x ?? 0, y: n.y ?? 0, width: n.width ?? 0, height: n.height ?? 0 });
    for (const c of n.children ?? []) collect(c);
  };
  for (const c of laid.children ?? []) collect(c);
  const round = (v: number) => Math.round(v * 10) / 10;
  const edgeOut = new Map((laid.edges ?? []).map((e) => [e.id, e]));
  return {
    id: machine.id,
    width: Math.ceil(laid.width ?? 0),
    height: Math.ceil(laid.height ?? 0),
    nodes: nodes.map((n) => {
      const p = pos.get(n.id)!;
      return { ...n, x: round(p.x), y: round(p.y), width: round(p.width), height: round(p.height) };
    }),
    edges: edges.map((e) => {
      const l = edgeOut.get(e.id);
      const points: Array<[number, number]> = [];
      for (const s of l?.sections ?? []) {
        points.push([round(s.startPoint.x), round(s.startPoint.y)]);
        for (const b of s.bendPoints ?? []) points.push([round(b.x), round(b.y)]);
        points.push([round(s.endPoint.x), round(s.endPoint.y)]);
      }
      if (reversed(e)) points.reverse();
      const lb = l?.labels?.[0];
      return { ...e, points, ...(lb ? { labelBox: { x: round(lb.x ?? 0), y: round(lb.y ?? 0), width: lb.width ?? 0, height: lb.height ?? 0 } } : {}) };
    }),
  };
}

/** Ids of the active state nodes for a snapshot value (`{replying: 'thinking'}` → brain.replying, brain.replying.thinking). */
export function activeIds(machine: AnyStateMachine, value: unknown): string[] {
  const out: string[] = [];
  type N = { id: string; states: Record<string, N> };
  const walk = (node: N, v: unknown) => {
    if (typeof v === 'string') {
      const child = node.states[v];
      if (child) out.push(child.id);
      return;
    }
    if (v && typeof v === 'object') {
      for (const [k, sub] of Object.entries(v)) {
        const child = node.states[k];
        if (!child) continue;
        out.push(child.id);
        walk(child, sub);
      }
    }
  };
  const root: N = machine.root;
  out.push(root.id);
  walk(root, value);
  return out;
}
