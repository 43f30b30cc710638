import type { ServiceName, ServiceState } from './events.ts';

/**
 * Can Pickle reply now? The one verdict the panel's header shows, decided here from the facts the
 * adapters report (every service's status, the brain's state, the mode, the senses, an OBS scene
 * that paused Pickle), so the page never guesses it. Pure: the same facts give the same verdict.
 * `offline` is not decided here: only the page knows it lost Pickle.
 */

export interface ServiceFact {
  service: ServiceName;
  state: ServiceState;
  detail: string;
  /** `false`: an optional feature the streamer did not set up. */
  configured?: false;
}

export interface ReadinessFacts {
  services: readonly ServiceFact[];
  brain: { state: 'idle' | 'thinking' | 'speaking' | 'cooldown'; muted: boolean } | undefined;
  /** The OBS scene that muted Pickle while it is live, if one did. */
  pausedByScene: string | undefined;
  /** rehearsal: no channel, chat comes from the panel; anonymous: reads chat, cannot post. */
  mode: 'rehearsal' | 'twitch' | 'anonymous';
  senses: { ears: boolean; eyes: boolean };
}

export type ReplyVerdict = 'ready' | 'cant-reply';

export interface Readiness {
  verdict: ReplyVerdict;
  /** Why Pickle cannot reply, in words (absent when ready). */
  reason?: string;
  /** Chat comes from the panel only (no channel set). */
  rehearsal: boolean;
  /** Ears and eyes are both off (`!privacy` or the panel). */
  privacy: boolean;
  /** One line for the Status card: "Ready: local voice, chat from the panel; 5 optional features off". */
  summary: string;
  /** Optional features not set up, and configured ones not working as they should. */
  off: ServiceName[];
  problems: ServiceName[];
}

const PROBLEM_STATES: readonly ServiceState[] = ['down', 'degraded', 'disabled'];

/** What the streamer did not set up is a choice; a configured service that fails is a problem. */
export function isProblem(s: ServiceFact): boolean {
  return s.configured !== false && PROBLEM_STATES.includes(s.state);
}

function cantReplyReason(f: ReadinessFacts, by: Map<ServiceName, ServiceFact>): string | undefined {
  const llm = by.get('llm');
  if (!llm || llm.state === 'starting') return 'LLM starting';
  if (llm.state === 'down' || llm.state === 'disabled') return `LLM down: ${llm.detail}`;
  if (f.brain?.muted) return f.pausedByScene !== undefined ? `paused: OBS scene "${f.pausedByScene}" is live` : 'muted: press Unmute to answer again';
  const twitch = by.get('twitch');
  if (f.mode !== 'rehearsal' && twitch?.state === 'down') return `rehearsal only: Twitch chat is down (${twitch.detail})`;
  return undefined;
}

function voicePhrase(tts: ServiceFact | undefined): string {
  if (!tts || tts.state === 'disabled' || tts.state === 'down') return 'captions only';
  return /espeak/i.test(tts.detail) && !/fallback/i.test(tts.detail) ? 'local voice' : 'voice';
}

function chatPhrase(mode: ReadinessFacts['mode']): string {
  if (mode === 'rehearsal') return 'chat from the panel';
  return mode === 'anonymous' ? 'reading Twitch chat' : 'Twitch chat';
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function replyReadiness(f: ReadinessFacts): Readiness {
  const by = new Map(f.services.map((s) => [s.service, s]));
  const reason = cantReplyReason(f, by);
  const off = f.services.filter((s) => s.configured === false).map((s) => s.service);
  const problems = f.services.filter(isProblem).map((s) => s.service);
  const tail = [
    ...(off.length ? [`${plural(off.length, 'optional feature', 'optional features')} off`] : []),
    ...(problems.length ? [`${problems.join(', ')} ${problems.length === 1 ? 'needs' : 'need'} a look`] : []),
  ];
  const summary = reason
    ? `Can't reply: ${reason}`
    : `Ready: ${voicePhrase(by.get('tts'))}, ${chatPhrase(f.mode)}${tail.length ? `; ${tail.join('; ')}` : ''}`;
  return {
    verdict: reason ? 'cant-reply' : 'ready',
    ...(reason ? { reason } : {}),
    rehearsal: f.mode === 'rehearsal',
    privacy: !f.senses.ears && !f.senses.eyes,
    summary,
    off,
    problems,
  };
}
