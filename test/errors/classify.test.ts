import { describe, expect, it } from 'vitest';
import { classifyChatDisconnect, classifyFailure, pusherVerdict } from '../../src/errors.ts';
import { youtubeFailureOf } from '../../src/youtube/api.ts';
import { LlmError } from '../../src/llm/errors.ts';
import { handshakeError } from '../../src/stt/errors.ts';
import { TtsError } from '../../src/tts/errors.ts';

describe('one classification for every service failure', () => {
  it('a refused key, a rate limit, a passing fault and a wrong setting mean the same for the LLM, the voice and hearing', () => {
    expect(new LlmError('auth', 'key refused', false).failureClass).toBe('auth');
    expect(new TtsError('auth', 'key refused', false).failureClass).toBe('auth');
    expect(handshakeError(401).failureClass).toBe('auth');
    expect(new TtsError('payment', 'no credit', false).failureClass).toBe('auth');
    expect(handshakeError(402).failureClass).toBe('auth');

    expect(new TtsError('rate-limit', '429', true).failureClass).toBe('rate-limited');
    expect(handshakeError(429).failureClass).toBe('rate-limited');

    expect(new LlmError('unreachable', 'down', true).failureClass).toBe('retryable');
    expect(new TtsError('server', '500', true).failureClass).toBe('retryable');
    expect(handshakeError(503).failureClass).toBe('retryable');

    expect(new LlmError('model-missing', 'pull it', false).failureClass).toBe('fatal');
    expect(handshakeError(400).failureClass).toBe('fatal');
  });

  it('the rule itself', () => {
    expect(classifyFailure('payment', false)).toBe('auth');
    expect(classifyFailure('rate-limit', true)).toBe('rate-limited');
    expect(classifyFailure('timeout', true)).toBe('retryable');
    expect(classifyFailure('bad-request', false)).toBe('fatal');
  });

  it("Twitch chat's disconnect reasons (tmi.js passes Twitch's NOTICE text) come from the same table", () => {
    expect(classifyChatDisconnect('Login authentication failed')).toEqual({ kind: 'auth', failure: 'auth' });
    expect(classifyChatDisconnect('Improperly formatted auth')).toEqual({ kind: 'auth', failure: 'auth' });
    expect(classifyChatDisconnect('Error logging in')).toEqual({ kind: 'auth', failure: 'auth' });
    expect(classifyChatDisconnect('Invalid NICK')).toEqual({ kind: 'bad-login', failure: 'fatal' });
    expect(classifyChatDisconnect('Connection closed.')).toEqual({ kind: 'closed', failure: 'retryable' });
    expect(classifyChatDisconnect('')).toEqual({ kind: 'closed', failure: 'retryable' });
  });
});

describe("Kick's Pusher close codes and YouTube's error reasons: read in the same file", () => {
  it('Pusher: 4000-4099 not retried, 4100-4199 after a pause, 4200-4299 at once, a drop retried', () => {
    expect(pusherVerdict(4001)).toEqual({ failure: 'fatal' });
    expect(pusherVerdict(4007)).toEqual({ failure: 'fatal' });
    expect(pusherVerdict(4100)).toEqual({ failure: 'rate-limited' });
    expect(pusherVerdict(4200)).toEqual({ restart: true });
    expect(pusherVerdict(4301)).toEqual({ failure: 'fatal' });
    expect(pusherVerdict(1006)).toEqual({ failure: 'retryable' });
    expect(pusherVerdict(undefined)).toEqual({ failure: 'retryable' });
  });

  it("YouTube: Google's reason first, then the status, then the message; anything else is retried", () => {
    const body = (reason: string, message = 'x') => JSON.stringify({ error: { code: 403, message, errors: [{ reason, domain: 'youtube.quota' }] } });
    expect(youtubeFailureOf(403, body('quotaExceeded')).failure).toBe('quotaExceeded');
    expect(youtubeFailureOf(401, body('quotaExceeded')).failure).toBe('quotaExceeded');
    expect(youtubeFailureOf(403, body('liveChatEnded')).failure).toBe('liveChatEnded');
    expect(youtubeFailureOf(404, body('keyInvalid')).failure).toBe('notFound');
    expect(youtubeFailureOf(400, body('badRequest', 'API key not valid. Please pass a valid API key.')).failure).toBe('auth');
    expect(youtubeFailureOf(403, body('SERVICE_DISABLED')).failure).toBe('auth');
    expect(youtubeFailureOf(401, '<html>Unauthorized</html>').failure).toBe('auth');
    expect(youtubeFailureOf(502, '<html>Bad gateway</html>').failure).toBe('retryable');
  });
});
