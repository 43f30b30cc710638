/**
 * The orchestrator with Pickle's adapters as its services (LLM reply and summary, recall, TTS,
 * playback, plugins) and each machine's start-up input (persona, moderation lists, test timings).
 */
import { createActor } from 'xstate';
import { providePickle, type PickleActor } from '../../machines/orchestrator.ts';
import type { Env } from '../config/env.ts';
import type { Settings } from '../config/settings.ts';
import { createSummariseActor } from '../llm/summariseActor.ts';
import { createReplyActor } from '../llm/replyActor.ts';
import type { LlmBackend } from '../llm/index.ts';
import type { MemoryService } from '../memory/index.ts';
import { recallNothing } from '../clock.ts';
import { meteredLlm, type Counters } from '../metrics.ts';
import { createModeratedReplyActor } from '../moderation/replyActor.ts';
import type { AppModeration } from '../moderation/setup.ts';
import type { Plugins } from '../plugins/index.ts';
import type { Voice } from '../tts/index.ts';
import type { LivePersona } from './persona.ts';
import type { PickleOptions } from './types.ts';

export interface PickleOrchestratorParts {
  env: Env;
  opts: PickleOptions;
  settings: Settings;
  persona: LivePersona;
  blocklist: string[];
  llm: LlmBackend;
  counters: Counters;
  moderation: AppModeration;
  plugins: Plugins;
  voice: Voice;
  memory: MemoryService;
}

export function createPickleOrchestrator(parts: PickleOrchestratorParts): PickleActor {
  const { env, opts, llm, counters, moderation, plugins, voice, memory, blocklist } = parts;
  const botLogin = env.TWITCH_BOT_USERNAME;
  const runtime = () => parts.persona.runtime(parts.settings);
  return createActor(providePickle({ generateReply: env.MODERATION === 'off' ? createReplyActor(meteredLlm(llm, counters)) : createModeratedReplyActor(meteredLlm(llm, counters), moderation.service), summariseChat: createSummariseActor(llm), plugin: plugins.actor, synthesize: voice.synthesize, playback: voice.playback, recallMemories: memory.recallActor ?? recallNothing }), {
    input: {
      plugins: plugins.specs,
      chat: { persona: runtime(), ignoreBots: env.TWITCH_IGNORE_BOTS, ...(botLogin ? { botLogin } : {}) },
      brain: { persona: runtime(), blocklist, wordLists: moderation.wordLists(), baitingRule: moderation.baitingRule, random: opts.random ?? Math.random, promptBudget: llm.initialBudget().promptTokens, ...(opts.tuning?.recallBudgetMs ? { recallBudgetMs: opts.tuning.recallBudgetMs } : {}) },
      voice: {
        ...(opts.tuning?.voiceMsPerChar !== undefined ? { msPerChar: opts.tuning.voiceMsPerChar } : {}),
        ...(opts.tuning?.minSentenceMs !== undefined ? { minSentenceMs: opts.tuning.minSentenceMs } : {}),
      },
      avatar: { captionHoldMs: opts.tuning?.captionHoldMs ?? env.CAPTION_HOLD_SEC * 1000 },
    },
  });
}
