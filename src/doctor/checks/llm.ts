/** The LLM: Ollama (reachable, model pulled, one token and its latency) or an OpenAI-compatible server (/models). */
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import type { Env } from '../../config/env.ts';
import { normalizeModelName, splitHostCredentials } from '../../llm/ollama.ts';
import { fail, ok, reason, type Check, type CheckResult } from '../types.ts';

export function llmCheck(env: Env): Check {
  return env.LLM_BACKEND === 'openai' ? openAiCheck(env) : ollamaCheck(env);
}

function ollamaCheck(env: Env): Check {
  const host = env.OLLAMA_HOST ?? 'http://127.0.0.1:11434';
  const model = normalizeModelName(env.OLLAMA_MODEL);
  return {
    name: 'Ollama',
    run: async (signal): Promise<CheckResult> => {
      const endpoint = splitHostCredentials(host);
      const where = endpoint.url;
      const client = new Ollama({
        host: endpoint.url,
        headers: endpoint.headers,
        fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }),
      });
      let names: string[];
      try {
        names = (await client.list()).models.map((m) => normalizeModelName(m.name));
      } catch (err) {
        return fail('Ollama', `not reachable at ${where} (${reason(err)})`, 'start Ollama (https://ollama.com, or `ollama serve`), or set OLLAMA_HOST');
      }
      if (!names.includes(model)) return fail('Ollama', `model ${model} is not pulled (have: ${names.join(', ') || 'none'})`, `ollama pull ${env.OLLAMA_MODEL}`);
      const t0 = performance.now();
      try {
        await client.generate({ model, prompt: 'Say hi.', stream: false, options: { num_predict: 1 } });
      } catch (err) {
        return fail('Ollama', `${model} is pulled but did not answer (${reason(err)})`, 'check `ollama ps` and the Ollama log (not enough memory?)');
      }
      return ok('Ollama', `${model} at ${where}: one token in ${Math.round(performance.now() - t0)} ms`);
    },
  };
}

function openAiCheck(env: Env): Check {
  const base = env.LLM_BASE_URL ?? 'https://api.openai.com/v1';
  return {
    name: 'LLM (OpenAI)',
    run: async (signal): Promise<CheckResult> => {
      const client = new OpenAI({ baseURL: base, apiKey: env.LLM_API_KEY ?? 'no-key', maxRetries: 0, timeout: 8_000 });
      let ids: string[];
      try {
        const page = await client.models.list({ signal });
        ids = page.data.map((m) => m.id);
      } catch (err) {
        if (err instanceof OpenAI.AuthenticationError || err instanceof OpenAI.PermissionDeniedError)
          return fail('LLM (OpenAI)', `${base} refused the key (${err instanceof OpenAI.AuthenticationError ? 401 : 403})`, 'set LLM_API_KEY to a valid key for LLM_BASE_URL');
        return fail('LLM (OpenAI)', `${base} not reachable (${reason(err)})`, 'start the server (LM Studio, vLLM, llama.cpp…) or fix LLM_BASE_URL');
      }
      if (!ids.includes(env.LLM_MODEL)) return fail('LLM (OpenAI)', `model ${env.LLM_MODEL} not offered (have: ${ids.slice(0, 8).join(', ') || 'none'})`, 'set LLM_MODEL to one of the models listed');
      return ok('LLM (OpenAI)', `${base} offers ${env.LLM_MODEL}`);
    },
  };
}
