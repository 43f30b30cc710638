import pino, { type Logger as PinoLogger } from 'pino';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';


export type Logger = PinoLogger;

/**
 * Paths pino blanks out wherever they appear in a logged object. Adapters never log
 * credentials on purpose; this is the net under that rule.
 */
export const REDACT_PATHS = [
  'token',
  'password',
  'secret',
  'apiKey',
  'authorization',
  'refreshToken',
  'accessToken',
  '*.token',
  '*.password',
  '*.secret',
  '*.apiKey',
  '*.authorization',
  '*.Authorization',
  '*.refreshToken',
  '*.accessToken',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** Secret values known at runtime (keys from the env) are also scrubbed from strings. */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 6 && out.includes(s)) out = out.split(s).join('[redacted]');
  return out;
}

/** Secrets learned while Pickle runs (tokens refreshed or read from the data folder): scrubbed like the env's. */
const learnedSecrets = new Set<string>();

/** Every logger scrubs this value from its lines from now on. */
export function redactFromNowOn(...secrets: Array<string | undefined>): void {
  for (const s of secrets) if (s && s.length >= 6) learnedSecrets.add(s);
}

export interface LoggerOptions {
  level?: string;
  /** A file path (structured JSON lines) or a stream pino writes lines to (any Node writable). Default: stderr. */
  destination?: string | pino.DestinationStream;
  /** Secret values to scrub from every log line (e.g. API keys read from the env). */
  secrets?: readonly string[];
}

/**
 * Opens the log file for async writes and waits until it is open: exiting before that
 * (a bad setting right at start) would make pino's exit flush throw.
 */
export async function openLogFile(path: string): Promise<pino.DestinationStream> {
  // Chat text is in the log: owner only, whatever the umask (an older log is repaired at start).
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const dest = pino.destination({ dest: path, mkdir: true, sync: false, mode: 0o600 });
  await new Promise<void>((resolve, reject) => {
    dest.once('ready', () => resolve());
    dest.once('error', reject);
  });
  return dest;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const secrets = (opts.secrets ?? []).filter((s) => s && s.length >= 6);
  const dest =
    typeof opts.destination === 'string'
      ? pino.destination({ dest: opts.destination, mkdir: true, sync: false })
      : (opts.destination ?? pino.destination(2));
  return pino(
    {
      level: opts.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: {
        streamWrite: (line: string) => scrubSecrets(scrubSecrets(line, secrets), learnedSecrets),
      },
    },
    dest,
  );
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
