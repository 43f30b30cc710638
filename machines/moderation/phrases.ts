import type { LanguageSet } from './languages/index.ts';
import type { ModerationCategory, ModerationLayer } from './types.ts';

/**
 * The phrase layers: self-harm bait, threats and violence, sexual content aimed at people, in
 * each of the persona's languages. They read intent, harm and a person together ("I'm going to
 * stab you", "they should all be shot"), so game and kitchen talk ("I killed the boss", "beat
 * the eggs") passes. Run on the sentence's plain words (see languages/types.ts).
 */

export type PhraseHit = { category: ModerationCategory; layer: ModerationLayer } | undefined;

export function checkPhrases(plain: string, set: LanguageSet): PhraseHit {
  for (const p of set.phrases) if (p.selfHarm.some((re) => re.test(plain))) return { category: 'self-harm', layer: 'selfHarm' };
  for (const p of set.phrases) {
    let text = plain;
    for (const idiom of p.idioms) text = text.replace(idiom, ' ');
    if (p.threat.some((re) => re.test(text))) return { category: 'threat', layer: 'threat' };
  }
  for (const p of set.phrases) if (p.sexual.some((re) => re.test(plain))) return { category: 'sexual', layer: 'sexual' };
  return undefined;
}
