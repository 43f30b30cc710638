import { describe, expect, it } from 'vitest';
import {
  chatMessageFromTags,
  cheerEventFromTags,
  isPrivileged,
  roleFromTags,
  streamEventFromUserNotice,
  userNoticeKind,
  type TmiTags,
} from '../../src/twitch/parse.ts';

const NOW = 1_700_000_000_000;

// Shapes as tmi.js hands them over: badges parsed to objects, "1"/"0" turned into booleans, "" into null.
describe('roleFromTags', () => {
  it.each<[string, TmiTags, string]>([
    ['broadcaster badge', { badges: { broadcaster: '1' }, mod: false }, 'broadcaster'],
    ['room owner by id without badge', { badges: null, 'room-id': '42', 'user-id': '42' }, 'broadcaster'],
    ['moderator badge', { badges: { moderator: '1', subscriber: '12' } }, 'moderator'],
    ['mod tag only', { badges: null, mod: true }, 'moderator'],
    ['raw mod tag', { mod: '1' }, 'moderator'],
    ['user-type mod', { 'user-type': 'mod' }, 'moderator'],
    ['raw badges string', { badges: 'moderator/1' }, 'moderator'],
    ['subscriber only', { badges: { subscriber: '3' }, mod: false, 'room-id': '1', 'user-id': '2' }, 'viewer'],
    ['vip is a viewer', { badges: { vip: '1' } }, 'viewer'],
    ['nothing', {}, 'viewer'],
  ])('%s', (_name, tags, role) => {
    expect(roleFromTags(tags)).toBe(role);
  });
});

describe('isPrivileged (bot send limits)', () => {
  it.each<[string, TmiTags, string | undefined, boolean]>([
    ['own channel', { badges: null }, 'streamer', true],
    ['moderator', { badges: { moderator: '1' }, mod: true }, 'bot', true],
    ['vip', { badges: { vip: '1' } }, 'bot', true],
    ['plain', { badges: null, mod: false }, 'bot', false],
    ['anonymous', {}, undefined, false],
  ])('%s', (_n, tags, login, expected) => {
    expect(isPrivileged(tags, login, '#streamer')).toBe(expected);
  });
});

describe('chatMessageFromTags', () => {
  const base: TmiTags = {
    'badge-info': null,
    badges: { subscriber: '12' },
    color: '#1E90FF',
    'display-name': 'Ünïcødé 名前',
    id: 'b34ccfc7-4977-403a-8a94-33c6bac34fb8',
    mod: false,
    'room-id': '1337',
    subscriber: true,
    'tmi-sent-ts': '1507246572675',
    'user-id': '1',
    username: 'unicode_user',
  };
  it.each<[string, TmiTags, string, Partial<ReturnType<typeof chatMessageFromTags>>]>([
    [
      'full tags',
      base,
      'hello; world \\ ok',
      {
        id: 'b34ccfc7-4977-403a-8a94-33c6bac34fb8',
        user: 'unicode_user',
        displayName: 'Ünïcødé 名前',
        text: 'hello; world \\ ok',
        role: 'viewer',
        ts: 1507246572675,
      },
    ],
    ['bits', { ...base, bits: '100' }, 'Cheer100 hi', { bits: 100 }],
    ['missing display name falls back to login', { ...base, 'display-name': null }, 'x', { displayName: 'unicode_user' }],
    ['missing ts uses the clock', { ...base, 'tmi-sent-ts': undefined }, 'x', { ts: NOW }],
    ['missing id is derived', { ...base, id: undefined }, 'x', { id: `unicode_user:1507246572675` }],
    ['upper-case login is lowered', { ...base, username: 'SomeOne' }, 'x', { user: 'someone' }],
  ])('%s', (_n, tags, text, expected) => {
    expect(chatMessageFromTags(tags, text, NOW)).toMatchObject(expected);
  });

  it('has no bits field without bits', () => {
    expect(chatMessageFromTags(base, 'x', NOW)).not.toHaveProperty('bits');
  });
});

describe('cheerEventFromTags', () => {
  it('makes a bits event with amount and text', () => {
    const ev = cheerEventFromTags({ username: 'fan', 'display-name': 'Fan', bits: '250', id: 'm1', 'tmi-sent-ts': '5' }, 'Cheer250 go!', NOW);
    expect(ev).toEqual({ platform: 'twitch', kind: 'bits', id: 'm1', user: 'fan', displayName: 'Fan', ts: 5, amount: 250, text: 'Cheer250 go!' });
  });
  it('returns undefined without bits', () => {
    expect(cheerEventFromTags({ username: 'fan' }, 'hi', NOW)).toBeUndefined();
  });
});

describe('userNoticeKind', () => {
  it.each([
    ['sub', 'sub'],
    ['resub', 'resub'],
    ['subgift', 'subgift'],
    ['anonsubgift', 'subgift'],
    ['submysterygift', 'submysterygift'],
    ['anonsubmysterygift', 'submysterygift'],
    ['raid', 'raid'],
    ['announcement', undefined],
    ['ritual', undefined],
    [undefined, undefined],
  ])('%s -> %s', (msgId, kind) => {
    expect(userNoticeKind(msgId)).toBe(kind);
  });
});

describe('streamEventFromUserNotice', () => {
  const common = { id: 'n1', 'tmi-sent-ts': '1000', 'room-id': '9' };
  it.each<[string, Parameters<typeof streamEventFromUserNotice>, object]>([
    [
      'sub',
      ['sub', { ...common, login: 'alice', 'display-name': 'Alice', 'msg-id': 'sub' }, null, NOW],
      { kind: 'sub', id: 'n1', user: 'alice', displayName: 'Alice', ts: 1000 },
    ],
    [
      'resub with months and message',
      ['resub', { ...common, login: 'bob', 'display-name': 'Bob', 'msg-param-cumulative-months': '14' }, 'still here', NOW],
      { kind: 'resub', user: 'bob', amount: 14, text: 'still here' },
    ],
    [
      'resub of 1 month (tmi turned "1" into true)',
      ['resub', { ...common, login: 'bob', 'msg-param-cumulative-months': true }, '', NOW],
      { kind: 'resub', amount: 1 },
    ],
    [
      'subgift names the recipient',
      [
        'subgift',
        { ...common, login: 'carol', 'display-name': 'Carol', 'msg-param-recipient-display-name': 'Dävid', 'msg-param-recipient-user-name': 'david' },
        undefined,
        NOW,
      ],
      { kind: 'subgift', user: 'carol', recipient: 'Dävid', amount: 1 },
    ],
    [
      'mystery gift count',
      ['submysterygift', { ...common, login: 'erin', 'msg-param-mass-gift-count': '5' }, null, NOW],
      { kind: 'submysterygift', user: 'erin', displayName: 'erin', amount: 5 },
    ],
    [
      'raid uses msg-param-displayName and viewerCount',
      [
        'raid',
        { ...common, login: 'raider', 'display-name': 'raider', 'msg-param-displayName': 'Räider', 'msg-param-login': 'raider', 'msg-param-viewerCount': '123' },
        null,
        NOW,
      ],
      { kind: 'raid', user: 'raider', displayName: 'Räider', amount: 123 },
    ],
  ])('%s', (_n, args, expected) => {
    expect(streamEventFromUserNotice(...args)).toMatchObject(expected);
  });

  it('has no text when the notice has none', () => {
    expect(streamEventFromUserNotice('sub', { login: 'a' }, '  ', NOW)).not.toHaveProperty('text');
  });
});
