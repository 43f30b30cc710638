/**
 * The live statechart inspector's server side: streams XState v5 inspection events
 * (`@xstate.actor`, `@xstate.event`, `@xstate.snapshot`) of the orchestrator's actor system
 * over the socket.io namespace `/inspector`, batched, with payloads elided.
 *
 * Cost when nobody watches: nothing. The observer is added to the actor system
 * (`actor.system.inspect`, the runtime form of the `inspect` option of `createActor`) when
 * the first page connects and removed when the last one leaves; with no observer XState
 * does not even build the inspection events. A page that connects mid-stream first gets
 * the machine drawings and the current state of every actor, then the live events.
 */
import { Actor, StateMachine, isMachineSnapshot, type ActorRefLike, type AnyActorRef as XActorRef, type AnyStateMachine, type InspectionEvent, type Snapshot, type Subscription } from 'xstate';
import type { Logger } from '../log.ts';
import { elide } from './elide.ts';
import { activeIds, layoutMachine, type MachineGraph } from './graph.ts';
import type { InspectorServerEvents } from './payloads.ts';
import { errorText } from '../errors.ts';

// Structural, so a benchmark's stand-in fits as well as socket.io's typed namespace; the payloads
// are the ones the inspector page reads.
/** What the inspector uses of one page's socket.io socket. */
export interface InspectorSocket {
  readonly id: string;
  readonly connected: boolean;
  emit<E extends keyof InspectorServerEvents>(event: E, ...data: Parameters<InspectorServerEvents[E]>): unknown;
  on(event: 'options', listener: (options: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
}

/** What the inspector uses of its socket.io namespace (`io.of('/inspector')`). */
export interface InspectorNamespace {
  readonly sockets: { readonly size: number };
  emit<E extends keyof InspectorServerEvents>(event: E, ...data: Parameters<InspectorServerEvents[E]>): unknown;
  on(event: 'connection', listener: (socket: InspectorSocket) => void): unknown;
  off(event: 'connection', listener: (socket: InspectorSocket) => void): unknown;
}

export interface InspectorOptions {
  /** The root actor (orchestrator). */
  actor: XActorRef;
  /**
   * Machines that run in actor systems of their own, shown beside the orchestrator's tree (the
   * embedded Chroma's reconnect machine: memory starts before the orchestrator exists).
   */
  ownSystems?: () => readonly XActorRef[];
  namespace: InspectorNamespace;
  log: Logger;
  /** Secret values scrubbed from every payload. */
  secrets?: readonly string[];
  /** Batch window for events sent to pages. */
  flushMs?: number;
  /** Events kept for one flush at most; older ones are dropped (and counted) when a page cannot keep up. */
  maxBuffered?: number;
}

export interface ActorInfo {
  session: string;
  id: string;
  /** Display name: systemId, or the machine id for the root. */
  name: string;
  systemId?: string;
  parent?: string;
  /** Machine id when the actor runs a state machine (its drawing is in `machines`). */
  machine?: string;
  status?: string;
  value?: unknown;
  active?: string[];
  context?: unknown;
}

export type InspectorRecord =
  | ({ kind: 'actor'; seq: number; ts: number } & ActorInfo)
  | { kind: 'event'; seq: number; ts: number; type: string; source?: string; sourceId?: string; target: string; targetId: string; event: unknown }
  | {
      kind: 'snapshot';
      seq: number;
      ts: number;
      session: string;
      actorId: string;
      machine?: string;
      eventType?: string;
      status?: string;
      value?: unknown;
      active?: string[];
      context?: unknown;
    };

export interface InspectorHub {
  /** Pages connected now. */
  readonly watchers: number;
  /** Whether the actor system is being observed (only while a page is connected). */
  readonly observing: boolean;
  /** Inspection events received from XState since start (stays 0 while no page ever connected). */
  readonly received: number;
  /** Drawings of every machine in the actor tree (computed once each). */
  machines(): Promise<MachineGraph[]>;
  close(): void;
}

/** Actors as the system holds them (`systemId` is set for registered ones). */
type AnyActorRef = XActorRef & { systemId?: string | undefined };

/** Inspection events name actors by their narrow `ActorRefLike`; every one the system runs is an `Actor`. */
function actorOf(ref: ActorRefLike | undefined): AnyActorRef | undefined {
  return ref instanceof Actor ? ref : undefined;
}

type Pending =
  | { kind: 'actor'; ts: number; ref: AnyActorRef }
  | { kind: 'event'; ts: number; source: AnyActorRef | undefined; target: AnyActorRef; event: { type: string } }
  | { kind: 'snapshot'; ts: number; ref: AnyActorRef; snapshot: Record<string, unknown>; event: { type: string } };

/** The state machine an actor runs, or undefined for promise, callback and other logic. */
function machineOf(ref: AnyActorRef): AnyStateMachine | undefined {
  return ref instanceof Actor && ref.logic instanceof StateMachine ? ref.logic : undefined;
}

/** What the page shows of a snapshot: its status, and a machine's value and context. */
function fieldsOf(snapshot: Snapshot<unknown>): Record<string, unknown> {
  return isMachineSnapshot(snapshot) ? { status: snapshot.status, value: snapshot.value, context: snapshot.context } : { status: snapshot.status };
}

export function attachInspector(opts: InspectorOptions): InspectorHub {
  const { actor, namespace, log } = opts;
  const flushMs = opts.flushMs ?? 40;
  const maxBuffered = opts.maxBuffered ?? 5000;
  const secrets = opts.secrets ?? [];
  const graphs = new WeakMap<AnyStateMachine, Promise<MachineGraph>>();
  const machineIds = new WeakMap<AnyStateMachine, string>();
  const usedIds = new Map<string, AnyStateMachine>();
  const contextCache = new WeakMap<object, unknown>();
  let subscriptions: Subscription[] | undefined;
  let buffer: Pending[] = [];
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let seq = 0;
  let closed = false;
  /**
   * Each actor's parent (session id), learnt from what XState shows of the tree: the children in
   * a snapshot, and a child's `xstate.init` event, whose source is the parent that started it.
   */
  const parents = new WeakMap<object, string>();

  /** What the page calls an actor: its systemId (`brain`), the machine id for the root, else its id. */
  const nameOf = (ref: AnyActorRef): string => {
    if (ref.systemId) return ref.systemId;
    const m = ref.sessionId === actor.sessionId ? machineOf(ref) : undefined;
    return m ? m.id : ref.id;
  };

  /** A stable, unique id per machine (two machines may share an `id`). */
  const idOf = (m: AnyStateMachine): string => {
    const known = machineIds.get(m);
    if (known) return known;
    let id = m.id;
    for (let i = 2; usedIds.has(id) && usedIds.get(id) !== m; i++) id = `${m.id}#${i}`;
    usedIds.set(id, m);
    machineIds.set(m, id);
    return id;
  };

  const graphOf = (m: AnyStateMachine): Promise<MachineGraph> => {
    let g = graphs.get(m);
    if (!g) {
      const id = idOf(m);
      g = layoutMachine(m).then(
        (graph) => ({ ...graph, id }),
        (err: unknown) => {
          log.warn({ event: 'inspector', machine: id, err: errorText(err) }, 'statechart layout failed');
          return { id, width: 0, height: 0, nodes: [], edges: [] };
        },
      );
      graphs.set(m, g);
    }
    return g;
  };

  const contextOf = (ctx: unknown): unknown => {
    if (!ctx || typeof ctx !== 'object') return ctx;
    // XState keeps the context object when nothing was assigned: elide each one once.
    let e = contextCache.get(ctx);
    if (e === undefined) {
      e = elide(ctx, { secrets, maxString: 160, maxArray: 12, maxDepth: 4 });
      contextCache.set(ctx, e);
    }
    return e;
  };
  // One routed event is seen once per actor it reaches: elide it once.
  const eventCache = new WeakMap<object, unknown>();
  const eventOf = (ev: object): unknown => {
    let e = eventCache.get(ev);
    if (e === undefined) {
      e = elide(ev, { secrets });
      eventCache.set(ev, e);
    }
    return e;
  };
  /** Per actor: the last snapshot sent, to skip the ones that changed nothing (most of the root's). */
  const lastSent = new Map<string, { value: string; status: unknown; context: unknown }>();

  const describe = (ref: AnyActorRef): ActorInfo => {
    const m = machineOf(ref);
    const snap = ref.getSnapshot() as Record<string, unknown> | undefined;
    const parent = parents.get(ref);
    return {
      session: ref.sessionId,
      id: ref.id,
      name: nameOf(ref),
      ...(ref.systemId ? { systemId: ref.systemId } : {}),
      ...(parent ? { parent } : {}),
      ...(m ? { machine: idOf(m) } : {}),
      ...(typeof snap?.['status'] === 'string' ? { status: snap['status'] } : {}),
      ...(m && snap ? { value: snap['value'], active: activeIds(m, snap['value']), context: contextOf(snap['context']) } : {}),
    };
  };

  /** Every actor alive now, parents first. */
  const tree = (): AnyActorRef[] => {
    const out: AnyActorRef[] = [];
    const walk = (ref: AnyActorRef) => {
      out.push(ref);
      const children = (ref.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> } | undefined)?.children ?? {};
      for (const c of Object.values(children)) {
        if (!c) continue;
        parents.set(c, ref.sessionId);
        walk(c);
      }
    };
    walk(actor);
    for (const root of opts.ownSystems?.() ?? []) walk(root);
    return out;
  };

  const serialise = (p: Pending): InspectorRecord => {
    seq += 1;
    if (p.kind === 'actor') return { kind: 'actor', seq, ts: p.ts, ...describe(p.ref) };
    if (p.kind === 'event') {
      return {
        kind: 'event',
        seq,
        ts: p.ts,
        type: p.event.type,
        ...(p.source ? { source: p.source.sessionId, sourceId: nameOf(p.source) } : {}),
        target: p.target.sessionId,
        targetId: nameOf(p.target),
        event: eventOf(p.event),
      };
    }
    const m = machineOf(p.ref);
    const snap = p.snapshot;
    return {
      kind: 'snapshot',
      seq,
      ts: p.ts,
      session: p.ref.sessionId,
      actorId: nameOf(p.ref),
      eventType: p.event.type,
      ...(typeof snap['status'] === 'string' ? { status: snap['status'] } : {}),
      ...(m ? { machine: idOf(m), value: snap['value'], active: activeIds(m, snap['value']) } : {}),
      // Contexts are the bulk of the stream (the brain's memory, prompts): only when a page asks.
      ...(m && wantContexts.size > 0 ? { context: contextOf(snap['context']) } : {}),
    };
  };

  const unchanged = (p: Extract<Pending, { kind: 'snapshot' }>): boolean => {
    const value = JSON.stringify(p.snapshot['value'] ?? null);
    const prev = lastSent.get(p.ref.sessionId);
    const same = prev !== undefined && prev.value === value && prev.status === p.snapshot['status'] && prev.context === p.snapshot['context'];
    if (!same) lastSent.set(p.ref.sessionId, { value, status: p.snapshot['status'], context: p.snapshot['context'] });
    return same;
  };

  const flush = () => {
    timer = undefined;
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    const records: InspectorRecord[] = [];
    for (const p of batch) {
      if (p.kind === 'snapshot' && unchanged(p)) continue;
      try {
        records.push(serialise(p));
      } catch (err) {
        log.debug({ event: 'inspector', err: errorText(err) }, 'inspection event not serialisable');
      }
    }
    // Actors created meanwhile may run machines the pages have not seen drawn yet.
    for (const p of batch) {
      if (p.kind !== 'actor') continue;
      const m = machineOf(p.ref);
      if (m && !graphs.has(m)) void graphOf(m).then((g) => namespace.emit('machine', g));
    }
    namespace.emit('batch', { records, ...(dropped ? { dropped } : {}) });
    dropped = 0;
  };

  let received = 0;
  /** Pages that want each snapshot's context (the "contexts" box on the page). */
  const wantContexts = new Set<string>();
  const observer = (ev: InspectionEvent) => {
    received += 1;
    const ts = Date.now();
    let p: Pending;
    switch (ev.type) {
      case '@xstate.actor': {
        const ref = actorOf(ev.actorRef);
        if (!ref) return;
        p = { kind: 'actor', ts, ref };
        break;
      }
      case '@xstate.event': {
        if (ev.sourceRef && ev.event.type === 'xstate.init') parents.set(ev.actorRef, ev.sourceRef.sessionId);
        const target = actorOf(ev.actorRef);
        if (!target) return;
        p = { kind: 'event', ts, source: actorOf(ev.sourceRef), target, event: ev.event };
        break;
      }
      case '@xstate.snapshot': {
        const ref = actorOf(ev.actorRef);
        if (!ref) return;
        p = { kind: 'snapshot', ts, ref, snapshot: fieldsOf(ev.snapshot), event: ev.event };
        break;
      }
      default:
        return; // microsteps and actions: not shown
    }
    if (buffer.length >= maxBuffered) {
      buffer.shift();
      dropped += 1;
    }
    buffer.push(p);
    timer ??= setTimeout(flush, flushMs);
  };

  const start = () => {
    if (subscriptions || closed) return;
    subscriptions = [actor, ...(opts.ownSystems?.() ?? [])].map((root) => root.system.inspect(observer));
    log.info({ event: 'inspector', watchers: namespace.sockets.size }, 'inspector page connected: observing actors');
  };
  const stop = () => {
    for (const sub of subscriptions ?? []) sub.unsubscribe();
    subscriptions = undefined;
    lastSent.clear();
    buffer = [];
    dropped = 0;
    if (timer) clearTimeout(timer);
    timer = undefined;
    log.info({ event: 'inspector' }, 'no inspector page: observation off');
  };

  const machines = async (): Promise<MachineGraph[]> => {
    const seen = new Set<AnyStateMachine>();
    for (const ref of tree()) {
      const m = machineOf(ref);
      if (m) seen.add(m);
    }
    return Promise.all([...seen].map(graphOf));
  };

  const onConnection = (socket: InspectorSocket) => {
    start();
    // Snapshot of the tree first (synchronously, before any batch can be flushed), drawings when laid out.
    const actors = tree().map(describe);
    socket.emit('actors', { actors, ts: Date.now() });
    void machines().then((list) => {
      if (socket.connected) socket.emit('machines', list);
    });
    socket.on('options', (o: unknown) => {
      if (o && typeof o === 'object' && (o as { contexts?: unknown }).contexts === true) wantContexts.add(socket.id);
      else wantContexts.delete(socket.id);
    });
    socket.on('disconnect', () => {
      wantContexts.delete(socket.id);
      // Namespace sockets are removed before 'disconnect' fires.
      if (namespace.sockets.size === 0) stop();
    });
  };
  namespace.on('connection', onConnection);

  return {
    get watchers() {
      return namespace.sockets.size;
    },
    get observing() {
      return subscriptions !== undefined;
    },
    get received() {
      return received;
    },
    machines,
    close() {
      closed = true;
      namespace.off('connection', onConnection);
      if (subscriptions) stop();
    },
  };
}
