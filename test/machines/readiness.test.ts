/** The header's verdict (pure): can Pickle reply now, and the Status card's one line. */
import { describe, expect, it } from 'vitest';
import { replyReadiness, type ReadinessFacts, type ServiceFact } from '../../machines/readiness.ts';

const freeSetup: ServiceFact[] = [
  { service: 'llm', state: 'up', detail: 'phi3.5 at Ollama' },
  { service: 'tts', state: 'up', detail: 'speaking with the local espeak-ng voice (Deepgram is optional: no DEEPGRAM_API_KEY)' },
  { service: 'moderation', state: 'up', detail: 'list layers on' },
  { service: 'memory', state: 'up', detail: 'long-term memory' },
  { service: 'twitch', state: 'disabled', detail: 'rehearsal mode', configured: false },
  { service: 'twitch-events', state: 'disabled', detail: 'off', configured: false },
  { service: 'stt', state: 'disabled', detail: 'no DEEPGRAM_API_KEY', configured: false },
  { service: 'vision', state: 'disabled', detail: 'VISION_ENABLED=false', configured: false },
  { service: 'obs', state: 'disabled', detail: 'OBS not connected', configured: false },
];
const facts = (over: Partial<ReadinessFacts> = {}): ReadinessFacts => ({
  services: freeSetup,
  brain: { state: 'idle', muted: false },
  pausedByScene: undefined,
  mode: 'rehearsal',
  senses: { ears: true, eyes: true },
  ...over,
});
const withService = (s: ServiceFact) => freeSetup.filter((x) => x.service !== s.service).concat(s);

describe('can Pickle reply now', () => {
  it('a free setup is ready: options left off are counted, not problems', () => {
    const r = replyReadiness(facts());
    expect(r).toMatchObject({ verdict: 'ready', rehearsal: true, privacy: false, problems: [] });
    expect(r.reason).toBeUndefined();
    expect(r.summary).toBe('Ready: local voice, chat from the panel; 5 optional features off');
  });

  it("the LLM down or still starting: can't reply, with the reason", () => {
    const down = replyReadiness(facts({ services: withService({ service: 'llm', state: 'down', detail: 'Ollama is not reachable at http://127.0.0.1:11434' }) }));
    expect(down).toMatchObject({ verdict: 'cant-reply', reason: 'LLM down: Ollama is not reachable at http://127.0.0.1:11434', problems: ['llm'] });
    expect(down.summary).toMatch(/^Can't reply: LLM down/);
    expect(replyReadiness(facts({ services: freeSetup.filter((s) => s.service !== 'llm') })).reason).toBe('LLM starting');
  });

  it('muted, or paused by an OBS scene, is a reason; privacy and the mode are shown apart', () => {
    expect(replyReadiness(facts({ brain: { state: 'idle', muted: true } })).reason).toMatch(/^muted/);
    expect(replyReadiness(facts({ brain: { state: 'idle', muted: true }, pausedByScene: 'BRB' })).reason).toBe('paused: OBS scene "BRB" is live');
    const priv = replyReadiness(facts({ senses: { ears: false, eyes: false } }));
    expect(priv).toMatchObject({ verdict: 'ready', privacy: true });
    expect(replyReadiness(facts({ senses: { ears: false, eyes: true } })).privacy).toBe(false);
  });

  it('on Twitch, chat down means rehearsal only; a configured service that fails needs a look, an option left off does not', () => {
    const twitch = { service: 'twitch', state: 'down', detail: 'cannot reach irc' } as const;
    const r = replyReadiness(facts({ mode: 'twitch', services: withService(twitch) }));
    expect(r).toMatchObject({ verdict: 'cant-reply', rehearsal: false });
    expect(r.reason).toMatch(/^rehearsal only: Twitch chat is down/);
    const degraded = replyReadiness(facts({ services: withService({ service: 'memory', state: 'degraded', detail: 'embedder fallback' }) }));
    expect(degraded.verdict).toBe('ready');
    expect(degraded.summary).toBe('Ready: local voice, chat from the panel; 5 optional features off; memory needs a look');
    const noVoice = replyReadiness(facts({ services: withService({ service: 'tts', state: 'disabled', detail: 'espeak-ng is not installed' }) }));
    expect(noVoice.summary).toMatch(/^Ready: captions only, .*tts needs a look$/);
  });
});
