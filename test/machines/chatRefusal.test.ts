/** When the platform's refusals make the bot's replies `degraded`, and when they reach chat again: the chatRefusal machine. */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { chatRefusalMachine, type ChatRefusalEmitted } from '../../machines/chatRefusal.ts';

function refusal() {
  const actor = createActor(chatRefusalMachine);
  const out: ChatRefusalEmitted[] = [];
  actor.on('*', (e) => out.push(e));
  actor.start();
  const notice = (msgId: string) => actor.send({ type: 'line.refused', msgId, channel: 'streamer', bot: 'picklebot' });
  return { actor, out, notice };
}

describe('chatRefusal', () => {
  it('a refusal the streamer can fix makes replies refused (with the fix) until one is delivered again', () => {
    const r = refusal();
    r.actor.send({ type: 'line.delivered' });
    expect(r.out).toEqual([]);
    r.notice('msg_slowmode');
    expect(r.actor.getSnapshot().value).toBe('refused');
    expect(r.out).toEqual([expect.objectContaining({ type: 'replies.refused', msgId: 'msg_slowmode' })]);
    expect(r.out[0]).toMatchObject({ fix: expect.stringContaining('/mod picklebot') });
    r.actor.send({ type: 'line.delivered' });
    expect(r.out.at(-1)).toEqual({ type: 'replies.delivered', msgId: 'msg_slowmode' });
    expect(r.actor.getSnapshot().value).toBe('delivering');
  });

  it('a dropped reply or another notice is only logged, and does not lift a refusal', () => {
    const r = refusal();
    r.notice('msg_duplicate');
    r.notice('host_on');
    expect(r.out).toEqual([
      { type: 'reply.dropped', msgId: 'msg_duplicate', detail: 'Twitch dropped one reply (msg_duplicate)' },
      { type: 'notice.other', msgId: 'host_on' },
    ]);
    expect(r.actor.getSnapshot().value).toBe('delivering');
    r.notice('msg_banned');
    r.notice('msg_duplicate');
    expect(r.actor.getSnapshot().value).toBe('refused');
  });

  it('joining the channel again forgets the refusal without announcing a delivery', () => {
    const r = refusal();
    r.notice('msg_timedout');
    r.actor.send({ type: 'channel.joined' });
    r.actor.send({ type: 'line.delivered' });
    expect(r.out.map((e) => e.type)).toEqual(['replies.refused']);
  });
});
