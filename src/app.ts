import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createActor } from 'xstate';
import { providePickle, type PickleActor } from '../machines/orchestrator.ts';
import type { BrainActor } from '../machines/brain.ts';
import type { ChatMessage, PickleEvent, PersonaRuntime } from '../machines/events.ts';
import { secretsOf, type Env } from './config/env.ts';
import { listPersonas, loadBlocklist, loadPersona, toRuntime, type Persona } from './config/persona.ts';
import { createSettingsStore, type Settings } from './config/settings.ts';
import { silentConsole, statusLine, type ConsoleOut } from './console.ts';
import { createLlm, watchContextBudget } from './llm/index.ts';
import { createSummariseActor } from './llm/summariseActor.ts';
import { createReplyActor } from './llm/replyActor.ts';
import { loadPlugins } from './plugins/index.ts';
import type { Logger } from './log.ts';
import { Counters, meteredLlm } from './metrics.ts';
import { screensRouter, startScreens, type Screens } from './screens/index.ts';
import { createServer } from './server/server.ts';
import { isLoopbackHost } from './server/guard.ts';
import { secureDataDir } from './security/dataDir.ts';
import { networkSecrets } from './security/secrets.ts';
import { reportDisabledServices } from './services.ts';
import { startVoice, type Voice } from './tts/index.ts';
import { StatusBoard } from './status.ts';
import type { Ears, EarsTuning } from './stt/index.ts';
import { createTwitchChat, type TwitchChat } from './twitch/client.ts';
import { withVisionRoutes, type VisionService, type VisionTuning } from './vision/index.ts';
import { startMemory, withMemoryRoutes, type MemoryOptions, type MemoryService } from './memory/index.ts';
import { loadStoredTokens, saveTokens } from './twitch/tokenStore.ts';
import { startEventFeed } from './twitch/eventsub/index.ts';
import { rewardTitleOf } from './config/persona.ts';
import { createObs, muteScenesOf, withObsRoutes } from './obs/index.ts';
import { setupModeration } from './moderation/setup.ts';
import { withModerationRoutes } from './moderation/api.ts';
import { createModeratedReplyActor } from './moderation/replyActor.ts';
import type { ModerationOptions } from './moderation/index.ts';
import { withSensesRoutes } from './browser/routes.ts';
import type { Senses } from './senses/index.ts';
import { startSensesStack } from './senses/start.ts';
import { watchAudience } from './audio/audience.ts';

/** The repository root: personas/ and overlay/ live there, whatever the working directory. */
export const ROOT_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface PickleOptions {
  env: Env;
  log: Logger;
  console?: ConsoleOut;
  /** Randomness for the spontaneous roll (tests pass a fixed sequence). */
  random?: () => number;
  personasDir?: string;
  /** `--new-token`: new access token and overlay key (token mode), the old links stop working. */
  newToken?: boolean;
  /** Faster timings for tests: LLM health retry, Twitch reconnect backoff. */
  tuning?: {
    llmRetryMs?: number;
    twitchBackoffMs?: number;
    captionHoldMs?: number;
    voiceMsPerChar?: number;
    minSentenceMs?: number;
    /** Voice: false = never use espeak-ng (tests that are not about the voice); player lead; TTS retry pause. */
    localVoice?: boolean;
    voiceLeadMs?: number;
    ttsRetryMs?: number;
    /** Panel chart sampling and inspector batching (screens). */
    analyticsMs?: number;
    inspectorFlushMs?: number;
    /** false: no /inspector at all (the benchmark's baseline). */
    inspector?: boolean;
    /** Camera sampling, retries and browser switches (vision). */
    vision?: VisionTuning;
    /** Deepgram KeepAlive/backoff, audio chunking, stdin (ears). */
    stt?: EarsTuning;
    /** Long-term memory: Chroma restart delay, write batching, journal retry, hub probe. */
    memory?: MemoryOptions['tuning'];
    /** How long a reply waits for long-term memory (default 150 ms). */
    recallBudgetMs?: number;
    /** Moderation: hub probe, classifier timeout per sentence. */
    moderation?: ModerationOptions['tuning'];
  };
}

export interface PickleApp {
  url: string;
  port: number;
  status: StatusBoard;
  orchestrator: PickleActor;
  counters: Counters;
  /** Overlay state, panel history and charts, statechart inspector. */
  screens: Screens;
  /** The camera (VISION_ENABLED=true only). */
  vision?: VisionService;
  /** The streamer's voice (Deepgram live transcription). */
  ears: Ears;
  /** Long-term memory (Chroma + embeddings). */
  memory: MemoryService;
  /** The voice: TTS engines and the audio outputs (overlay, local device). */
  voice: Voice;
  /** Ears and eyes on or off (panel, settings API, !privacy). */
  senses: Senses;
  /** The hidden browser shared by the senses (undefined when no browser was found). */
  browserPid(): number | undefined;
  mode: 'twitch' | 'anonymous' | 'rehearsal';
  /** Printed at start when the server is reachable from the network. */
  accessToken?: string;
  /** What the overlay URL carries (`?key=`) when the server is reachable from the network. */
  overlayKey?: string;
  stop(): Promise<void>;
}

export async function startPickle(opts: PickleOptions): Promise<PickleApp> {
  const { env, log } = opts;
  const out = opts.console ?? silentConsole;
  const personasDir = opts.personasDir ?? join(ROOT_DIR, 'personas');
  const dataDir = resolve(env.PICKLE_DATA_DIR);
  // Owner only (chat, memories, tokens); repairs what older versions left readable.
  const repaired = secureDataDir(dataDir);
  if (repaired > 0) log.info({ event: 'data-dir.repaired', entries: repaired }, 'data folder made owner-only');

  const status = new StatusBoard();
  // Every status change, from the first (what is disabled and how to enable it), on the console and in the log.
  status.on('change', (s) => {
    log.info({ event: 'status', service: s.service, state: s.state, detail: s.detail }, 'service status');
    out.line(statusLine(s));
  });
  const counters = new Counters();
  const settings = createSettingsStore({ dataDir, log });
  if (settings.warning) out.line(`! ${settings.warning}`);

  // Persona: the settings' choice (last used, switched live) wins over PERSONA, if it still exists.
  const saved = settings.get().persona.name;
  const personaId = saved !== 'default' && listPersonas(personasDir).includes(saved) ? saved : env.PERSONA;
  let persona: Persona = loadPersona(personasDir, personaId);
  if (personaId !== saved) settings.update({ persona: { name: personaId } });
  const blocklist = loadBlocklist(join(personasDir, 'blocklist.txt'));
  // Moderation: word lists for the persona's languages, the optional ML classifier, counts and silences.
  const moderation = setupModeration({ env, personasDir, persona, blocklist, dataDir, log: log.child({ service: 'moderation' }), status, console: out, ...(opts.tuning?.moderation ? { tuning: opts.tuning.moderation } : {}) });
  const runtime = (p: Persona, s: Settings): PersonaRuntime =>
    toRuntime(p, { spontaneousRate: s.persona.spontaneousRate, cooldownSec: s.persona.cooldownSec, idleAfterSec: s.persona.idleAfterSec, replyInChat: s.persona.replyInChat });

  reportDisabledServices(env, status);

  // LLM: LLM_BACKEND picks Ollama (default) or an OpenAI-compatible server.
  const llm = createLlm(env, {
    log: log.child({ service: 'llm' }),
    status,
    ...(opts.tuning?.llmRetryMs ? { retryIntervalMs: opts.tuning.llmRetryMs } : {}),
  });

  // Machines
  const botLogin = env.TWITCH_BOT_USERNAME;
  // Long-term memory: Chroma and the embedder start in the background; the brain's recall step asks it.
  const memory = await startMemory({
    env,
    dataDir,
    log: log.child({ service: 'memory' }),
    status,
    console: out,
    persona: () => ({ id: persona.id, name: persona.file.name }),
    moderation: () => moderation.storage(),
    ...(opts.tuning?.memory ? { tuning: opts.tuning.memory } : {}),
  });

  // Voice: Deepgram / espeak-ng / captions only (status says which), played by the overlay.
  const voice = await startVoice({
    env,
    log: log.child({ service: 'tts' }),
    status,
    settings,
    persona: () => persona,
    ...(opts.tuning?.localVoice !== undefined ? { localVoice: opts.tuning.localVoice } : {}),
    ...(opts.tuning?.voiceLeadMs !== undefined ? { leadMs: opts.tuning.voiceLeadMs } : {}),
    ...(opts.tuning?.ttsRetryMs !== undefined ? { retryDelayMs: opts.tuning.ttsRetryMs } : {}),
  });

  // Plugins: modules in plugins/ and PLUGINS, each run as an actor `plugin:<name>` (src/plugins).
  const plugins = await loadPlugins({ env, rootDir: ROOT_DIR, dataDir, log: log.child({ service: 'plugins' }), status });

  const orchestrator = createActor(providePickle({ generateReply: env.MODERATION === 'off' ? createReplyActor(meteredLlm(llm, counters)) : createModeratedReplyActor(meteredLlm(llm, counters), moderation.service), summariseChat: createSummariseActor(llm), plugin: plugins.actor, synthesize: voice.synthesize, playback: voice.playback, ...(memory.recallActor ? { recallMemories: memory.recallActor } : {}) }), {
    input: {
      plugins: plugins.specs,
      chat: { persona: runtime(persona, settings.get()), ignoreBots: env.TWITCH_IGNORE_BOTS, ...(botLogin ? { botLogin } : {}) },
      brain: { persona: runtime(persona, settings.get()), blocklist, wordLists: moderation.wordLists(), baitingRule: moderation.baitingRule, random: opts.random ?? Math.random, promptBudget: llm.initialBudget().promptTokens, ...(opts.tuning?.recallBudgetMs ? { recallBudgetMs: opts.tuning.recallBudgetMs } : {}) },
      voice: {
        ...(opts.tuning?.voiceMsPerChar !== undefined ? { msPerChar: opts.tuning.voiceMsPerChar } : {}),
        ...(opts.tuning?.minSentenceMs !== undefined ? { minSentenceMs: opts.tuning.minSentenceMs } : {}),
      },
      avatar: { captionHoldMs: opts.tuning?.captionHoldMs ?? env.CAPTION_HOLD_SEC * 1000 },
    },
  });
  const send = (event: PickleEvent) => orchestrator.send(event);

  // Server
  let rehearsalCount = 0;
  const secrets = isLoopbackHost(env.HOST) ? undefined : networkSecrets(dataDir, opts.newToken === true);
  let twitch: TwitchChat | undefined;
  const mode: PickleApp['mode'] = !env.TWITCH_CHANNEL ? 'rehearsal' : env.TWITCH_BOT_TOKEN ? 'twitch' : 'anonymous';
  const obs = createObs({ env, status, log: log.child({ service: 'obs' }) });
  const server = await createServer({
    host: env.HOST,
    port: env.PORT,
    log: log.child({ service: 'server' }),
    status,
    settings,
    personas: () => listPersonas(personasDir),
    overlayDir: join(ROOT_DIR, 'overlay'),
    routes: withSensesRoutes(withModerationRoutes({ health: () => moderation.service.health(), unblock: (viewer) => send({ type: 'moderation.unblock', viewer, by: 'panel' }) }, withObsRoutes(obs, status, withMemoryRoutes(memory, withVisionRoutes(env, screensRouter({ overlayDir: join(ROOT_DIR, 'overlay'), personasDir, persona: () => persona })))))),
    ...(secrets ? { accessToken: secrets.accessToken, overlayKey: secrets.overlayKey } : {}),
    onChat: ({ user, text }) => {
      rehearsalCount += 1;
      const login = user.toLowerCase().replace(/[^a-z0-9_]/g, '') || 'streamer';
      const message: ChatMessage = {
        platform: 'rehearsal',
        id: `rehearsal-${rehearsalCount}`,
        user: login,
        displayName: user,
        text,
        role: 'broadcaster',
        ts: Date.now(),
      };
      send({ type: 'chat.message', message });
    },
    onControl: obs.seeControl((cmd) => send(cmd === 'skip' ? { type: 'control.skip' } : cmd === 'mute' ? { type: 'brain.mute' } : { type: 'brain.unmute' })),
    health: () => ({
      mode,
      persona: { id: persona.id, name: persona.file.name },
      brain: brainPhase(orchestrator),
      memory: memory.health(),
      moderation: moderation.service.health(),
      counters: counters.snapshot(),
    }),
  });

  // Screens: overlay state on connect, panel history + charts, inspector (before the orchestrator starts).
  const screens = startScreens({
    server,
    orchestrator,
    counters,
    settings,
    log,
    personasDir,
    persona: () => persona,
    secrets: secretsOf(env),
    // Long-term memory's size for the panel chart (memory counts in the background; null while unknown/off).
    memorySize: () => {
      const stored = memory.health()['stored'];
      return typeof stored === 'number' ? stored : null;
    },
    tuning: opts.tuning ?? {},
  });

  // Outputs of the machines -> overlay, panel, log, Twitch.
  const avatar = server.avatar;
  voice.attach(avatar);
  const audience = watchAudience({ overlay: voice.overlay, status, overlayUrl: `${server.url}/overlay`, onReplySpoken: (l) => void orchestrator.on('reply.spoken', l) });
  let senses: Senses | undefined;
  memory.attach(orchestrator, screens.presenter, (source) => senses?.remembers(source) ?? false);
  moderation.attach(orchestrator, screens.presenter);
  // The brain decides which replies go to chat too; the chat adapter paces and sends them.
  orchestrator.on('chat.say', (e) => twitch?.say(e.text));

  // Persona switching (mods' !persona, or the panel through the settings API).
  const applySettings = (next: Settings) => {
    if (next.persona.name !== persona.id) {
      try {
        persona = loadPersona(personasDir, next.persona.name);
        out.line(`Persona switched to "${persona.file.name}" (${persona.id})`);
        send(moderation.personaChanged(persona));
      } catch (err) {
        log.warn({ event: 'persona', err: (err as Error).message }, 'persona switch failed');
        out.line(`! ${(err as Error).message}`);
        return;
      }
    }
    send({ type: 'settings.changed', persona: runtime(persona, next) });
    obs.setMuteScenes(muteScenesOf(persona, env));
  };
  settings.on('change', (next) => applySettings(next));
  orchestrator.on('persona.switch', (e) => {
    if (!listPersonas(personasDir).includes(e.name)) {
      log.info({ event: 'persona', requested: e.name, by: e.by }, 'unknown persona requested');
      screens.presenter.unknownPersona(e.name);
      return;
    }
    try {
      settings.update({ persona: { name: e.name } });
    } catch (err) {
      // An unwritable settings file must not take the chat path down with it.
      log.warn({ event: 'persona', err: (err as Error).message }, 'persona switch not saved');
      out.line(`! !persona ${e.name}: settings not saved (${(err as Error).message}); make PICKLE_DATA_DIR/settings.json writable`);
    }
  });

  plugins.attach(orchestrator);
  orchestrator.start();
  // The prompt budget follows the model's context as the server reports it (CONTEXT_TOKENS wins).
  const stopBudget = watchContextBudget(llm, { status, log: log.child({ service: 'llm' }), send, initial: llm.initialBudget().promptTokens });

  // Senses: the hidden browser, ears, eyes, the local voice, and the switch that turns ears and eyes off.
  const stack = await startSensesStack({ env, log, status, settings, server, orchestrator, send, say: (line) => out.line(line), tuning: { stt: opts.tuning?.stt, vision: opts.tuning?.vision } });
  const { ears, vision } = stack;
  senses = stack.senses;

  // Twitch
  if (env.TWITCH_CHANNEL) {
    const stored = loadStoredTokens(dataDir, env.TWITCH_BOT_TOKEN);
    const token = stored?.accessToken ?? env.TWITCH_BOT_TOKEN;
    const refreshToken = stored?.refreshToken ?? env.TWITCH_REFRESH_TOKEN;
    twitch = createTwitchChat({
      channel: env.TWITCH_CHANNEL,
      ...(env.TWITCH_BOT_USERNAME ? { login: env.TWITCH_BOT_USERNAME } : {}),
      ...(token ? { token } : {}),
      ...(refreshToken ? { refreshToken } : {}),
      onTokens: (t) => saveTokens(dataDir, env.TWITCH_BOT_TOKEN, t),
      ...(env.TWITCH_CLIENT_ID ? { clientId: env.TWITCH_CLIENT_ID } : {}),
      ...(env.TWITCH_CLIENT_SECRET ? { clientSecret: env.TWITCH_CLIENT_SECRET } : {}),
      ircUrl: env.TWITCH_IRC_URL!,
      authUrl: env.TWITCH_AUTH_URL!,
      status,
      log: log.child({ service: 'twitch' }),
      send: (e) => send(e),
      ...(opts.tuning?.twitchBackoffMs ? { backoff: { baseMs: opts.tuning.twitchBackoffMs, maxMs: opts.tuning.twitchBackoffMs * 4 } } : {}),
    });
    void twitch.start().catch((err: Error) => log.error({ event: 'twitch', err: err.message }, 'twitch start failed'));
  } else {
    status.set('twitch', 'disabled', 'rehearsal mode: no channel set; chat comes from the panel / POST /api/chat', {
      fix: 'set TWITCH_CHANNEL=yourchannel in .env to read your chat (add TWITCH_BOT_TOKEN to also post)',
    });
  }

  // Channel-point questions and follows (EventSub); chat over IRC does not depend on it.
  const eventFeed = startEventFeed({
    env,
    dataDir,
    status,
    log: log.child({ service: 'twitch-events' }),
    send,
    rewardTitle: () => rewardTitleOf(persona),
    ...(opts.tuning?.twitchBackoffMs ? { backoff: { baseMs: opts.tuning.twitchBackoffMs, maxMs: opts.tuning.twitchBackoffMs * 4 } } : {}),
  });
  if (eventFeed) for (const type of ['chat.message', 'reply.start', 'reply.spoken', 'reply.failed', 'brain.decision'] as const) orchestrator.on(type, (e) => eventFeed.observe(e));

  llm.start();
  obs.start({ serverUrl: server.url, overlayKey: secrets?.overlayKey, muteScenes: muteScenesOf(persona, env), orchestrator, reports: screens.presenter, console: out });

  return {
    url: server.url,
    port: server.port,
    status,
    orchestrator,
    counters,
    screens,
    ...(vision ? { vision } : {}),
    memory,
    voice,
    mode,
    ...(secrets ? { accessToken: secrets.accessToken, overlayKey: secrets.overlayKey } : {}),
    ears,
    senses: stack.senses,
    browserPid: () => stack.browserPid(),
    async stop() {
      await obs.stop();
      audience.stop();
      await stack.stop();
      await twitch?.stop();
      await eventFeed?.stop();
      stopBudget();
      await llm.stop();
      await vision?.stop();
      screens.stop();
      orchestrator.stop();
      await plugins.drain();
      await memory.stop();
      await server.close();
    },
  };
}

function brainPhase(orchestrator: PickleActor): string {
  const brain = orchestrator.system.get('brain') as BrainActor | undefined;
  const v: unknown = brain?.getSnapshot().value;
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') return String(Object.values(v)[0]);
  return 'stopped';
}
