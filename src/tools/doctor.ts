/**
 * `npm run doctor`: checks everything Pickle needs before going live and prints one line per
 * service: ✓ works, ! works with a limitation (or is not set up), ✗ broken, with the fix.
 * Exit code 0 when everything configured works, 1 otherwise, 2 for a malformed setting.
 */
import { config as loadDotenv } from 'dotenv';
import { ConfigError, parseEnv } from '../config/env.ts';
import { runDoctor } from '../doctor/index.ts';
import { errorText } from '../errors.ts';

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  let env;
  try {
    env = parseEnv(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pickle doctor: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  process.stdout.write('Pickle doctor: checking everything before you go live…\n\n');
  const t0 = performance.now();
  const report = await runDoctor(env);
  for (const line of report.lines) process.stdout.write(`${line}\n`);
  process.stdout.write(`(${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  process.exit(report.exitCode);
}

main().catch((err: unknown) => {
  process.stderr.write(`pickle doctor: ${errorText(err)}\n`);
  process.exit(1);
});
