import { describe, expect, it } from 'vitest';
import { recordsOf } from '../../machines/memory/rules.ts';
import type { ChatMessage } from '../../machines/events.ts';
import type { ModerationCategory } from '../../machines/moderation/types.ts';
import { defaultModerationData } from './corpus.ts';

const persona = { id: 'default', name: 'Pickle' };
let n = 0;
const newId = () => String(++n);
const chat = (text: string, user = 'viewer'): ChatMessage => ({ platform: 'twitch', id: `m${++n}`, user, displayName: user, text, role: 'viewer', ts: n });

describe('long-term memory keeps only what the moderation pipeline passes', () => {
  const data = defaultModerationData();

  it('personal data about the streamer (address, phone, email, where they live) is never stored', () => {
    const blocked: ModerationCategory[] = [];
    const lines = [
      'the streamer lives at 742 Evergreen Terrace btw',
      'her phone number is 555 867 5309 call her',
      'dm her at jane.doe at gmail dot com lol',
      'she wohnt in der Hauptstraße 12 in Köln',
      'I love playing Elden Ring every weekend',
    ];
    const records = recordsOf({ type: 'chat.batch', messages: lines.map((t) => chat(t)), flush: 'timer' }, persona, newId, undefined, { data, blocked: (c) => void blocked.push(c) });
    expect(records.map((r) => r.text)).toEqual(['I love playing Elden Ring every weekend']);
    expect(blocked).toEqual(['personal-data', 'personal-data', 'personal-data', 'personal-data']);
  });

  it('the streamer saying their own address on stream is not stored either; links and slurs neither', () => {
    expect(recordsOf({ type: 'speech.final', text: 'my new place is 221b Baker Street, come visit', ts: 1 }, persona, newId, undefined, { data })).toEqual([]);
    expect(recordsOf({ type: 'chat.batch', messages: [chat('free skins at skinz dot gg go go go')], flush: 'timer' }, persona, newId, undefined, { data })).toEqual([]);
    expect(recordsOf({ type: 'chat.batch', messages: [chat('the streamer is a total f a g g o t lol')], flush: 'timer' }, persona, newId, undefined, { data })).toEqual([]);
  });

  it('harmless facts are stored as before', () => {
    const records = recordsOf({ type: 'chat.batch', messages: [chat('I live in Canada and I am a nurse'), chat('my therapist says I stream too much')], flush: 'timer' }, persona, newId, undefined, { data });
    expect(records).toHaveLength(2);
  });

  it('under load only the admitted lines are moderated: what admission turns away is never looked at', () => {
    const blocked: ModerationCategory[] = [];
    const lines = ['her phone number is 555 867 5309 call her', 'the streamer lives at 742 Evergreen Terrace btw', 'I love playing Elden Ring every weekend'];
    let admitted = 0;
    const admitOne = () => (admitted += 1) === 1;
    const records = recordsOf({ type: 'chat.batch', messages: lines.map((t) => chat(t)), flush: 'timer' }, persona, newId, undefined, { data, blocked: (c) => void blocked.push(c) }, admitOne);
    // The first line was admitted and blocked; the other two never reached the pipeline.
    expect(records).toEqual([]);
    expect(blocked).toEqual(['personal-data']);
    expect(admitted).toBe(3);
  });
});
