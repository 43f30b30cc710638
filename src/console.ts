import type { ServiceStatus } from './status.ts';

/**
 * The streamer's console: short human lines, no JSON. Structured logs go to the log file;
 * this is what someone glancing at the terminal mid-stream should see.
 */
export interface ConsoleOut {
  line(text: string): void;
}

export const stdoutConsole: ConsoleOut = { line: (text) => process.stdout.write(`${text}\n`) };
export const silentConsole: ConsoleOut = { line: () => {} };

const MARK: Record<ServiceStatus['state'], string> = {
  up: '✓',
  starting: '…',
  degraded: '!',
  down: '✗',
  disabled: '–',
  paused: '⏸',
};

export function statusLine(s: ServiceStatus): string {
  const fix = s.fix && s.state !== 'up' ? ` → ${s.fix}` : '';
  return `  ${MARK[s.state]} ${s.service.padEnd(13)} ${s.state.padEnd(8)} ${s.detail}${fix}`;
}
