import { describe, expect, it } from 'vitest';
import { moderate } from '../../machines/moderation/pipeline.ts';
import { defaultModerationData, loadCorpus } from './corpus.ts';

const corpus = loadCorpus();
const data = defaultModerationData();

describe('moderation corpus (test/fixtures/moderation)', () => {
  it('is big enough: ≥ 80 cases, ≥ 40 harmless look-alikes, en/es/de, every list category', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(80);
    expect(corpus.filter((c) => c.expect === 'pass').length).toBeGreaterThanOrEqual(40);
    expect(new Set(corpus.map((c) => c.lang))).toEqual(new Set(['en', 'es', 'de']));
    const categories = new Set(corpus.map((c) => c.expect));
    for (const c of ['profanity', 'insult', 'hate', 'self-harm', 'personal-data', 'link', 'prompt-leak', 'pass']) expect(categories).toContain(c);
  });

  it.each(corpus.filter((c) => c.expect !== 'pass').map((c) => [c.expect, c.text] as const))('%s is blocked: %s', (_category, text) => {
    expect(moderate(text, data).ok).toBe(false);
  });

  it.each(corpus.filter((c) => c.expect === 'pass').map((c) => [c.text]))('passes: %s', (text) => {
    expect(moderate(text, data)).toEqual({ ok: true });
  });

  it('names the right category for nearly every blocked case (doxxing and links may overlap)', () => {
    const blocked = corpus.filter((c) => c.expect !== 'pass');
    const right = blocked.filter((c) => {
      const v = moderate(c.text, data);
      return !v.ok && v.category === c.expect;
    });
    expect(right.length / blocked.length).toBeGreaterThanOrEqual(0.97);
  });
});
