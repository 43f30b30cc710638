/**
 * Model output as unkind as real models get: endless whitespace under a JSON grammar (cut off
 * with a clear failure, the next reply fine) and a reasoning model's `<think>` section (never
 * parsed, never spoken), through the real `ollama` and `openai` clients against the stand-ins.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BLANK_RUN_LIMIT, nextBlankRun } from '../../machines/replyOutput.ts';
import type { PromptMessage } from '../../machines/events.ts';
import { LlmError } from '../../src/llm/errors.ts';
import { createOllamaLlm, type OllamaLlm } from '../../src/llm/ollama.ts';
import { createOpenAiLlm, type OpenAiLlm } from '../../src/llm/openai.ts';
import { ThinkStripper } from '../../src/llm/think.ts';
import type { ReplyHandlers } from '../../src/llm/types.ts';
import { silentLogger } from '../../src/log.ts';
import { StatusBoard } from '../../src/status.ts';
import { startOllamaStandin, type OllamaStandin } from '../standins/ollama.ts';
import { startOpenAiStandin, type OpenAiStandin } from '../standins/openai.ts';

const PROMPT: PromptMessage[] = [
  { role: 'system', content: 'You are Pickle, a co-host. Answer with JSON: {"emotion", "text"}.' },
  { role: 'user', content: 'viewer42: pickle how is the run?' },
];
const REPLY = { emotion: 'happy', text: 'The run is great. Keep going!' };
const THOUGHTS = 'The user asks about the run. I should say "it is great". Wait. Let me think. Done.';

let ollama: OllamaStandin | undefined;
let openai: OpenAiStandin | undefined;
let llms: Array<OllamaLlm | OpenAiLlm> = [];
afterEach(async () => {
  for (const l of llms) await l.stop();
  llms = [];
  await ollama?.close();
  await openai?.close();
  ollama = openai = undefined;
});

function handlers(): ReplyHandlers & { said: string[] } {
  const said: string[] = [];
  return { said, onEmotion: () => undefined, onSentence: (s) => void said.push(s) };
}

function ollamaLlm(s: OllamaStandin): OllamaLlm {
  const llm = createOllamaLlm({ host: s.url, model: 'phi3.5:latest', log: silentLogger(), status: new StatusBoard(), timeoutMs: 60_000 });
  llms.push(llm);
  return llm;
}

describe('endless whitespace in JSON mode', () => {
  it('is cut off after a run of blank tokens with a clear bad-output failure; the next reply is fine', async () => {
    ollama = await startOllamaStandin({ endlessWhitespace: true });
    ollama.responder = () => REPLY;
    const llm = ollamaLlm(ollama);
    const h = handlers();
    const ended = ollama.nextStream();
    const err = await llm.generate(PROMPT, h, new AbortController().signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LlmError);
    expect(err).toMatchObject({ kind: 'bad-output', retryable: true });
    expect((err as LlmError).message).toMatch(/only whitespace/);
    expect(h.said).toEqual([]);
    // The request was closed by Pickle, not left to run: the model is free again.
    expect(await ended).toMatchObject({ outcome: 'client-closed' });
    expect((await ended).pieces).toBeLessThan(BLANK_RUN_LIMIT * 2);

    ollama.endlessWhitespace = false;
    const again = handlers();
    await llm.generate(PROMPT, again, new AbortController().signal);
    expect(again.said).toEqual(['The run is great.', 'Keep going!']);
  });

  it('counts only whitespace-only tokens in a row', () => {
    let run = 0;
    for (const p of ['{', '\n', ' ', '', '\t']) run = nextBlankRun(run, p);
    expect(run).toBe(3);
    expect(nextBlankRun(run, ' "a')).toBe(0);
  });
});

describe('<think> sections', () => {
  it('Ollama: the thoughts are never spoken, the answer is', async () => {
    ollama = await startOllamaStandin({ think: THOUGHTS });
    ollama.responder = () => REPLY;
    const h = handlers();
    const r = await ollamaLlm(ollama).generate(PROMPT, h, new AbortController().signal);
    expect(ollama.streams.at(-1)?.content).toContain('<think>'); // the stand-in did send them
    expect(h.said).toEqual(['The run is great.', 'Keep going!']);
    expect(r).toMatchObject({ text: REPLY.text, emotion: 'happy' });
  });

  it('OpenAI-compatible: the same', async () => {
    openai = await startOpenAiStandin({ apiKey: 'sk-test-0123456789', think: THOUGHTS });
    openai.responder = () => REPLY;
    const llm = createOpenAiLlm({ baseUrl: openai.url, apiKey: 'sk-test-0123456789', model: 'gpt-4o-mini', log: silentLogger(), status: new StatusBoard() });
    llms.push(llm);
    const h = handlers();
    const r = await llm.generate(PROMPT, h, new AbortController().signal);
    expect(h.said).toEqual(['The run is great.', 'Keep going!']);
    expect(r.text).toBe(REPLY.text);
  });

  it('strips tags cut anywhere across pieces, keeps text that only looks like a tag start', () => {
    const input = 'a<thi' + 'nk>sec' + 'ret</th' + 'ink>b <t' + 'hank you';
    for (let cut = 1; cut <= 4; cut++) {
      const t = new ThinkStripper();
      let out = '';
      for (let i = 0; i < input.length; i += cut) out += t.push(input.slice(i, i + cut));
      out += t.end();
      expect(out).toBe('ab <thank you');
    }
  });
});
