import { assign, createActor, sendTo, setup, type AnyActorLogic } from 'xstate';

/**
 * Runs one child machine under a recording parent, the way the orchestrator runs it:
 * everything the child sends to its parent lands in `out`, and `send` delivers to the child.
 */
export function harness(logic: AnyActorLogic, input: unknown) {
  const out: Array<{ type: string; [k: string]: unknown }> = [];
  const parent = setup({
    types: { events: {} as { type: string; [k: string]: unknown } },
    actors: { child: logic },
  }).createMachine({
    invoke: { src: 'child', id: 'child', input: () => input },
    on: {
      'test.send': { actions: sendTo('child', ({ event }) => (event as unknown as { event: { type: string } }).event) },
      '*': { actions: assign(({ event }) => (out.push(event), {})) },
    },
  });
  const actor = createActor(parent);
  actor.start();
  const child = () => actor.getSnapshot().children.child!;
  return {
    out,
    send: (event: { type: string; [k: string]: unknown }) => actor.send({ type: 'test.send', event }),
    child,
    snapshot: () => child().getSnapshot() as { value: unknown; context: any; status: string },
    of: <T extends string>(type: T) => out.filter((e) => e.type === type) as Array<{ type: T; [k: string]: any }>,
    clear: () => void out.splice(0),
    stop: () => actor.stop(),
  };
}
