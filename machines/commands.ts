/**
 * Chat commands, declared once: the name a viewer types after `!`, and who may use it. The chat
 * machine parses and authorises them from this table; what each one does is the brain's
 * `command` action (machines/brain/inputActions.ts) or a machine `ROUTES` sends `chat.command` to
 * (`senses` for `!privacy`).
 */
export const CHAT_COMMANDS = {
  skip: 'mod',
  mute: 'mod',
  unmute: 'mod',
  persona: 'mod',
  privacy: 'mod',
  recap: 'mod',
  unblock: 'mod',
  forgetme: 'anyone',
} as const satisfies Record<string, 'mod' | 'anyone'>;

export type ChatCommandName = keyof typeof CHAT_COMMANDS;
/** Commands only the broadcaster and moderators may use. */
export type ModCommand = { [K in ChatCommandName]: (typeof CHAT_COMMANDS)[K] extends 'mod' ? K : never }[ChatCommandName];
/** Commands anyone may use. */
export type ViewerCommand = Exclude<ChatCommandName, ModCommand>;

export const isChatCommand = (name: string): name is ChatCommandName => Object.hasOwn(CHAT_COMMANDS, name);
