/**
 * Kick's limits on the bot's chat lines, as the pacing machine takes them. Kick publishes no figure
 * for its public chat API; chat slow mode starts at 1 s, so Pickle keeps to one line every 1.5 s
 * and 20 a minute, 500 characters (Kick's longest line).
 */
import type { ChatSendLimits } from '../../machines/chatPacing/pacing.ts';

export const KICK_SEND_LIMITS: ChatSendLimits = {
  windowMs: 60_000,
  normalLimit: 20,
  privilegedLimit: 20,
  minIntervalMs: 1_500,
  maxChars: 500,
  duplicateWindowMs: 30_000,
  maxQueue: 5,
  safetyMs: 1_000,
};
