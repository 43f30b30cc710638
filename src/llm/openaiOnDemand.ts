/**
 * The OpenAI-compatible backend behind a module load on first use: the `openai` client (~13 MB,
 * ~250 ms to import) is loaded only by a Pickle whose LLM_BACKEND is `openai`, when it starts its
 * health loop or writes its first reply. The backend itself is `openai.ts`, unchanged.
 */
import type { LlmClient } from './types.ts';
import type { OpenAiLlm, OpenAiLlmOptions } from './openai.ts';

export type OpenAiBackend = LlmClient & Pick<OpenAiLlm, 'model' | 'contextWindow' | 'start' | 'stop'>;

export function createOpenAiLlmOnDemand(opts: OpenAiLlmOptions): OpenAiBackend {
  let llm: OpenAiLlm | undefined;
  let loading: Promise<OpenAiLlm> | undefined;
  let stopped = false;
  const load = () => (loading ??= import('./openai.ts').then((m) => (llm = m.createOpenAiLlm(opts))));
  return {
    model: opts.model,
    generate: async (messages, handlers, signal) => (await load()).generate(messages, handlers, signal),
    contextWindow: () => llm?.contextWindow(),
    start() {
      void load().then((l) => {
        if (!stopped) l.start();
      });
    },
    async stop() {
      stopped = true;
      if (loading) await (await loading).stop();
    },
  };
}
