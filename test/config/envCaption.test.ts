import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.ts';

describe('caption hold setting', () => {
  it('defaults to 5 s; takes seconds between 1 and 60', () => {
    expect(parseEnv({}).CAPTION_HOLD_SEC).toBe(5);
    expect(parseEnv({ CAPTION_HOLD_SEC: '2.5' }).CAPTION_HOLD_SEC).toBe(2.5);
  });

  it('out of range or not a number: one line naming the variable', () => {
    expect(() => parseEnv({ CAPTION_HOLD_SEC: '0' })).toThrow(/^CAPTION_HOLD_SEC: /);
    expect(() => parseEnv({ CAPTION_HOLD_SEC: 'long' })).toThrow(/^CAPTION_HOLD_SEC: /);
  });
});
