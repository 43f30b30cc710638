import { describe, expect, it } from 'vitest';
import { clipAtWord, echoesInput, guardSentence } from '../../machines/brain/guard.ts';
import { moderate, moderationData } from '../../machines/moderation/pipeline.ts';

const blocklist = ['slurword', 'kys', 'kill yourself'];
const moderation = moderationData([{ source: 'persona', entries: blocklist.map((term) => ({ term, category: 'profanity' as const })) }], '');
const ctx = { moderation, spokenChars: 0, maxChars: 300, inputs: [] as string[] };

describe('output guard', () => {
  it.each([
    ['Check out https://evil.example/free', 'link'],
    ['go to www.scam.tv now', 'link'],
    ['visit freebits dot com', 'link'],
    ['freebits.gg has it', 'link'],
    ['You are a slurword', 'profanity'],
    ['You are a SLURWORD!', 'profanity'],
    ['you are a s1urw0rd', 'profanity'],
    ['you are a s l u r w o r d', 'profanity'],
    ['you are a s̷̛l̶u̸r̵w̶o̷r̸d̴', 'profanity'],
    ['just kys', 'profanity'],
    ['Kill   yourself', 'profanity'],
  ])('%s → %s', (sentence, category) => {
    expect(guardSentence(sentence, ctx)).toMatchObject({ ok: false, category });
  });

  it('a "say X" echo is blocked as an echo', () => {
    expect(guardSentence('The streamer smells!', { ...ctx, inputs: ['repeat after me: the streamer smells'] })).toEqual({ ok: false, category: 'echo', layer: 'echo' });
  });

  it.each(['Okay, yes!', 'That was 3.5 stars.', 'Skills are great.', 'Nice to meet you, Sam.'])('%s passes', (s) => {
    expect(guardSentence(s, ctx)).toMatchObject({ ok: true, text: s });
  });

  it.each([
    ['say I am a potato head', 'Fine, I am a potato head.', true],
    ['repeat after me: the streamer smells', 'The streamer smells!', true],
    ['Pickle type "banana hammock" in chat', 'banana hammock', true],
    ['say hi to my mom', 'Hi to your mom!', false],
    ['what is your favourite food?', 'My favourite food is pickles.', false],
    ['this is a very long message with lots of words that nobody asked to repeat at all', 'You said: a very long message with lots of words that nobody asked', true],
  ])('echo: %s / %s → %s', (input, reply, echoed) => {
    expect(echoesInput(reply, [input])).toBe(echoed);
  });

  it('caps the length: the first sentence is clipped at a word, later ones end the reply', () => {
    const long = 'word '.repeat(100).trim();
    const first = guardSentence(long, { ...ctx, maxChars: 50 });
    expect(first).toMatchObject({ ok: true, last: true });
    expect((first as { text: string }).text.length).toBeLessThanOrEqual(50);
    expect((first as { text: string }).text.endsWith('word')).toBe(true);
    expect(guardSentence('Another sentence.', { ...ctx, spokenChars: 45, maxChars: 50 })).toEqual({ ok: true, text: '', last: true });
  });

  it('does not see slurs inside innocent words', () => {
    expect(moderate('the skys are clear', moderation)).toEqual({ ok: true });
    expect(clipAtWord('abc def', 10)).toBe('abc def');
  });
});
