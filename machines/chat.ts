import { assertEvent, assign, enqueueActions, setup } from 'xstate';
import { mentionMatcher, namesOf } from './brain/gating.ts';
import { viewerKey, type ChatMessage, type ChatOutEvent, type InputEvent, type PersonaRuntime, type PluginEvent } from './events.ts';
import { CHAT_COMMANDS, isChatCommand } from './commands.ts';

/**
 * Chat: turns single chat lines into batches for the brain (the seed's 10 messages or 2 s),
 * drops Pickle's own and other bots' lines, collapses duplicate spam, parses commands,
 * and passes on what the mods removed.
 */

export interface ChatInput {
  persona: PersonaRuntime;
  /** Pickle's own Twitch login (its lines are never inputs). */
  botLogin?: string;
  /** Other bots to ignore (lowercase logins). */
  ignoreBots: readonly string[];
}

interface ChatContext extends ChatInput {
  pending: ChatMessage[];
}

type ChatEvent = Extract<
  InputEvent,
  { type: 'chat.message' | 'stream.event' | 'chat.deleted' | 'chat.cleared' | 'settings.changed' }
> | Extract<PluginEvent, { type: 'plugin.input' }>;

export const BATCH_WINDOW_MS = 2000;


export function parseCommand(text: string): { command: string; args: string[] } | undefined {
  const m = /^!([a-z]+)(?:\s+(.*))?$/i.exec(text.trim());
  if (!m) return undefined;
  return { command: m[1]!.toLowerCase(), args: (m[2] ?? '').split(/\s+/).filter(Boolean) };
}

/** Spam that differs only in case, spacing or repeated letters counts as the same line. */
export const spamKey = (text: string) =>
  text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/(.)\1{2,}/gu, '$1$1')
    .trim();

const isMod = (m: ChatMessage) => m.role === 'broadcaster' || m.role === 'moderator';

export const chatMachine = setup({
  types: {
    context: {} as ChatContext,
    events: {} as ChatEvent,
    input: {} as ChatInput,
  },
  delays: { batchWindow: BATCH_WINDOW_MS },
  guards: {
    hasPending: ({ context }) => context.pending.length > 0,
    noPending: ({ context }) => context.pending.length === 0,
  },
  actions: {
    flushTimer: enqueueActions(({ context, enqueue }) => {
      if (context.pending.length === 0) return;
      enqueue.sendParent({ type: 'chat.batch', messages: context.pending, flush: 'timer' } satisfies ChatOutEvent);
      enqueue.assign({ pending: [] });
    }),
    takeMessage: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['chat.message', 'plugin.input']);
      const message = event.message;
      const ignore = (reason: Extract<ChatOutEvent, { type: 'chat.ignored' }>['reason']) =>
        enqueue.sendParent({ type: 'chat.ignored', reason, message } satisfies ChatOutEvent);
      // The bot's login is its Twitch one: a same-named viewer elsewhere is somebody else.
      if (context.botLogin && message.platform === 'twitch' && message.user === context.botLogin) return ignore('self');
      if (context.ignoreBots.includes(message.user)) return ignore('bot');

      // A channel-point question is never a command, nor spam, and goes to the brain at once.
      const cmd = message.redemption ? undefined : parseCommand(message.text);
      if (cmd) {
        if (!isChatCommand(cmd.command)) return ignore('unknown-command');
        if (CHAT_COMMANDS[cmd.command] === 'mod' && !isMod(message)) return ignore('not-mod');
        enqueue.sendParent({
          type: 'chat.command',
          command: cmd.command,
          args: cmd.args,
          message,
        } satisfies ChatOutEvent);
        return;
      }

      const key = spamKey(message.text);
      const dupIndex = message.redemption ? -1 : context.pending.findIndex((m) => !m.redemption && spamKey(m.text) === key);
      let pending: ChatMessage[];
      if (dupIndex >= 0) {
        pending = context.pending.slice();
        const first = pending[dupIndex]!;
        pending[dupIndex] = { ...first, repeats: (first.repeats ?? 1) + 1 };
        ignore('duplicate');
      } else {
        pending = [...context.pending, message];
      }
      // A channel-point question is addressed to Pickle like a mention: no waiting for the batch window.
      const mentioned = message.redemption !== undefined || mentionMatcher(namesOf(context.persona))(message.text);
      const flush = mentioned ? 'mention' : pending.length >= context.persona.chatBatchSize ? 'size' : undefined;
      if (flush) {
        enqueue.sendParent({ type: 'chat.batch', messages: pending, flush } satisfies ChatOutEvent);
        enqueue.assign({ pending: [] });
      } else {
        enqueue.assign({ pending });
      }
    }),
    /** Removals act on one platform: a same-named viewer elsewhere keeps their lines. */
    removeModerated: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'chat.deleted') {
        const platform = event.platform;
        enqueue.assign({ pending: context.pending.filter((m) => m.platform !== platform || m.id !== event.messageId) });
        enqueue.sendParent({ type: 'chat.removed', platform, messageIds: [event.messageId], users: [], all: false } satisfies ChatOutEvent);
      } else if (event.type === 'chat.cleared') {
        const platform = event.platform;
        const key = event.user ? viewerKey(platform, event.user.toLowerCase()) : undefined;
        enqueue.assign({ pending: context.pending.filter((m) => m.platform !== platform || (key !== undefined && viewerKey(m.platform, m.user) !== key)) });
        enqueue.sendParent({
          type: 'chat.removed',
          platform,
          messageIds: [],
          users: key ? [key] : [],
          all: !key,
          ...(key && event.durationSec === undefined ? { banned: [key] } : {}),
        } satisfies ChatOutEvent);
      }
    }),
    forwardStreamEvent: enqueueActions(({ event, enqueue }) => {
      if (event.type === 'stream.event') enqueue.sendParent({ type: 'chat.event', event: event.event } satisfies ChatOutEvent);
    }),
    updatePersona: assign({
      persona: ({ context, event }) => (event.type === 'settings.changed' ? event.persona : context.persona),
    }),
  },
}).createMachine({
  id: 'chat',
  context: ({ input }) => ({ ...input, pending: [] }),
  initial: 'idle',
  on: {
    'chat.message': { actions: 'takeMessage' },
    // A plugin's line is a chat line like any other.
    'plugin.input': { actions: 'takeMessage' },
    'chat.deleted': { actions: 'removeModerated' },
    'chat.cleared': { actions: 'removeModerated' },
    'stream.event': { actions: 'forwardStreamEvent' },
    'settings.changed': { actions: 'updatePersona' },
  },
  states: {
    // Eventless transitions keep the window running from the batch's first message:
    // handling a message never re-enters `collecting`, so its timer is never restarted.
    idle: {
      always: { guard: 'hasPending', target: 'collecting' },
    },
    collecting: {
      always: { guard: 'noPending', target: 'idle' },
      after: { batchWindow: { actions: 'flushTimer', target: 'idle' } },
    },
  },
});
