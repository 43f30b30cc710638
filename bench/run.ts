import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench -- NAME`: runs bench/NAME.ts (its default export) and prints its figures as JSON.
 * Names are file names without .ts; kebab-case maps to camelCase (chat-flood → chatFlood.ts).
 */
const dir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.replace(/\.ts$/, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- NAME   (one of: ${available.join(', ')})\n`);
  process.exit(2);
}
const file = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const mod = (await import(`./${file}.ts`)) as { default: (args: string[]) => Promise<Record<string, unknown>> };
const result = await mod.default(process.argv.slice(3));
process.stdout.write(`${JSON.stringify({ bench: name, ...result }, null, 2)}\n`);
process.exit(0);
