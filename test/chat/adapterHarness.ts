/** What platform adapter tests share: a log captured as lines, events collected, a status board, waiting for a condition. */
import { Writable } from 'node:stream';
import type { InputEvent } from '../../machines/events.ts';
import { createLogger } from '../../src/log.ts';
import { StatusBoard } from '../../src/status.ts';

export async function until(pred: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function adapterHarness() {
  const events: InputEvent[] = [];
  const logLines: string[] = [];
  const status = new StatusBoard();
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  const log = createLogger({ level: 'debug', destination: sink });
  const of = <T extends InputEvent['type']>(type: T) => events.filter((e): e is Extract<InputEvent, { type: T }> => e.type === type);
  return { events, logLines, status, log, send: (e: InputEvent) => void events.push(e), of };
}
