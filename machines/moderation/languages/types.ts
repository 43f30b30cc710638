/**
 * What one language contributes to moderation beyond its word list: the phrases that make a
 * sentence a threat, self-harm bait, sexual content aimed at someone, or a read-out of the
 * instructions. Patterns run on a sentence's plain words (folded, leetspeak undone, accents
 * and punctuation gone, one space between words), so they are written in lowercase ASCII.
 * Each is bounded (no nested or open-ended repetition), so a 2,500-character sentence stays linear.
 */
export interface LanguagePhrases {
  /** Function words that tell this language from the others (articles, pronouns, prepositions). */
  stopwords: readonly string[];
  threat: readonly RegExp[];
  selfHarm: readonly RegExp[];
  sexual: readonly RegExp[];
  /** Reading out one's instructions ("my instructions say", "I was told never to"). */
  leak: readonly RegExp[];
  /** Game, cooking and figure-of-speech uses that look like harm ("shoot you a message"): blanked before the threat patterns run. */
  idioms: readonly RegExp[];
}

/** Up to n words between two parts of a phrase. */
export const gap = (n: number): string => `(?:[a-z0-9]+ ){0,${n}}`;
