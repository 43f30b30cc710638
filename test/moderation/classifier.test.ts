import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createActor, setup } from 'xstate';
import {
  ClassifierLoadError,
  DEFAULT_TOXICITY_MODEL,
  isToxic,
  loadOllamaGuard,
  loadTransformersClassifier,
  parseGuardAnswer,
} from '../../src/moderation/classifier.ts';
import { startModeration } from '../../src/moderation/index.ts';
import { createModeratedReplyActor } from '../../src/moderation/replyActor.ts';
import { StatusBoard } from '../../src/status.ts';
import { silentLogger } from '../../src/log.ts';
import { HUB_PROBE_MS } from '../../src/models/hub.ts';
import type { LlmClient } from '../../src/llm/types.ts';
import type { LlmEvent } from '../../machines/events.ts';
import { startHfHubStandin, type HfHubStandin } from '../standins/hfHub.ts';
import { startOllamaStandin } from '../standins/ollama.ts';

const GUARDS = ['phi3.5:latest', 'llama-guard3:1b', 'shieldgemma:2b'];

describe('guard answers', () => {
  it.each([
    ['safe', false, 'safe'],
    ['unsafe\nS10', true, 'S10 hate'],
    ['unsafe\nS11,S1', true, 'S11 suicide and self-harm'],
    ['Yes', true, 'policy violation'],
    ['No.', false, 'safe'],
  ])('%j → toxic %s (%s)', (answer, toxic, label) => {
    expect(parseGuardAnswer(answer)).toMatchObject({ toxic, label });
  });

  it('anything else is an error: the model is not a guard model', () => {
    expect(() => parseGuardAnswer('Hello! How can I help?')).toThrow(/neither safe\/unsafe nor yes\/no/);
  });

  it('scores: the worst toxic label at or above the threshold', () => {
    expect(isToxic([{ label: 'toxic', score: 0.91 }, { label: 'neutral', score: 0.09 }], 0.8)).toMatchObject({ toxic: true, label: 'toxic' });
    expect(isToxic([{ label: 'LABEL_1', score: 0.6 }, { label: 'LABEL_0', score: 0.4 }], 0.8)).toMatchObject({ toxic: false });
    expect(isToxic([{ label: 'neutral', score: 0.99 }], 0.5)).toMatchObject({ toxic: false });
  });
});

describe('MODERATION=ollama: guard models through the ollama client, against the Ollama stand-in', () => {
  it.each(['llama-guard3:1b', 'shieldgemma:2b'])('%s flags plain hate and self-harm, passes small talk', async (model) => {
    const ollama = await startOllamaStandin({ models: GUARDS });
    try {
      const guard = await loadOllamaGuard({ host: ollama.url, model });
      expect(guard.label).toBe(`${model} (Ollama)`);
      expect(await guard.classify('Those people are subhuman vermin.')).toMatchObject({ toxic: true });
      expect(await guard.classify('You should die, honestly.')).toMatchObject({ toxic: true });
      expect(await guard.classify('What a lovely sunset over the river!')).toMatchObject({ toxic: false });
      const sent = ollama.chatRequests().at(-1)!;
      expect(sent.model).toBe(model);
    } finally {
      await ollama.close();
    }
  });

  it('model not pulled → the pull command; not a guard model → says so; Ollama down → start it', async () => {
    const ollama = await startOllamaStandin({ models: ['phi3.5:latest'] });
    try {
      const missing = (await loadOllamaGuard({ host: ollama.url }).catch((e: unknown) => e)) as ClassifierLoadError;
      expect(missing.code).toBe('ollama-model-missing');
      expect(missing.fix).toContain('ollama pull llama-guard3:1b');
      const chat = (await loadOllamaGuard({ host: ollama.url, model: 'phi3.5:latest' }).catch((e: unknown) => e)) as ClassifierLoadError;
      expect(chat.code).toBe('load-failed');
      expect(chat.message).toContain('not a guard model');
      await ollama.refuse();
      const down = (await loadOllamaGuard({ host: ollama.url }).catch((e: unknown) => e)) as ClassifierLoadError;
      expect(down.code).toBe('ollama-unreachable');
      expect(down.fix).toContain('start Ollama');
    } finally {
      await ollama.close();
    }
  });
});

describe('MODERATION=transformers: the real transformers.js loading code, with the hub unreachable', () => {
  let dir: string;
  let hub: HfHubStandin | undefined;
  beforeAll(async () => {
    await import('@huggingface/transformers');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pickle-moderation-'));
  });
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('HF_HUB_OFFLINE and not cached: `model-missing`, no request leaves', async () => {
    hub = await startHfHubStandin();
    const err = (await loadTransformersClassifier({ modelsDir: dir, hubUrl: hub.url, offline: true, threshold: 0.8 }).catch((e: unknown) => e)) as ClassifierLoadError;
    expect(err.code).toBe('model-missing');
    expect(err.fix).toContain('unset HF_HUB_OFFLINE');
    expect(hub.requests).toEqual([]);
  });

  it('a hub that never answers: `offline` once the probe gives up (HUB_PROBE_MS), with the fix', async () => {
    hub = await startHfHubStandin({ hang: true });
    const t0 = performance.now();
    const err = (await loadTransformersClassifier({ modelsDir: dir, hubUrl: hub.url, threshold: 0.8 }).catch((e: unknown) => e)) as ClassifierLoadError;
    expect(err.code).toBe('offline');
    expect(err.message).toContain(`no answer within ${HUB_PROBE_MS} ms`);
    expect(err.fix).toContain('MODERATION=ollama');
    expect(performance.now() - t0).toBeLessThan(HUB_PROBE_MS + 5000);
  });

  it('a download that gives no usable model: `download-failed`, and nothing half-downloaded is kept', async () => {
    const progress: number[] = [];
    hub = await startHfHubStandin({
      repos: {
        [DEFAULT_TOXICITY_MODEL]: {
          'config.json': JSON.stringify({ model_type: 'bert', id2label: { 0: 'neutral', 1: 'toxic' } }),
          'tokenizer_config.json': JSON.stringify({ tokenizer_class: 'BertTokenizer' }),
          'tokenizer.json': JSON.stringify({ version: '1.0', model: { type: 'WordPiece', unk_token: '[UNK]', vocab: { '[UNK]': 0 } } }),
          'onnx/model_quantized.onnx': Buffer.alloc(2_000_000, 7),
        },
      },
    });
    const err = (await loadTransformersClassifier({ modelsDir: dir, hubUrl: hub.url, threshold: 0.8, onProgress: (p) => progress.push(p.progress) }).catch((e: unknown) => e)) as ClassifierLoadError;
    expect(err.code).toBe('download-failed');
    expect(existsSync(join(dir, DEFAULT_TOXICITY_MODEL))).toBe(false);
    expect(hub.requests.some((r) => r.path.startsWith(`/${DEFAULT_TOXICITY_MODEL}/resolve/main/`))).toBe(true);
  });
});

describe('moderation service: status line and /health', () => {
  const env = { MODERATION: 'off' as const, MODERATION_MODEL: undefined, MODERATION_THRESHOLD: 0.8, HF_ENDPOINT: 'http://127.0.0.1:9', HF_HUB_OFFLINE: false, OLLAMA_HOST: 'http://127.0.0.1:9' };

  it('off by default: list layers only, reported as such with how to add a classifier', async () => {
    const status = new StatusBoard();
    const m = startModeration({ env, dataDir: tmpdir(), log: silentLogger(), status, console: { line: () => {} }, languages: ['en', 'es', 'de'] });
    await m.ready;
    const line = status.all().find((s) => s.service === 'moderation')!;
    expect(line).toMatchObject({ state: 'up' });
    expect(line.detail).toContain('list layers on (profanity en/es/de');
    expect(line.fix).toContain('MODERATION=transformers');
    expect(m.health()).toMatchObject({ classifier: 'off', blocked: { replies: { total: 0 } } });
  });

  it('a classifier that cannot load: degraded with the fix, loud on the console, sentences pass unjudged', async () => {
    const hub = await startHfHubStandin({ hang: true });
    try {
      const status = new StatusBoard();
      const lines: string[] = [];
      const dir = mkdtempSync(join(tmpdir(), 'pickle-moderation-'));
      const m = startModeration({ env: { ...env, MODERATION: 'transformers', HF_ENDPOINT: hub.url }, dataDir: dir, log: silentLogger(), status, console: { line: (l) => lines.push(l) }, languages: ['en'] });
      expect(status.all().find((s) => s.service === 'moderation')!.state).toBe('starting');
      await m.ready;
      const line = status.all().find((s) => s.service === 'moderation')!;
      expect(line.state).toBe('degraded');
      expect(line.fix).toContain('connect to the internet');
      expect(lines.join('\n')).toMatch(/MODERATION: ML classifier unavailable/);
      expect(String(m.health()['classifier'])).toMatch(/^unavailable: /);
      expect(await m.judge('anything', new AbortController().signal)).toBeUndefined();
      // The folder is left in the system's temp dir: the hung download may still open a file in it
      // after the loader gave up, and removing it under that write fails the run.
    } finally {
      await hub.close();
    }
  });

  it('MODERATION=ollama: up with the guard model; counts by category', async () => {
    const ollama = await startOllamaStandin({ models: GUARDS });
    try {
      const status = new StatusBoard();
      const m = startModeration({ env: { ...env, MODERATION: 'ollama', OLLAMA_HOST: ollama.url }, dataDir: tmpdir(), log: silentLogger(), status, console: { line: () => {} }, languages: ['en'] });
      await m.ready;
      expect(status.all().find((s) => s.service === 'moderation')).toMatchObject({ state: 'up' });
      expect(await m.judge('Those people are subhuman vermin.', new AbortController().signal)).toMatchObject({ toxic: true });
      m.count('reply', 'link');
      m.count('reply', 'link');
      m.count('memory', 'personal-data');
      expect(m.health()).toMatchObject({ classifier: 'llama-guard3:1b (Ollama)', blocked: { replies: { total: 2, link: 2 }, memory: { total: 1, 'personal-data': 1 } } });
    } finally {
      await ollama.close();
    }
  });
});

describe('moderated reply actor', () => {
  it('sentences reach the brain at once, marked pending; verdicts follow as they come; done after the last', async () => {
    const llm: LlmClient = {
      generate(_messages, handlers) {
        handlers.onEmotion('happy');
        for (const s of ['One.', 'Bad two.', 'Three.']) handlers.onSentence(s);
        return Promise.resolve({ text: 'One. Bad two. Three.', emotion: 'happy', stats: { durationMs: 1 } });
      },
    };
    // The first judgement is the slowest: the sentences do not wait for it.
    const judge = {
      available: () => true,
      judge: (text: string) => new Promise<{ toxic: boolean; label: string }>((r) => setTimeout(() => r({ toxic: text.startsWith('Bad'), label: 'x' }), text === 'One.' ? 50 : 1)),
    };
    const events: LlmEvent[] = [];
    const host = setup({ types: { events: {} as LlmEvent }, actors: { reply: createModeratedReplyActor(llm, judge) } }).createMachine({
      invoke: { src: 'reply', input: { replyId: 'r1', messages: [] } },
      on: { '*': { actions: ({ event }) => void events.push(event) } },
    });
    createActor(host).start();
    await new Promise((r) => setTimeout(r, 200));
    const shown = (e: LlmEvent) =>
      e.type === 'llm.sentence' ? `${e.text}${e.pending ? ` #${e.seq}` : ''}` : e.type === 'llm.judged' ? `judged #${e.seq}${e.flagged ? ' flagged' : ''}` : e.type;
    expect(events.map(shown)).toEqual(['llm.emotion', 'One. #0', 'Bad two. #1', 'Three. #2', 'judged #1 flagged', 'judged #2', 'judged #0', 'llm.done']);
  });

  it('without a classifier, sentences go on unmarked', async () => {
    const llm: LlmClient = {
      generate(_messages, handlers) {
        handlers.onSentence('One.');
        return Promise.resolve({ text: 'One.', emotion: 'neutral', stats: { durationMs: 1 } });
      },
    };
    const events: LlmEvent[] = [];
    const host = setup({ types: { events: {} as LlmEvent }, actors: { reply: createModeratedReplyActor(llm, { available: () => false, judge: () => Promise.resolve(undefined) }) } }).createMachine({
      invoke: { src: 'reply', input: { replyId: 'r1', messages: [] } },
      on: { '*': { actions: ({ event }) => void events.push(event) } },
    });
    createActor(host).start();
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual([{ type: 'llm.sentence', text: 'One.', ts: expect.any(Number) }, expect.objectContaining({ type: 'llm.done' })]);
  });
});
