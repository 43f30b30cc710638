import { assertEvent, assign, enqueueActions, setup } from 'xstate';

/**
 * What a chat platform's refusal of the bot's message means for the streamer, pure.
 *
 * The chat adapter reports the NOTICE id it got as a fact; this decides whether it is worth a
 * `degraded` status (the bot's replies are not reaching chat, and the streamer can fix it) or
 * only a log line (one reply dropped for a reason that passes by itself), and with which fix.
 */

export type ChatRefusalVerdict =
  | { kind: 'degraded'; detail: string; fix: string }
  | { kind: 'dropped'; detail: string }
  | { kind: 'other' };

const MAKE_MOD = 'make the bot a moderator in the channel (type `/mod BOTNAME` in chat) so Twitch lets it send faster';

/** Twitch NOTICE msg-ids answering a PRIVMSG from the bot. `channel` without `#`, `bot` the bot login. */
export function chatRefusalVerdict(msgId: string, channel: string, bot: string): ChatRefusalVerdict {
  const mod = MAKE_MOD.replace('BOTNAME', bot || 'botname');
  switch (msgId) {
    case 'msg_ratelimit':
      return { kind: 'degraded', detail: `Twitch refused a reply in #${channel}: the bot is sending too fast`, fix: `${mod}, or let Pickle reply less often` };
    case 'msg_slowmode':
      return {
        kind: 'degraded',
        detail: `#${channel} is in slow mode: some replies are not reaching chat`,
        fix: `${mod} (or VIP: \`/vip ${bot || 'botname'}\`), or turn slow mode off (\`/slowoff\`)`,
      };
    case 'msg_banned':
      return { kind: 'degraded', detail: `the bot is banned from #${channel}: its replies are not shown`, fix: `unban it in the channel (\`/unban ${bot || 'botname'}\`)` };
    case 'msg_timedout':
      return { kind: 'degraded', detail: `the bot is timed out in #${channel}: its replies are not shown`, fix: `lift the timeout (\`/untimeout ${bot || 'botname'}\`) or wait for it to end` };
    case 'msg_channel_suspended':
    case 'msg_room_not_found':
      return { kind: 'degraded', detail: `Twitch says #${channel} does not exist or is suspended`, fix: 'check TWITCH_CHANNEL (the channel login, e.g. "streamername")' };
    case 'msg_suspended':
      return { kind: 'degraded', detail: 'the bot account is suspended by Twitch', fix: 'use another bot account (a new TWITCH_BOT_TOKEN)' };
    case 'msg_verified_email':
    case 'msg_requires_verified_phone_number':
      return { kind: 'degraded', detail: `#${channel} only lets verified accounts chat`, fix: 'verify the bot account’s email and phone on twitch.tv, or make it a moderator' };
    case 'msg_followersonly':
    case 'msg_followersonly_followed':
    case 'msg_followersonly_zero':
    case 'msg_subsonly':
    case 'msg_emoteonly':
      return { kind: 'degraded', detail: `#${channel} is in a restricted chat mode (${msgId}): replies are not reaching chat`, fix: `${mod}` };
    case 'msg_duplicate':
    case 'msg_rejected':
    case 'msg_rejected_mandatory':
      return { kind: 'dropped', detail: `Twitch dropped one reply (${msgId})` };
    default:
      return { kind: 'other' };
  }
}

export type ChatRefusalEvent =
  /** The platform refused (or answered) one of the bot's lines: its notice id, the channel, the bot's login. */
  | { type: 'line.refused'; msgId: string; channel: string; bot: string }
  /** One of the bot's lines reached chat (Twitch: USERSTATE after a PRIVMSG) while the channel is joined. */
  | { type: 'line.delivered' }
  /** Joined again: nothing is known to be refused any more. */
  | { type: 'channel.joined' };

export type ChatRefusalEmitted =
  | { type: 'replies.refused'; msgId: string; detail: string; fix: string }
  | { type: 'replies.delivered'; msgId: string }
  | { type: 'reply.dropped'; msgId: string; detail: string }
  | { type: 'notice.other'; msgId: string };

/**
 * Whether the bot's replies reach chat: a refusal worth telling the streamer makes them `refused`
 * (the adapter reports the platform `degraded` with the fix) until a line is delivered again
 * (`up` again) or the channel is joined anew.
 */
export const chatRefusalMachine = setup({
  types: {
    context: {} as { refusedBy: string | undefined },
    events: {} as ChatRefusalEvent,
    emitted: {} as ChatRefusalEmitted,
  },
  actions: {
    judge: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'line.refused');
      const verdict = chatRefusalVerdict(event.msgId, event.channel, event.bot);
      if (verdict.kind === 'other') return enqueue.emit({ type: 'notice.other', msgId: event.msgId });
      if (verdict.kind === 'dropped') return enqueue.emit({ type: 'reply.dropped', msgId: event.msgId, detail: verdict.detail });
      enqueue.assign({ refusedBy: event.msgId });
      enqueue.emit({ type: 'replies.refused', msgId: event.msgId, detail: verdict.detail, fix: verdict.fix });
    }),
    restored: enqueueActions(({ context, enqueue }) => {
      if (context.refusedBy !== undefined) enqueue.emit({ type: 'replies.delivered', msgId: context.refusedBy });
      enqueue.assign({ refusedBy: undefined });
    }),
    forget: assign({ refusedBy: undefined }),
  },
  guards: {
    refused: ({ context }) => context.refusedBy !== undefined,
  },
}).createMachine({
  id: 'chatRefusal',
  context: { refusedBy: undefined },
  initial: 'delivering',
  on: {
    'line.refused': { actions: 'judge', target: '.check' },
    'channel.joined': { actions: 'forget', target: '.delivering' },
  },
  states: {
    check: { always: [{ guard: 'refused', target: 'refused' }, { target: 'delivering' }] },
    delivering: {},
    /** Replies are refused: the streamer was told, with the fix. */
    refused: {
      on: { 'line.delivered': { actions: 'restored', target: 'delivering' } },
    },
  },
});
