import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { secretsOf } from './config/env.ts';
import { createSettingsStore } from './config/settings.ts';
import { silentConsole } from './console.ts';
import { loadBlocklist } from './config/persona.ts';
import { watchContextBudget } from './llm/index.ts';
import { Counters } from './metrics.ts';
import { startScreens } from './screens/index.ts';
import { isLoopbackHost } from './server/guard.ts';
import { secureDataDir } from './security/dataDir.ts';
import { networkSecrets } from './security/secrets.ts';
import { reportDisabledServices } from './services.ts';
import { StatusBoard } from './status.ts';
import { createObs, muteScenesOf } from './obs/index.ts';
import { setupModeration } from './moderation/setup.ts';
import type { Senses } from './senses/index.ts';
import { startSensesStack } from './senses/start.ts';
import { watchAudience } from './audio/audience.ts';
import { orchestratorChildren } from './children.ts';
import { sinkEvents } from './sinks.ts';
import { createStreamAnalytics } from './analytics/index.ts';
import { startBackends } from './app/backends.ts';
import { createAvatarModels } from './avatar/index.ts';
import { startVts } from './vts/index.ts';
import { pickleHealth, storedMemories } from './app/health.ts';
import { createPickleOrchestrator } from './app/orchestrator.ts';
import { startingPersona } from './app/persona.ts';
import { followPersonaSwitches } from './app/personaSwitch.ts';
import { startPickleServer } from './app/server.ts';
import { reportStatusChanges } from './app/statusReport.ts';
import { startChatPlatforms } from './app/chatPlatforms.ts';
import { startTwitchEvents } from './app/twitchEvents.ts';
import type { PickleApp, PickleOptions } from './app/types.ts';

export type { PickleApp, PickleOptions } from './app/types.ts';

/** The repository root: personas/ and overlay/ live there, whatever the working directory. */
export const ROOT_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Creates Pickle's parts and wires them together; each part's own job lives in its module (src/app/ and beyond). */
export async function startPickle(opts: PickleOptions): Promise<PickleApp> {
  const { env, log } = opts;
  const out = opts.console ?? silentConsole;
  const personasDir = opts.personasDir ?? join(ROOT_DIR, 'personas');
  const dataDir = resolve(env.PICKLE_DATA_DIR);
  // Owner only (chat, memories, tokens); repairs what older versions left readable.
  const repaired = secureDataDir(dataDir);
  if (repaired > 0) log.info({ event: 'data-dir.repaired', entries: repaired }, 'data folder made owner-only');

  const status = new StatusBoard();
  reportStatusChanges(status, log, out);
  const counters = new Counters();
  const settings = createSettingsStore({ dataDir, log });
  if (settings.warning) out.line(`! ${settings.warning}`);

  const persona = startingPersona(env, settings, personasDir);
  const blocklist = loadBlocklist(join(personasDir, 'blocklist.txt'));
  // Moderation: word lists for the persona's languages, the optional ML classifier, counts and silences.
  const moderation = setupModeration({ env, personasDir, persona: persona.current(), blocklist, dataDir, log: log.child({ service: 'moderation' }), status, console: out, ...(opts.tuning?.moderation ? { tuning: opts.tuning.moderation } : {}) });

  reportDisabledServices(env, status);

  // The services the machines call: LLM, long-term memory, voice, plugins.
  const { llm, memory, voice, plugins } = await startBackends({ env, log, status, out, settings, dataDir, rootDir: ROOT_DIR, persona, moderation, tuning: opts.tuning });

  const orchestrator = createPickleOrchestrator({ env, opts, settings: settings.get(), persona, blocklist, llm, counters, moderation, plugins, voice, memory });
  // The actor's own `send`, no wrapper: an adapter's event reaches the routing table in one call.
  const send = orchestrator.send.bind(orchestrator);
  const analytics = createStreamAnalytics({ dataDir, keepDays: env.ANALYTICS_KEEP_DAYS, log, status, memorySize: () => storedMemories(memory), ...(opts.tuning?.streams ? { tuning: opts.tuning.streams } : {}) });

  const secrets = isLoopbackHost(env.HOST) ? undefined : networkSecrets(dataDir, opts.newToken === true);
  const mode: PickleApp['mode'] = !env.TWITCH_CHANNEL ? 'rehearsal' : env.TWITCH_BOT_TOKEN ? 'twitch' : 'anonymous';
  const obs = createObs({ env, status, log: log.child({ service: 'obs' }) });
  const overlayDir = join(ROOT_DIR, 'overlay');
  const avatarModels = createAvatarModels({ env, personasDir, dataDir, status, log: log.child({ service: 'avatar' }), persona: () => persona.current() });
  const server = await startPickleServer({ env, log, status, settings, personasDir, overlayDir, persona, moderation, obs, memory, secrets, send, analytics, avatarModels, health: pickleHealth({ mode, persona, orchestrator, memory, moderation, counters, overlays: avatarModels.overlays }) });

  // Screens: overlay state on connect, panel history + charts, inspector (before the orchestrator starts).
  const screens = startScreens({
    server, orchestrator, counters, settings, log, personasDir, status, mode, avatarModels, persona: () => persona.current(), secrets: secretsOf(env),
    memorySize: () => storedMemories(memory), ownSystems: () => (memory.link?.machine ? [memory.link.machine] : []), tuning: opts.tuning ?? {},
  });

  // Outputs of the machines -> overlay, panel, log; chat.say -> the chat it answers (startChatPlatforms).
  voice.attach(server.avatar);
  let senses: Senses | undefined;
  // Sinks: they carry out what the machines decided; their listeners go when Pickle stops.
  const events = sinkEvents(orchestrator);
  memory.attach(events, screens.presenter, (source) => senses?.remembers(source) ?? false, send);
  moderation.attach({ on: events.on, getSnapshot: () => orchestrator.getSnapshot() }, screens.presenter);
  // Persona switching (mods' !persona, or the panel through the settings API).
  followPersonaSwitches({ persona, personasDir, env, settings, events, reports: screens.presenter, moderation, obs, send, log, out });

  plugins.attach(events);
  orchestrator.start();
  // Adapters' machines join the running orchestrator as its children.
  const children = orchestratorChildren(orchestrator);
  voice.start(children);
  llm.start(children);
  analytics.start(children);
  const vts = startVts({ env, dataDir, status, log: log.child({ service: 'vts' }), children, avatar: server.avatar, persona: () => persona.current() });
  const audience = watchAudience({ overlay: voice.overlay, status, overlayUrl: `${server.url}/overlay`, children });
  // The prompt budget follows the model's context as the server reports it (CONTEXT_TOKENS wins).
  const stopBudget = watchContextBudget(llm, { status, log: log.child({ service: 'llm' }), send, initial: llm.initialBudget().promptTokens });

  // Senses: the hidden browser, ears, eyes, the local voice, and the switch that turns ears and eyes off.
  const stack = await startSensesStack({ env, log, status, settings, server, orchestrator, events, send, say: (line) => out.line(line), tuning: { stt: opts.tuning?.stt, vision: opts.tuning?.vision } });
  const { ears, vision } = stack;
  senses = stack.senses;

  const chats = startChatPlatforms({ env, dataDir, status, log, send, events, children, twitchBackoffMs: opts.tuning?.twitchBackoffMs });
  const eventFeed = startTwitchEvents({ env, dataDir, status, log, send, children, persona, twitchBackoffMs: opts.tuning?.twitchBackoffMs });
  obs.start({ serverUrl: server.url, overlayKey: secrets?.overlayKey, muteScenes: muteScenesOf(persona.current(), env), orchestrator, events, reports: screens.presenter, console: out });

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
      vts?.stop();
      await stack.stop();
      await chats.stop();
      await eventFeed?.stop();
      stopBudget();
      await llm.stop();
      await vision?.stop();
      screens.stop();
      analytics.stop();
      orchestrator.stop();
      events.stop();
      await plugins.drain();
      await memory.stop();
      await server.close();
    },
  };
}
