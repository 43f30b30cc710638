/**
 * Every memory rule runs on untrusted text (chat, transcripts, replies): each must take time
 * linear in its input. Here each runs on 50,000-character hostile strings (the shapes that make
 * backtracking regexes blow up: long runs, alternations that almost match, separators that
 * keep word boundaries everywhere) and must finish in under 50 ms.
 *
 * Timing: the best of 3 runs after a warm-up (JIT), so a busy shared machine does not fail a
 * linear rule; a quadratic one takes seconds at this size and fails whatever the machine.
 */
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../machines/events.ts';
import { forgetViewer } from '../../machines/brain/stm.ts';
import { chatProvenance, concerns, forgetPlan, loginLikeWords, mentions, namedLogins, namesLogin, replyProvenance } from '../../machines/memory/provenance.ts';
import { ChatAdmission } from '../../machines/memory/admission.ts';
import { ENTITY_PATTERNS, entityKinds, hasProperNoun, isFact, recordsOf, removalOf, shouldStore, storageReason, wordCount } from '../../machines/memory/rules.ts';
import { isTransientReadError } from '../../src/memory/store.ts';

const N = 50_000;
const fill = (unit: string) => unit.repeat(Math.ceil(N / unit.length)).slice(0, N);

const HOSTILE: Record<string, string> = {
  letters: fill('a'),
  words: fill('a '),
  capitals: fill('Aa '),
  sentences: fill('. A'),
  quotes: `.${fill('"')}x`,
  brackets: fill(`.)"'`),
  dashes: fill('-a'),
  mentions: fill('@'),
  mentionWords: fill('@bob'),
  almostKeyword: fill('playin'),
  keywordRuns: fill('played'),
  timeAlmost: fill('next wee'),
  identityAlmost: fill("i'm a"),
  nameLike: fill('bobx'),
  spaces: fill(' \t'),
  unicode: fill('Éé\u0301 '),
  bang: `!${fill('a ')}`,
  digits: fill('1_'),
};

const known = new Set(['bob', 'mallory', 'alice', 'a', 'aa']);
const msg = (text: string): ChatMessage => ({ platform: 'twitch', id: 'm1', user: 'mallory', displayName: 'Mallory', text, role: 'viewer', ts: 1 });

const RULES: Record<string, (text: string) => unknown> = {
  ...Object.fromEntries(ENTITY_PATTERNS.map((p) => [`pattern:${p.kind}`, p.test])),
  hasProperNoun,
  entityKinds,
  storageReason,
  shouldStore,
  isFact,
  wordCount,
  recordsOf: (text) => recordsOf({ type: 'chat.batch', flush: 'size', messages: [msg(text)] }, { id: 'pickle', name: 'Pickle' }, () => 'x', { known }),
  replyRecord: (text) => recordsOf({ type: 'reply.spoken', replyId: 'r1', text, emotion: 'happy', ts: 1, about: ['mallory'] }, { id: 'pickle', name: 'Pickle' }, () => 'x', { known }),
  removalOf: (text) => removalOf({ type: 'chat.command', command: 'forgetme', args: [text], message: msg(text) }),
  loginLikeWords,
  mentions,
  namedLogins: (text) => namedLogins(text, known, ['mallory']),
  namesLogin: (text) => namesLogin(text, 'bob'),
  chatProvenance: (text) => chatProvenance('twitch:mallory', 'mallory', text, known, 'pickle'),
  replyProvenance: (text) => replyProvenance('pickle', text, ['mallory'], ['bob'], known),
  concerns: (text) => concerns({ user: 'mallory', source: 'chat', text, about: [] }, forgetPlan('bob')),
  forgetViewerStm: (text) => forgetViewer([{ id: '1', kind: 'chat', user: 'mallory', displayName: 'm', text, ts: 1 }], 'bob'),
  admission: (text) => new ChatAdmission({ now: () => 0 }).admit(text, true),
  isTransientReadError: (text) => isTransientReadError(new Error(text)),
};

function bestOf3(fn: () => unknown): number {
  fn();
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

describe('memory rules take linear time on hostile 50k-character text', () => {
  for (const [rule, run] of Object.entries(RULES)) {
    it(rule, () => {
      const slow: string[] = [];
      for (const [shape, text] of Object.entries(HOSTILE)) {
        const ms = bestOf3(() => run(text));
        if (ms >= 50) slow.push(`${shape}: ${ms.toFixed(1)} ms`);
      }
      expect(slow).toEqual([]);
    });
  }

  it('the test can fail: a backtracking regex of the kind it guards against is slow at a fifth of the size', () => {
    const quadratic = (text: string) => /\b[a-z0-9-]{2,}\s*\.\s*(com|net)\b/i.test(text);
    const t0 = performance.now();
    quadratic(fill('a-').slice(0, N / 5));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(50);
  });
});
