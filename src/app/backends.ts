/**
 * The services the machines call, started in order: the LLM client (its health loop starts later,
 * with the rest of Pickle), long-term memory, the voice and the plugins.
 */
import type { Env } from '../config/env.ts';
import type { SettingsStore } from '../config/settings.ts';
import type { ConsoleOut } from '../console.ts';
import { createLlm, type LlmBackend } from '../llm/index.ts';
import type { Logger } from '../log.ts';
import { startMemory, type MemoryService } from '../memory/index.ts';
import type { AppModeration } from '../moderation/setup.ts';
import { loadPlugins, type Plugins } from '../plugins/index.ts';
import type { StatusBoard } from '../status.ts';
import { startVoice, type Voice } from '../tts/index.ts';
import type { LivePersona } from './persona.ts';
import type { PickleOptions } from './types.ts';

export interface BackendParts {
  env: Env;
  log: Logger;
  status: StatusBoard;
  out: ConsoleOut;
  settings: SettingsStore;
  dataDir: string;
  rootDir: string;
  persona: LivePersona;
  moderation: AppModeration;
  tuning: PickleOptions['tuning'];
}

export interface Backends {
  llm: LlmBackend;
  memory: MemoryService;
  voice: Voice;
  plugins: Plugins;
}

export async function startBackends(parts: BackendParts): Promise<Backends> {
  const { env, log, status, out, settings, dataDir, moderation, tuning } = parts;
  const persona = parts.persona;
  // LLM: LLM_BACKEND picks Ollama (default) or an OpenAI-compatible server.
  const llm = createLlm(env, {
    log: log.child({ service: 'llm' }),
    status,
    ...(tuning?.llmRetryMs ? { retryIntervalMs: tuning.llmRetryMs } : {}),
  });

  // Long-term memory: Chroma and the embedder start in the background; the brain's recall step asks it.
  const memory = await startMemory({
    env,
    dataDir,
    log: log.child({ service: 'memory' }),
    status,
    console: out,
    persona: () => ({ id: persona.current().id, name: persona.current().file.name, aliases: persona.current().file.aliases }),
    moderation: () => moderation.storage(),
    ...(tuning?.memory ? { tuning: tuning.memory } : {}),
  });

  // Voice: Deepgram / espeak-ng / captions only (status says which), played by the overlay.
  const voice = await startVoice({
    env,
    log: log.child({ service: 'tts' }),
    status,
    settings,
    persona: () => persona.current(),
    ...(tuning?.localVoice !== undefined ? { localVoice: tuning.localVoice } : {}),
    ...(tuning?.voiceLeadMs !== undefined ? { leadMs: tuning.voiceLeadMs } : {}),
    ...(tuning?.ttsRetryMs !== undefined ? { retryDelayMs: tuning.ttsRetryMs } : {}),
  });

  // Plugins: modules in plugins/ and PLUGINS, each run as an actor `plugin:<name>` (src/plugins).
  const plugins = await loadPlugins({ env, rootDir: parts.rootDir, dataDir, log: log.child({ service: 'plugins' }), status });
  return { llm, memory, voice, plugins };
}
