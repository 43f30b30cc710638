import { describe, expect, it } from 'vitest';
import { obsTrouble } from '../../src/obs/requestWords.ts';

/** Every OBS request status Pickle can meet reads as a sentence with a step, never OBS's raw comment. */
describe('OBS request statuses in words', () => {
  const codes = [207, 505, 600, 601, 602, 605, 700, 701, 702, 703, 203, 204, 300, 401, 500, 999, -1];

  it('each code has a sentence and a step of its own kind', () => {
    for (const code of codes) {
      const t = obsTrouble(code, 'CreateInput');
      expect(t.message.length, String(code)).toBeGreaterThan(20);
      expect(t.fix.length, String(code)).toBeGreaterThan(10);
      expect(t.message).not.toMatch(/Your specified|properly versioned/);
    }
    expect(obsTrouble(207, 'GetSceneList').message).toMatch(/starting or loading a scene collection/);
    expect(obsTrouble(505, 'SetCurrentProgramScene').fix).toMatch(/Studio Mode/);
    expect(obsTrouble(605, 'CreateInput').message).toMatch(/no Browser Source \(the obs-browser plugin is missing\)/);
    expect(obsTrouble(605, 'CreateInput').fix).toMatch(/obsproject\.com.*Flatpak.*PPA/);
    for (const code of [700, 701, 702, 703]) expect(obsTrouble(code, 'CreateInput').message).toMatch(/OBS could not do it \(CreateInput\)/);
    expect(obsTrouble(600, 'GetInputSettings').message).not.toBe(obsTrouble(601, 'GetInputSettings').message);
  });
});
