import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { speechMachine, type SpeechInput } from '../../machines/speech.ts';
import { echoScore, isEcho, sameWord, words } from '../../machines/speech/echo.ts';
import { harness } from './harness.ts';

const start = (input: SpeechInput = {}) => harness(speechMachine, input);
type H = ReturnType<typeof start>;

let ts = 0;
const fin = (h: H, text: string, endOfUtterance = true) => h.send({ type: 'stt.words', text, final: true, endOfUtterance, ts: ++ts });
const interim = (h: H, text: string) => h.send({ type: 'stt.words', text, final: false, endOfUtterance: false, ts: ++ts });
const vad = (h: H) => h.send({ type: 'stt.voiceActivity', ts: ++ts });
/** Pickle says these sentences: the brain sends them, the voice starts playing the first. */
function pickleSays(h: H, replyId: string, sentences: string[]) {
  sentences.forEach((text, index) => h.send({ type: 'reply.sentence', replyId, index, text, emotion: 'happy' }));
  h.send({ type: 'voice.sentenceStarted', replyId, index: 0, text: sentences[0]!, first: true });
}
const pickleDone = (h: H, replyId: string, spokenText = '') => h.send({ type: 'voice.done', replyId, spokenText, interrupted: false });

describe('speech machine: final transcripts', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it.each([
    ['Hey.', 'short'],
    ['ok', 'short'],
    ['  yes ', 'short'],
    ['Hello', 'final'],
    ['Pickle, what\'s up?', 'final'],
  ])('%j → %s (minimum 5 characters)', (text, expected) => {
    const h = start();
    fin(h, text);
    if (expected === 'final') {
      expect(h.of('speech.final')).toEqual([expect.objectContaining({ text: text.trim(), speaker: 'streamer' })]);
      expect(h.of('speech.ignored')).toEqual([]);
    } else {
      expect(h.of('speech.final')).toEqual([]);
      expect(h.of('speech.ignored')).toEqual([expect.objectContaining({ reason: 'short', text: text.trim() })]);
    }
  });

  it('joins the final pieces of one utterance until speech_final; interim results are not answered', () => {
    const h = start();
    interim(h, 'Pickle what');
    fin(h, 'Pickle, what did', false);
    interim(h, 'chat say about');
    fin(h, 'chat say about the food?', false);
    expect(h.of('speech.final')).toEqual([]);
    fin(h, '', true); // Deepgram ends an utterance with an empty speech_final result after a pause
    expect(h.of('speech.final').map((e) => e.text)).toEqual(['Pickle, what did chat say about the food?']);
  });

  it('UtteranceEnd ends an utterance that got no speech_final; an empty one emits nothing', () => {
    const h = start();
    fin(h, 'so anyway we are at the market', false);
    h.send({ type: 'stt.utteranceEnd', ts: ++ts });
    expect(h.of('speech.final').map((e) => e.text)).toEqual(['so anyway we are at the market']);
    h.send({ type: 'stt.utteranceEnd', ts: ++ts });
    expect(h.of('speech.final')).toHaveLength(1);
    expect(h.of('speech.ignored')).toHaveLength(0);
  });

  it('voice activity is passed on at once while Pickle is quiet', () => {
    const h = start();
    vad(h);
    expect(h.of('speech.started')).toHaveLength(1);
  });
});

describe('speech machine: echo guard and barge-in', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const reply = ['Bananas are the best snack for a long walk.', 'I would eat ten of them right now!'];

  it("Pickle's own words while it speaks: no speech.final, no barge-in; voice activity is held", () => {
    const h = start();
    pickleSays(h, 'r1', reply);
    vad(h);
    interim(h, 'bananas are the best');
    fin(h, 'Bananas are the best snack for a long walk.');
    expect(h.of('speech.started')).toEqual([]);
    expect(h.of('speech.final')).toEqual([]);
    expect(h.of('speech.ignored')).toEqual([expect.objectContaining({ reason: 'echo', text: 'Bananas are the best snack for a long walk.' })]);
  });

  it('an echo with recognition errors (missing word, "10" for "ten", a misheard word) is still an echo', () => {
    const h = start();
    pickleSays(h, 'r1', reply);
    fin(h, 'I would eat 10 of them rite now');
    fin(h, 'bananas are the best snake for along walk');
    expect(h.of('speech.final')).toEqual([]);
    expect(h.of('speech.ignored').map((e) => e.reason)).toEqual(['echo', 'echo']);
  });

  it("the streamer's own words while Pickle speaks barge in (timestamped at the voice activity) and reach the brain", () => {
    const h = start();
    pickleSays(h, 'r1', reply);
    vad(h);
    const vadTs = ts;
    interim(h, 'wait Pickle');
    expect(h.of('speech.started')).toEqual([{ type: 'speech.started', ts: vadTs }]);
    interim(h, 'wait Pickle hold on');
    fin(h, 'Wait, Pickle, hold on a second.');
    expect(h.of('speech.started')).toHaveLength(1); // once per stretch of Pickle speaking
    expect(h.of('speech.final').map((e) => e.text)).toEqual(['Wait, Pickle, hold on a second.']);
  });

  it('an echo interim between the voice activity and the streamer does not consume the barge-in', () => {
    const h = start();
    pickleSays(h, 'r1', reply);
    vad(h);
    interim(h, 'the best snack');
    expect(h.of('speech.started')).toEqual([]);
    interim(h, 'stop');
    expect(h.of('speech.started')).toHaveLength(1);
  });

  it('noise too short to tell ("uh") does not barge in', () => {
    const h = start({ minBargeInChars: 3 });
    pickleSays(h, 'r1', reply);
    vad(h);
    interim(h, 'uh');
    expect(h.of('speech.started')).toEqual([]);
  });

  it("words naming Pickle amid Pickle's own words are not an echo when most words are the streamer's", () => {
    expect(isEcho('Pickle stop talking about bananas', ['Bananas are the best snack, says Pickle.'])).toBe(false);
    expect(isEcho('the best snack', ['Bananas are the best snack, says Pickle.'])).toBe(true);
  });

  it('the echo window lasts echoTailMs after Pickle stops, then the same words are the streamer quoting Pickle', () => {
    const h = start({ echoTailMs: 2000 });
    pickleSays(h, 'r1', reply);
    pickleDone(h, 'r1', reply.join(' '));
    vi.advanceTimersByTime(1500);
    fin(h, 'I would eat ten of them right now!');
    expect(h.of('speech.ignored').map((e) => e.reason)).toEqual(['echo']);
    vi.advanceTimersByTime(600);
    fin(h, 'I would eat ten of them right now!');
    expect(h.of('speech.final').map((e) => e.text)).toEqual(['I would eat ten of them right now!']);
  });

  it("a new reply replaces the old text once Pickle was quiet; sentences queued but not yet played count too", () => {
    const h = start({ echoTailMs: 100 });
    pickleSays(h, 'r1', reply);
    pickleDone(h, 'r1');
    vi.advanceTimersByTime(200);
    pickleSays(h, 'r2', ['Chat says the tacos win.', 'Sorry, bananas.']);
    fin(h, 'Sorry bananas');
    fin(h, 'I would eat ten of them right now!');
    expect(h.of('speech.ignored').map((e) => e.text)).toEqual(['Sorry bananas']);
    expect(h.of('speech.final').map((e) => e.text)).toEqual(['I would eat ten of them right now!']);
  });
});

describe('echo similarity', () => {
  it('normalises words: case, punctuation, apostrophes, accents, number words', () => {
    expect(words("What's UP, Café? Ten!")).toEqual(['whats', 'up', 'cafe', '10']);
  });
  it('near misses count for longer words only', () => {
    expect(sameWord('bananas', 'banana')).toBe(true);
    expect(sameWord('snack', 'snake')).toBe(false); // two letters off a 5-letter word
    expect(sameWord('cat', 'hat')).toBe(false);
    expect(sameWord('everything', 'everythink')).toBe(true);
  });
  it('scores the share of the transcript found in order in the reference', () => {
    expect(echoScore('walk long a for', ['for a long walk'])).toBeCloseTo(0.25, 5);
    expect(echoScore('', ['anything'])).toBe(0);
    expect(echoScore('hello there', [])).toBe(0);
    expect(echoScore('for a long walk', ['Bananas are the best snack for a long walk.'])).toBe(1);
  });
});
