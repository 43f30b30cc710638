import { describe, expect, it } from 'vitest';
import { SentenceCutter, splitSentences } from '../../src/llm/sentences.ts';

const cases: Array<[string, string[]]> = [
  ['Hello there. How are you?', ['Hello there.', 'How are you?']],
  ['Wow! That is huge!! Really?!', ['Wow!', 'That is huge!!', 'Really?!']],
  ['No punctuation at the end', ['No punctuation at the end']],
  ['I met Dr. Who and Mr. Smith today. Fun.', ['I met Dr. Who and Mr. Smith today.', 'Fun.']],
  ['Snacks, e.g. chips, are great. Right?', ['Snacks, e.g. chips, are great.', 'Right?']],
  ['That is i.e. the point. Yes.', ['That is i.e. the point.', 'Yes.']],
  ['The ratio is 3.5 to 1. Wild.', ['The ratio is 3.5 to 1.', 'Wild.']],
  ['It costs $4.99 now. Cheap!', ['It costs $4.99 now.', 'Cheap!']],
  ['Well... I think so. Maybe.', ['Well...', 'I think so.', 'Maybe.']],
  ['Well... maybe not. Fine.', ['Well... maybe not.', 'Fine.']],
  ['Hmm… Okay then.', ['Hmm…', 'Okay then.']],
  ['That was amazing! 🎉 Do it again.', ['That was amazing! 🎉', 'Do it again.']],
  ['Love it! 😂😂 Chat agrees.', ['Love it! 😂😂', 'Chat agrees.']],
  ['Nice one! 👍🏽 Next.', ['Nice one! 👍🏽', 'Next.']],
  ['Family! 👨‍👩‍👧 Cute.', ['Family! 👨‍👩‍👧', 'Cute.']],
  ['GG! 🔥', ['GG! 🔥']],
  ['So good 😄 honestly', ['So good 😄 honestly']],
  ['She said "Wow!" and left. Rude.', ['She said "Wow!" and left.', 'Rude.']],
  ['He yelled "Stop!" Then silence.', ['He yelled "Stop!"', 'Then silence.']],
  ['(It worked.) Great.', ['(It worked.)', 'Great.']],
  ['First line\nSecond line', ['First line', 'Second line']],
  ['   Leading spaces.   Trailing spaces.   ', ['Leading spaces.', 'Trailing spaces.']],
  ['!!! Wow.', ['!!! Wow.']],
  ['Version 2.0.1 is out. Update!', ['Version 2.0.1 is out.', 'Update!']],
  ['Visit St. Louis. It is nice.', ['Visit St. Louis.', 'It is nice.']],
  ['', []],
  ['   ', []],
  ['🎉', []],
];

describe('splitSentences', () => {
  it.each(cases)('%j', (text, expected) => {
    expect(splitSentences(text)).toEqual(expected);
  });
});

describe('SentenceCutter streaming', () => {
  it.each(cases)('same sentences for %j whatever the piece boundaries', (text, expected) => {
    // Every single cut position, and one character at a time.
    const chars = Array.from(text);
    for (let cut = 0; cut <= chars.length; cut++) {
      const cutter = new SentenceCutter();
      const got = [...cutter.push(chars.slice(0, cut).join('')), ...cutter.push(chars.slice(cut).join('')), ...cutter.end()];
      expect(got, `cut at ${cut}`).toEqual(expected);
    }
    const cutter = new SentenceCutter();
    const got = [...chars.flatMap((c) => cutter.push(c)), ...cutter.end()];
    expect(got).toEqual(expected);
  });

  it('reports a sentence as soon as the next one starts, before the end', () => {
    const cutter = new SentenceCutter();
    expect(cutter.push('First one.')).toEqual([]);
    expect(cutter.push(' ')).toEqual([]); // an emoji could still follow
    expect(cutter.push('S')).toEqual(['First one.']);
    expect(cutter.push('econd')).toEqual([]);
    expect(cutter.end()).toEqual(['Second']);
  });

  it('does not cut before seeing what follows a dot (3.5 vs 3. Next)', () => {
    const cutter = new SentenceCutter();
    expect(cutter.push('It is 3.')).toEqual([]);
    expect(cutter.push('5 now. Ok')).toEqual(['It is 3.5 now.']);
  });
});
