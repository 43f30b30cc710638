/**
 * YouTube's limits on the bot's chat lines as the pacing machine takes them. YouTube publishes no
 * per-user rate; each insert costs 20 quota units, so Pickle writes sparingly: one line every 3 s
 * at most, 200 characters (liveChatMessages.insert refuses longer).
 */
import type { ChatSendLimits } from '../../machines/chatPacing/pacing.ts';

export const YOUTUBE_SEND_LIMITS: ChatSendLimits = {
  windowMs: 60_000,
  normalLimit: 10,
  privilegedLimit: 10,
  minIntervalMs: 3_000,
  maxChars: 200,
  duplicateWindowMs: 30_000,
  maxQueue: 3,
  safetyMs: 1_000,
};
