import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseChatLog, replayDelays } from './replayLog.ts';
import { errorText } from '../errors.ts';

/**
 * `npm run replay -- FILE [--speed N] [--url http://127.0.0.1:8000] [--max-gap S]`
 * Feeds a past stream's chat log to a running Pickle through its rehearsal API.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      speed: { type: 'string', default: '1' },
      url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT || 8000}` },
      'max-gap': { type: 'string', default: '10' },
    },
  });
  const file = positionals[0];
  const speed = Number(values.speed);
  const maxGap = Number(values['max-gap']);
  if (!file) return usage('give the chat log file');
  if (!(speed > 0)) return usage(`--speed must be a positive number (got "${values.speed}")`);
  if (!(maxGap >= 0)) return usage(`--max-gap must be seconds (got "${values['max-gap']}")`);

  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (err) {
    return usage(`cannot read ${file}: ${errorText(err)}`);
  }
  const { lines, skipped } = parseChatLog(content);
  if (lines.length === 0) return usage(`${file}: no lines in the "[YYYY-MM-DD HH:MM:SS UTC] user: message" format`);
  const delays = replayDelays(lines, speed, maxGap * 1000);
  const total = delays.reduce((a, b) => a + b, 0);
  process.stdout.write(`Replaying ${lines.length} lines to ${values.url} at ×${speed} (~${Math.round(total / 1000)} s)${skipped ? `, ${skipped} lines skipped` : ''}\n`);

  let sent = 0;
  let refused = 0;
  for (let i = 0; i < lines.length; i++) {
    if (delays[i]) await sleep(delays[i]);
    const line = lines[i]!;
    try {
      const res = await fetch(`${values.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: line.user, text: line.text }),
      });
      if (res.ok) sent += 1;
      else {
        refused += 1;
        if (refused <= 3) process.stdout.write(`  line ${i + 1} refused: HTTP ${res.status}\n`);
      }
    } catch {
      process.stderr.write(`pickle replay: cannot reach Pickle at ${values.url} (is \`npm start\` running?)\n`);
      process.exit(1);
    }
    if ((i + 1) % 50 === 0) process.stdout.write(`  ${i + 1}/${lines.length}\n`);
  }
  process.stdout.write(`Done: ${sent} sent${refused ? `, ${refused} refused` : ''}.\n`);
}

function usage(problem: string): never {
  process.stderr.write(`pickle replay: ${problem}\nusage: npm run replay -- FILE [--speed N] [--url URL] [--max-gap SECONDS]\n`);
  process.exit(2);
}

void main();
