import { assertEvent, assign, emit, setup } from 'xstate';

/**
 * Who Pickle is in a chat: the bot, which reads and writes, or an anonymous reader, which only
 * reads. Without credentials it reads anonymously from the start. When the chat refuses the bot's
 * login for good (the token is dead and could not be renewed), the streamer's setting decides:
 * stay down until the token is fixed, or go on reading anonymously so chat still reaches Pickle
 * while it cannot answer there.
 */

/** Why the chat is read-only: worded by the adapter, which knows the platform's settings. */
export type ReadOnlyBecause = 'no-credentials' | 'refused';

export type ChatAccessEvent = { type: 'access.refused' };
export type ChatAccessEmitted = { type: 'access.readOnly'; because: ReadOnlyBecause };

export interface ChatAccessInput {
  credentials: boolean;
  readAnonymouslyWhenRefused: boolean;
}

export const chatAccessMachine = setup({
  types: {
    context: {} as { readAnonymouslyWhenRefused: boolean; because: ReadOnlyBecause | null },
    events: {} as ChatAccessEvent,
    input: {} as ChatAccessInput,
    emitted: {} as ChatAccessEmitted,
  },
  guards: {
    hasNoCredentials: ({ context }) => context.because === 'no-credentials',
    readsAnonymouslyWhenRefused: ({ context }) => context.readAnonymouslyWhenRefused,
  },
  actions: {
    readOnlyAfterRefusal: assign({ because: 'refused' as const }),
    announceReadOnly: emit(({ event }) => {
      assertEvent(event, 'access.refused');
      return { type: 'access.readOnly' as const, because: 'refused' as const };
    }),
  },
}).createMachine({
  id: 'chatAccess',
  context: ({ input }) => ({
    readAnonymouslyWhenRefused: input.readAnonymouslyWhenRefused,
    because: input.credentials ? null : 'no-credentials',
  }),
  initial: 'choosing',
  states: {
    choosing: {
      always: [{ guard: 'hasNoCredentials', target: 'anonymous' }, { target: 'bot' }],
    },
    bot: {
      on: {
        'access.refused': [
          { guard: 'readsAnonymouslyWhenRefused', target: 'anonymous', actions: ['readOnlyAfterRefusal', 'announceReadOnly'] },
          { target: 'refused' },
        ],
      },
    },
    /** Down until the streamer fixes the credentials (a restart reads them again). */
    refused: {},
    anonymous: {},
  },
});
