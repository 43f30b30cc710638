import { describe, expect, it } from 'vitest';
import { forgettingOf, isFact, recordsOf, removalOf, shouldStore, storageReason } from '../../machines/memory/rules.ts';
import type { ChatMessage } from '../../machines/events.ts';

const persona = { id: 'default', name: 'Pickle' };
let n = 0;
const newId = () => `x${++n}`;
const chat = (text: string, over: Partial<ChatMessage> = {}): ChatMessage => ({
  platform: 'twitch',
  id: `m-${text.length}-${n}`,
  user: 'sam',
  displayName: 'Sam',
  text,
  role: 'viewer',
  ts: 1000,
  ...over,
});

describe('the storage rule (seed): ≥ 5 words or an entity pattern', () => {
  it.each([
    // length
    { text: 'this stream is really good today', store: true, reason: 'length' },
    { text: 'one two three four five', store: true, reason: 'length' },
    { text: 'one two three four', store: false },
    // activities
    { text: 'playing tonight?', store: true, reason: 'activity' },
    { text: 'watched it', store: true, reason: 'activity' },
    { text: 'streaming later', store: true, reason: 'activity' },
    // preferences
    { text: 'i love pickles', store: true, reason: 'preference' },
    { text: 'hate mondays', store: true, reason: 'preference' },
    { text: 'my favourite', store: true, reason: 'preference' },
    { text: 'favorite one', store: true, reason: 'preference' },
    // identity
    { text: 'my name is sam', store: true, reason: 'identity' },
    { text: "i'm a nurse", store: true, reason: 'identity' },
    { text: 'called Bob', store: true, reason: 'identity' },
    // time references
    { text: 'see you tomorrow', store: true, reason: 'time' },
    { text: 'next week maybe', store: true, reason: 'time' },
    { text: 'exam on friday', store: true, reason: 'time' },
    // proper nouns: capitalised, not the first word of a sentence, not "I"
    { text: 'we visited Berlin', store: true, reason: 'proper-noun' },
    { text: 'go Ángel go', store: true, reason: 'proper-noun' },
    { text: 'Hello there', store: false },
    { text: 'ok. Nice one', store: false },
    { text: 'yes I do', store: false },
    // chatter that matches nothing
    { text: 'lol', store: false },
    { text: 'KEKW KEKW', store: false },
    { text: 'gg wp', store: false },
    { text: 'pog', store: false },
    { text: '   ', store: false },
    // commands never
    { text: '!forgetme please do it now okay', store: false },
  ])('$text → $store', ({ text, store, reason }) => {
    expect(shouldStore(text)).toBe(store);
    if (reason) expect(storageReason(text)).toBe(reason);
  });

  it.each([
    { text: "my name is Sam and I'm a nurse", fact: true },
    { text: 'I love Elden Ring', fact: true },
    { text: 'playing Zelda tonight', fact: true },
    { text: 'see you tomorrow everyone have fun', fact: false },
    { text: 'this chat is wild right now', fact: false },
  ])('facts (identity, preference, activity): $text → $fact', ({ text, fact }) => {
    expect(isFact(text)).toBe(fact);
  });
});

describe('records and removals from orchestrator events', () => {
  it('a chat batch keeps only the lines the rule stores, with who, when, source, persona and message id', () => {
    const a = chat("hi I'm Sam, a nurse from Leeds");
    const b = chat('lol', { user: 'kim', displayName: 'Kim' });
    const records = recordsOf({ type: 'chat.batch', messages: [a, b], flush: 'timer' }, persona, newId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ text: a.text, user: 'sam', displayName: 'Sam', source: 'chat', ts: 1000, persona: 'default', messageId: a.id, fact: true });
    expect(records[0]!.id).toMatch(/^chat-1000-x\d+$/);
  });

  it('speech, vision and spoken replies are stored under the streamer, the camera and the persona', () => {
    const speech = recordsOf({ type: 'speech.final', text: 'we are heading to the beach tomorrow', ts: 5 }, persona, newId);
    expect(speech[0]).toMatchObject({ user: 'streamer', source: 'speech', fact: false });
    const vision = recordsOf({ type: 'vision.batch', scenes: [{ text: 'a cat walks across the keyboard slowly', ts: 6, repeats: 1 }], flush: 'size' }, persona, newId);
    expect(vision[0]).toMatchObject({ user: 'camera', source: 'vision' });
    const reply = recordsOf({ type: 'reply.spoken', replyId: 'r1', text: 'Sam, nurses are the real heroes here.', emotion: 'happy', ts: 7 }, persona, newId);
    expect(reply[0]).toMatchObject({ user: 'default', displayName: 'Pickle', source: 'reply', persona: 'default' });
    expect(recordsOf({ type: 'reply.spoken', replyId: 'r2', text: 'ha!', emotion: 'happy', ts: 8 }, persona, newId)).toEqual([]);
  });

  it('CLEARMSG and bans are removed from LTM; timeouts and a chat clear are not', () => {
    expect(removalOf({ type: 'chat.removed', platform: 'twitch', messageIds: ['m1'], users: [], all: false })).toEqual({ op: 'delete', messageIds: ['m1'] });
    expect(removalOf({ type: 'chat.removed', platform: 'kick', messageIds: [], users: ['kick:troll'], all: false, banned: ['kick:troll'] })).toEqual({ op: 'delete', speakers: ['kick:troll'] });
    expect(removalOf({ type: 'chat.removed', platform: 'twitch', messageIds: [], users: ['twitch:troll'], all: false })).toBeUndefined(); // timeout
    expect(removalOf({ type: 'chat.removed', platform: 'twitch', messageIds: [], users: [], all: true })).toBeUndefined(); // /clear
  });

  it('!forgetme deletes the viewer who sent it, nobody else', () => {
    const f = forgettingOf({ type: 'chat.command', command: 'forgetme', args: ['kim'], message: chat('!forgetme kim') });
    // Their own lines (as platform:login), and every record about them (named in it, or a reply to them).
    expect(f).toEqual({ login: 'sam', op: { op: 'delete', speakers: ['twitch:sam'], about: ['sam'] }, provenance: true });
    // A moderation removal is not a forgetting, nor is another command.
    expect(removalOf({ type: 'chat.command', command: 'forgetme', args: [], message: chat('!forgetme') })).toBeUndefined();
    expect(forgettingOf({ type: 'chat.command', command: 'skip', args: [], message: chat('!skip') })).toBeUndefined();
  });

  it("a viewer's !forgetme on one platform leaves a same-named viewer's lines on another", () => {
    const f = forgettingOf({ type: 'chat.command', command: 'forgetme', args: [], message: chat('!forgetme', { platform: 'kick', user: 'alice' }) });
    expect(f?.op.speakers).toEqual(['kick:alice']);
    expect(f?.op.users).toBeUndefined();
  });

  it("the panel forgets platform:login as that viewer, a bare login on every platform", () => {
    expect(forgettingOf({ type: 'viewer.forget', login: 'youtube:bob' })?.op).toEqual({ op: 'delete', speakers: ['youtube:bob'], about: ['bob'] });
    expect(forgettingOf({ type: 'viewer.forget', login: 'Bob' })?.op).toEqual({ op: 'delete', users: ['bob'], about: ['bob'] });
    // Not a platform: the whole string is the login.
    expect(forgettingOf({ type: 'viewer.forget', login: 'nope:bob' })?.op).toEqual({ op: 'delete', users: ['nope:bob'], about: ['nope:bob'] });
  });

  it('a reply being written when its viewer asked to be forgotten is not stored when spoken', () => {
    const known = new Set(['sam', 'bob']);
    const spoken = (text: string) => ({ type: 'reply.spoken' as const, replyId: 'r1', text, emotion: 'happy' as const, ts: 2000 });
    const during = (login: string, trigger?: { users: string[]; about: string[] }) => ({ known, forgottenDuring: () => [{ login, trigger }] });
    // It answered sam: dropped, whatever it says.
    expect(recordsOf(spoken('sure thing, that sounds like a great plan'), persona, newId, during('sam', { users: ['sam'], about: [] }))).toEqual([]);
    // It answered a line about sam: dropped.
    expect(recordsOf(spoken('sure thing, that sounds like a great plan'), persona, newId, during('sam', { users: ['bob'], about: ['sam'] }))).toEqual([]);
    // It names sam: dropped.
    expect(recordsOf(spoken('I hear sam went to Berlin last week'), persona, newId, during('sam', { users: ['bob'], about: [] }))).toEqual([]);
    // Someone else was forgotten meanwhile: the reply to bob is kept.
    expect(recordsOf(spoken('sure thing, that sounds like a great plan'), persona, newId, during('kim', { users: ['bob'], about: [] }))).toHaveLength(1);
  });
});
