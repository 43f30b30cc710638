import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPersona, rewardTitleOf, toRuntime } from '../../src/config/persona.ts';
import { describeStreamEvent } from '../../machines/brain/decisions.ts';
import { gateStreamEvent } from '../../machines/brain/gating.ts';

function persona(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'pickle-persona-'));
  writeFileSync(join(dir, 'p.yaml'), yaml);
  return loadPersona(dir, 'p');
}

describe('persona: channel-point reward and follows', () => {
  it('reward_title defaults to "Ask <name>"; follows are not thanked by default', () => {
    const p = persona('name: Dill\npersonality: calm\n');
    expect(rewardTitleOf(p)).toBe('Ask Dill');
    expect(toRuntime(p).acknowledge.follow).toBe(false);
  });

  it('both can be set', () => {
    const p = persona('name: Dill\npersonality: calm\nbehavior:\n  reward_title: Question for Dill\n  acknowledge:\n    follow: true\n');
    expect(rewardTitleOf(p)).toBe('Question for Dill');
    expect(toRuntime(p).acknowledge).toMatchObject({ follow: true, raid: true });
  });

  it('the brain thanks a follow batch only when the persona says so', () => {
    const event = { platform: 'twitch' as const, kind: 'follow' as const, id: 'f', user: 'ana', displayName: 'Ana, Bo and 3 others', ts: 0, amount: 5 };
    expect(describeStreamEvent(event)).toBe('Ana, Bo and 3 others just followed');
    const ack = toRuntime(persona('name: Dill\npersonality: calm\n')).acknowledge;
    expect(gateStreamEvent(event, { acknowledge: ack })).toEqual({ respond: false, reason: 'event-off' });
    expect(gateStreamEvent(event, { acknowledge: { ...ack, follow: true } })).toEqual({ respond: true, reason: 'event' });
  });
});
