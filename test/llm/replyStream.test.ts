import { describe, expect, it } from 'vitest';
import { ReplyStreamParser, type ReplyPart } from '../../src/llm/replyStream.ts';

function feed(pieces: string[]): { parts: ReplyPart[]; parser: ReplyStreamParser } {
  const parser = new ReplyStreamParser();
  const parts = [...pieces.flatMap((p) => parser.push(p)), ...parser.end()];
  return { parts, parser };
}

function whole(raw: string) {
  return feed([raw]).parts;
}

const cases: Array<{ name: string; raw: string; expected: ReplyPart[]; text: string }> = [
  {
    name: 'schema output',
    raw: '{"emotion": "happy", "text": "Hello chat. You are all great! Bye"}',
    expected: [
      { type: 'emotion', emotion: 'happy' },
      { type: 'sentence', text: 'Hello chat.' },
      { type: 'sentence', text: 'You are all great!' },
      { type: 'sentence', text: 'Bye' },
    ],
    text: 'Hello chat. You are all great! Bye',
  },
  {
    name: 'escapes, unicode escapes and surrogate pairs',
    raw: '{"emotion":"laughing","text":"He said \\"hi\\" \\u00e9t\\u00e9. Emoji \\ud83d\\ude00 ok!\\nNew line"}',
    expected: [
      { type: 'emotion', emotion: 'laughing' },
      { type: 'sentence', text: 'He said "hi" été.' },
      { type: 'sentence', text: 'Emoji 😀 ok!' },
      { type: 'sentence', text: 'New line' },
    ],
    text: 'He said "hi" été. Emoji 😀 ok!\nNew line',
  },
  {
    name: 'unknown emotion becomes neutral',
    raw: '{"emotion": "furious", "text": "Grr."}',
    expected: [
      { type: 'emotion', emotion: 'neutral' },
      { type: 'sentence', text: 'Grr.' },
    ],
    text: 'Grr.',
  },
  {
    name: 'emotion case and spaces normalised',
    raw: '{"emotion": " Happy ", "text": "Yay."}',
    expected: [
      { type: 'emotion', emotion: 'happy' },
      { type: 'sentence', text: 'Yay.' },
    ],
    text: 'Yay.',
  },
  {
    name: 'text before emotion',
    raw: '{"text": "First. Second.", "emotion": "sad"}',
    expected: [
      { type: 'sentence', text: 'First.' },
      { type: 'sentence', text: 'Second.' },
      { type: 'emotion', emotion: 'sad' },
    ],
    text: 'First. Second.',
  },
  {
    name: 'no emotion at all',
    raw: '{"text": "Just words."}',
    expected: [
      { type: 'sentence', text: 'Just words.' },
      { type: 'emotion', emotion: 'neutral' },
    ],
    text: 'Just words.',
  },
  {
    name: 'unknown keys and non-string values are skipped',
    raw: '{"mood": {"a": [1, "}"]}, "emotion": null, "confidence": 0.9, "reply": "Hi there. Ok", "text": "ignored"}',
    expected: [
      { type: 'sentence', text: 'Hi there.' },
      { type: 'sentence', text: 'Ok' },
      { type: 'emotion', emotion: 'neutral' },
    ],
    text: 'Hi there. Ok',
  },
  {
    name: 'plain text instead of JSON',
    raw: 'Sure thing! I am Pickle. Nice',
    expected: [
      { type: 'emotion', emotion: 'neutral' },
      { type: 'sentence', text: 'Sure thing!' },
      { type: 'sentence', text: 'I am Pickle.' },
      { type: 'sentence', text: 'Nice' },
    ],
    text: 'Sure thing! I am Pickle. Nice',
  },
  {
    name: 'curly roleplay that is not JSON',
    raw: '{laughs} Oh no. Stop it',
    expected: [
      { type: 'emotion', emotion: 'neutral' },
      { type: 'sentence', text: '{laughs} Oh no.' },
      { type: 'sentence', text: 'Stop it' },
    ],
    text: '{laughs} Oh no. Stop it',
  },
  {
    name: 'markdown fence around the object',
    raw: '```json\n{"emotion": "smug", "text": "Told you."}\n```',
    expected: [
      { type: 'emotion', emotion: 'smug' },
      { type: 'sentence', text: 'Told you.' },
    ],
    text: 'Told you.',
  },
  {
    name: 'truncated object (token limit) flushes what came',
    raw: '{"emotion": "excited", "text": "This is great. And then the',
    expected: [
      { type: 'emotion', emotion: 'excited' },
      { type: 'sentence', text: 'This is great.' },
      { type: 'sentence', text: 'And then the' },
    ],
    text: 'This is great. And then the',
  },
  {
    name: 'truncated inside the emotion value',
    raw: '{"emotion": "exc',
    expected: [{ type: 'emotion', emotion: 'neutral' }],
    text: '',
  },
  {
    name: 'empty output',
    raw: '',
    expected: [{ type: 'emotion', emotion: 'neutral' }],
    text: '',
  },
  {
    name: 'leading whitespace and pretty printing',
    raw: '\n  {\n  "emotion" : "thinking" ,\n  "text" : "Hmm… Let me see."\n}\n',
    expected: [
      { type: 'emotion', emotion: 'thinking' },
      { type: 'sentence', text: 'Hmm…' },
      { type: 'sentence', text: 'Let me see.' },
    ],
    text: 'Hmm… Let me see.',
  },
];

describe('ReplyStreamParser', () => {
  it.each(cases)('$name (whole)', ({ raw, expected, text }) => {
    const { parts, parser } = feed([raw]);
    expect(parts).toEqual(expected);
    expect(parser.text).toBe(text);
  });

  it.each(cases)('$name: same result cut at every position', ({ raw, expected }) => {
    const chars = Array.from(raw);
    for (let cut = 0; cut <= chars.length; cut++) {
      const { parts } = feed([chars.slice(0, cut).join(''), chars.slice(cut).join('')]);
      expect(parts, `cut at ${cut}`).toEqual(expected);
    }
    // Three pieces, too: cuts at i and j.
    for (let i = 0; i <= chars.length; i += 3) {
      for (let j = i; j <= chars.length; j += 5) {
        const { parts } = feed([chars.slice(0, i).join(''), chars.slice(i, j).join(''), chars.slice(j).join('')]);
        expect(parts, `cuts at ${i},${j}`).toEqual(expected);
      }
    }
    expect(feed(chars).parts).toEqual(expected);
  });

  it('reports the emotion as soon as its closing quote arrives', () => {
    const parser = new ReplyStreamParser();
    expect(parser.push('{"emotion": "surpri')).toEqual([]);
    expect(parser.push('sed"')).toEqual([{ type: 'emotion', emotion: 'surprised' }]);
    expect(parser.push(', "text": "Oh!')).toEqual([]);
    expect(parser.push(' ')).toEqual([]);
    expect(parser.push('Wow')).toEqual([{ type: 'sentence', text: 'Oh!' }]);
  });

  it('flushes the last sentence when the text string closes, before the stream ends', () => {
    const parser = new ReplyStreamParser();
    expect(parser.push('{"emotion": "happy", "text": "One. Two')).toEqual([
      { type: 'emotion', emotion: 'happy' },
      { type: 'sentence', text: 'One.' },
    ]);
    // No end() yet: the closing quote alone completes "Two".
    expect(parser.push('"')).toEqual([{ type: 'sentence', text: 'Two' }]);
    expect(parser.push('}')).toEqual([]);
    expect(parser.end()).toEqual([]);
  });

  it('reports the emotion only once', () => {
    const parts = whole('{"emotion": "sad", "emotion": "happy", "text": "Hi."}');
    expect(parts.filter((p) => p.type === 'emotion')).toEqual([{ type: 'emotion', emotion: 'sad' }]);
  });
});
