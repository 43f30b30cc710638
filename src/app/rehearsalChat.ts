/**
 * Rehearsal chat: lines typed in the panel (or POSTed to /api/chat) become chat messages from the
 * broadcaster, on their own `rehearsal` platform, numbered so each has an id of its own.
 */
import type { ChatMessage, PickleEvent } from '../../machines/events.ts';

export function rehearsalChat(send: (event: PickleEvent) => void): (msg: { user: string; text: string }) => void {
  let rehearsalCount = 0;
  return ({ user, text }) => {
    rehearsalCount += 1;
    const login = user.toLowerCase().replace(/[^a-z0-9_]/g, '') || 'streamer';
    const message: ChatMessage = {
      platform: 'rehearsal',
      id: `rehearsal-${rehearsalCount}`,
      user: login,
      displayName: user,
      text,
      role: 'broadcaster',
      ts: Date.now(),
    };
    send({ type: 'chat.message', message });
  };
}
