import { describe, expect, it } from 'vitest';
import { chatEntry, forgetViewer, type StmEntry } from '../../machines/brain/stm.ts';
import { msg } from './fixtures.ts';

const line = (platform: 'twitch' | 'kick', user: string, text: string, id: string) => chatEntry(msg(text, { platform, user, displayName: user, id }));
const reply = (text: string, about: string[]): StmEntry => ({ id: `r-${text}`, kind: 'reply', user: 'pickle', displayName: 'Pickle', text, ts: 0, about });

describe("short-term memory forgets a viewer by platform:login", () => {
  const stm = [
    line('twitch', 'alice', 'hello from twitch', 't1'),
    line('kick', 'alice', 'hello from kick', 'k1'),
    line('kick', 'bob', 'alice lives in Ohio', 'k2'),
    line('twitch', 'carol', 'nice weather', 't2'),
    reply('hi there', ['alice']),
  ];

  it("Kick alice's !forgetme: her Kick lines, lines that name alice and replies to alice go; Twitch alice's own line stays", () => {
    const left = forgetViewer(stm, 'kick:alice').map((e) => e.id);
    expect(left).toEqual(['t1', 't2']);
  });

  it("Twitch alice's !forgetme leaves Kick alice's own line", () => {
    expect(forgetViewer(stm, 'twitch:alice').map((e) => e.id)).toEqual(['k1', 't2']);
  });

  it('the panel forgetting a bare login forgets it on every platform', () => {
    expect(forgetViewer(stm, 'alice').map((e) => e.id)).toEqual(['t2']);
  });
});
