import type { ChatMessage, StreamEvent, VisionScene } from '../events.ts';
import { clip } from '../text.ts';

/** Short human summaries for the panel and the log (the text inside stays untrusted). */

/** Longest quote of a line in a decision's summary. */
const QUOTE_CHARS = 80;

export function summariseBatch(messages: readonly ChatMessage[]): string {
  const users = [...new Set(messages.map((m) => m.displayName))];
  const who = users.length <= 3 ? users.join(', ') : `${users.slice(0, 3).join(', ')} +${users.length - 3}`;
  const last = messages[messages.length - 1];
  return `${messages.length} message${messages.length === 1 ? '' : 's'} from ${who}${last ? `: "${clip(last.text, QUOTE_CHARS)}"` : ''}`;
}

export function describeStreamEvent(e: StreamEvent): string {
  switch (e.kind) {
    case 'raid':
      return `${e.displayName} is raiding with ${e.amount ?? 'some'} viewers`;
    case 'sub':
      return `${e.displayName} just subscribed`;
    case 'resub':
      return `${e.displayName} resubscribed${e.amount ? ` for ${e.amount} months` : ''}${e.text ? ` and said "${clip(e.text, QUOTE_CHARS)}"` : ''}`;
    case 'subgift':
      return `${e.displayName} gifted a sub${e.recipient ? ` to ${e.recipient}` : ''}`;
    case 'submysterygift':
      return `${e.displayName} gifted ${e.amount ?? 'some'} subs to the community`;
    case 'follow':
      return `${e.displayName} just followed`;
    case 'bits':
      return `${e.displayName} ${e.paid ? `sent a Super Chat of ${clip(e.paid, QUOTE_CHARS)}` : `cheered ${e.amount ?? 'some'} bits`}${e.text ? ` with "${clip(e.text, QUOTE_CHARS)}"` : ''}`;
  }
}

export const summariseSpeech = (text: string) => `streamer: "${clip(text, QUOTE_CHARS)}"`;

export function summariseScenes(scenes: readonly VisionScene[]): string {
  const last = scenes[scenes.length - 1];
  const n = scenes.reduce((sum, s) => sum + s.repeats, 0);
  return `camera: ${n} scene${n === 1 ? '' : 's'}${last ? `, now "${clip(last.text, QUOTE_CHARS)}"` : ''}`;
}
