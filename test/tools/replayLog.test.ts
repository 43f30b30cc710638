import { describe, expect, it } from 'vitest';
import { parseChatLog, replayDelays } from '../../src/tools/replayLog.ts';

describe('chat log replay', () => {
  it('parses the common log format and skips what it cannot read', () => {
    const { lines, skipped } = parseChatLog(
      [
        '[2025-03-01 20:15:02 UTC] sam_99: hey pickle!',
        '[2025-03-01 20:15:04 UTC] Ann: what is this game?',
        '# a comment',
        '[2025-03-01 20:15:04] bob: no zone is fine too',
        '[2025-03-01 20:16:04 UTC] eve: ',
      ].join('\n'),
    );
    expect(lines.map((l) => [l.user, l.text])).toEqual([
      ['sam_99', 'hey pickle!'],
      ['Ann', 'what is this game?'],
      ['bob', 'no zone is fine too'],
    ]);
    expect(skipped).toBe(2);
    expect(lines[1]!.ts - lines[0]!.ts).toBe(2000);
  });

  it('divides gaps by the speed and caps long silences', () => {
    const lines = [0, 2000, 2000, 600_000].map((ts) => ({ ts, user: 'a', text: 'x' }));
    expect(replayDelays(lines, 2, 10_000)).toEqual([0, 1000, 0, 10_000]);
  });
});
