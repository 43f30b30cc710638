/**
 * Pickle's HTTP server as the app runs it: settings and personas for the API, the pages and
 * endpoints of each part, rehearsal chat and the overlay's controls into the orchestrator, and
 * what /health says. The access token and overlay key only when reachable from the network.
 */
import type { PickleEvent } from '../../machines/events.ts';
import type { Env } from '../config/env.ts';
import { listPersonas } from '../config/persona.ts';
import type { SettingsStore } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import type { ObsService } from '../obs/index.ts';
import type { NetworkSecrets } from '../security/secrets.ts';
import { createServer, type PickleServer } from '../server/server.ts';
import type { StatusBoard } from '../status.ts';
import type { LivePersona } from './persona.ts';
import { rehearsalChat } from './rehearsalChat.ts';
import { pickleRoutes, type PickleRouteParts } from './routes.ts';

export interface PickleServerParts extends Omit<PickleRouteParts, 'persona'> {
  log: Logger;
  env: Env;
  settings: SettingsStore;
  persona: LivePersona;
  obs: ObsService;
  status: StatusBoard;
  secrets: NetworkSecrets | undefined;
  send: (event: PickleEvent) => void;
  health: () => Record<string, unknown>;
}

export async function startPickleServer(parts: PickleServerParts): Promise<PickleServer> {
  const { env, log, status, settings, personasDir, overlayDir, secrets, send } = parts;
  return createServer({
    host: env.HOST,
    port: env.PORT,
    log: log.child({ service: 'server' }),
    status,
    settings,
    personas: () => listPersonas(personasDir),
    overlayDir,
    routes: pickleRoutes({ ...parts, persona: () => parts.persona.current() }),
    ...(secrets ? { accessToken: secrets.accessToken, overlayKey: secrets.overlayKey } : {}),
    onChat: rehearsalChat(send),
    onControl: (cmd) => send(cmd === 'skip' ? { type: 'control.skip' } : cmd === 'mute' ? { type: 'brain.mute' } : { type: 'brain.unmute' }),
    health: parts.health,
  });
}
