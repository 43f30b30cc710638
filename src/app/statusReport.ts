/** Every status change, from the first (what is disabled and how to enable it), on the console and in the log. */
import { statusLine, type ConsoleOut } from '../console.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';

export function reportStatusChanges(status: StatusBoard, log: Logger, out: ConsoleOut): void {
  status.on('change', (s) => {
    log.info({ event: 'status', service: s.service, state: s.state, detail: s.detail }, 'service status');
    out.line(statusLine(s));
  });
}
