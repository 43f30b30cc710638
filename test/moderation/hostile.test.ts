import { describe, expect, it } from 'vitest';
import { checkLinks } from '../../machines/moderation/links.ts';
import { checkPersonalData } from '../../machines/moderation/personalData.ts';
import { checkProfanity } from '../../machines/moderation/profanity.ts';
import { leaksPrompt } from '../../machines/moderation/promptLeak.ts';
import { moderate } from '../../machines/moderation/pipeline.ts';
import { plainWords } from '../../machines/moderation/normalise.ts';
import { checkPhrases } from '../../machines/moderation/phrases.ts';
import { echoesInput } from '../../machines/brain/guard.ts';
import { defaultModerationData } from './corpus.ts';

/**
 * Security: no guard layer may be made slow by what a troll types. Each runs on 50k-character
 * hostile strings built to make backtracking regexes explode (long runs with no match, many
 * near-matches) and must answer in under 50 ms.
 */
const data = defaultModerationData();
/** Characters NFKC makes several of: U+FDFA becomes 18, U+FDFB 8, ㌀ 5, ⑴ 3, ﬃ 3, ㏿ 3, ༷ 3. */
const EXPANDING = ['\ufdfa', '\ufdfb', '\u3300', '\u2474', '\ufb03', '\u33ff', '\u0f77'];
const N = 50_000;
const rep = (s: string) => s.repeat(Math.ceil(N / s.length)).slice(0, N);
const HOSTILE = [
  'a', ' ', '1', '1 ', '1.', 'a.', 'a@', '@', ' at ', ' dot ', 'a ', 'www.', 'h t t p ', '1-', '(1)', '\u200b', 'ａ', 'a\u0301', 'k y s ',
  'f*', '12.3456 ', 'calle ', '5 street ', 'lives in ', 'x.com/', '[.]', '1.1.1.1 ', '-1', '° ', 'five ', 'a-', 'a.b@', 'fuuu', 's.h.i.t.',
  'http://', '0'.repeat(20) + ' ', 'the conversation chat messages ', '<|im_start|>', 'kill ', 'i m going to ', 'Anna Schmidt wohnt in ',
  'AB12 CDE ', '12 rue ', '40 degrees ', ...EXPANDING,
].map(rep);

const LAYERS: Record<string, (t: string) => unknown> = {
  profanity: (t) => checkProfanity(t, data.lists),
  personalData: (t) => checkPersonalData(t),
  links: (t) => checkLinks(t),
  promptLeak: (t) => leaksPrompt(t, data.prompt, plainWords(t), data.languages),
  phrases: (t) => checkPhrases(plainWords(t), data.languages),
  echo: (t) => echoesInput(t, [t]),
  pipeline: (t) => moderate(t, data),
};

describe('guard layers on 50k-character hostile strings', () => {
  // Warm the regex and JIT caches first: the bound is about the input, not the first compile.
  for (const fn of Object.values(LAYERS)) for (const h of HOSTILE) fn(h.slice(0, 200));

  it.each(Object.keys(LAYERS))('%s answers each in under 50 ms', (name) => {
    const fn = LAYERS[name]!;
    for (const h of HOSTILE) {
      // Best of five: the bound is about the input, not about another process taking the CPU.
      let ms = Infinity;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        fn(h);
        ms = Math.min(ms, performance.now() - t0);
      }
      expect(ms, `${name} on ${JSON.stringify(h.slice(0, 16))}…`).toBeLessThan(50);
    }
  });

  it.each(EXPANDING)('2,500 of %s (longest sentence checked, expanded by NFKC) are judged in under 20 ms', (c) => {
    const text = c.repeat(2500);
    moderate(text, data);
    let ms = Infinity;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      moderate(text, data);
      ms = Math.min(ms, performance.now() - t0);
    }
    expect(ms).toBeLessThan(20);
  });

  it('the pipeline refuses a sentence longer than it checks', () => {
    expect(moderate(rep('hello '), data)).toEqual({ ok: false, category: 'overlong', layer: 'bound' });
  });
});
