import { config as loadDotenv } from 'dotenv';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, parseEnv, type Env } from '../config/env.ts';
import { loadPersona, PersonaError, rewardTitleOf } from '../config/persona.ts';
import { createRewardWithEnv, RewardToolError } from './createReward.ts';

/**
 * `npm run twitch -- create-reward [--cost N] [--title TEXT]`: Twitch set-up steps Pickle needs.
 * Every problem is one line on stderr and exit code 2.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { cost: { type: 'string', default: '100' }, title: { type: 'string' } },
  });
  if (positionals[0] !== 'create-reward') return usage(positionals[0] ? `unknown command "${positionals[0]}"` : 'give a command');
  const cost = Number(values.cost);
  if (!Number.isInteger(cost) || cost < 1) return usage(`--cost must be a whole number of points, at least 1 (got "${values.cost}")`);
  loadDotenv({ quiet: true });
  let env: Env;
  let title: string;
  try {
    env = parseEnv(process.env);
    title = values.title?.trim() || rewardTitleOf(loadPersona(join(resolve(fileURLToPath(new URL('../..', import.meta.url))), 'personas'), env.PERSONA));
  } catch (err) {
    if (err instanceof ConfigError || err instanceof PersonaError) return fail(err.message);
    throw err;
  }
  try {
    process.stdout.write(`${await createRewardWithEnv({ env, title, cost })}\n`);
  } catch (err) {
    if (err instanceof RewardToolError) return fail(err.message);
    throw err;
  }
}

function fail(problem: string): never {
  process.stderr.write(`pickle twitch: ${problem}\n`);
  process.exit(2);
}

function usage(problem: string): never {
  process.stderr.write(`pickle twitch: ${problem}\nusage: npm run twitch -- create-reward [--cost POINTS] [--title TEXT]\n`);
  process.exit(2);
}

void main();
