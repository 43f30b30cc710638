/**
 * Twitch's limits on the bot's own chat lines, as the chat pacing machine takes them
 * (machines/chatPacing). Going over the per-user bucket locks the account out of chat for 30
 * minutes, so each figure leans to the safe side.
 */
import type { ChatSendLimits } from '../../machines/chatPacing/pacing.ts';

export const TWITCH_SEND_LIMITS: ChatSendLimits = {
  windowMs: 30_000,
  normalLimit: 20,
  privilegedLimit: 100,
  // Twitch's minimum slow mode is 1 s; a little more for jitter.
  minIntervalMs: 1_100,
  // Twitch allows 500 characters, but tmi.js splits anything of 500 UTF-16 units or more into a
  // second message sent behind our back.
  maxChars: 499,
  duplicateWindowMs: 30_000,
  maxQueue: 5,
  safetyMs: 1_000,
};
