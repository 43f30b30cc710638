import type { ChatMessage, PersonaRuntime } from '../../machines/events.ts';

export const persona: PersonaRuntime = {
  id: 'default',
  name: 'Pickle',
  aliases: ['picklebot'],
  personality: 'A witty co-host.',
  style: ['Keep it short'],
  spontaneousRate: 0.2,
  cooldownSec: 5,
  idleAfterSec: 0,
  chatBatchSize: 10,
  maxReplyChars: 300,
  acknowledge: { raid: true, sub: true, resub: true, subgift: true, submysterygift: true, bits: false, follow: false },
};

let n = 0;
export function msg(text: string, over: Partial<ChatMessage> = {}): ChatMessage {
  n += 1;
  return { platform: 'twitch', id: `m${n}`, user: 'viewer', displayName: 'Viewer', text, role: 'viewer', ts: 1_700_000_000_000 + n * 1000, ...over };
}
