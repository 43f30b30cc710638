/**
 * Pickle's pages and endpoints beyond the core API, each mounted by its own module: the senses
 * switch, moderation, OBS, long-term memory, the camera page (VISION_ENABLED only), the panel,
 * inspector and persona art, the stored streams and their reports.
 */
import express from 'express';
import type { PickleEvent } from '../../machines/events.ts';
import type { StreamAnalytics } from '../analytics/index.ts';
import type { AvatarModels } from '../avatar/index.ts';
import { withSensesRoutes } from '../browser/routes.ts';
import type { Env } from '../config/env.ts';
import type { Persona } from '../config/persona.ts';
import { withMemoryRoutes, type MemoryService } from '../memory/index.ts';
import { withModerationRoutes } from '../moderation/api.ts';
import { withModerationCheck } from '../moderation/checkRoute.ts';
import type { AppModeration } from '../moderation/setup.ts';
import { withObsRoutes, type ObsService } from '../obs/index.ts';
import { screensRouter } from '../screens/index.ts';
import type { StatusBoard } from '../status.ts';
import { withVisionRoutes } from '../vision/index.ts';

export interface PickleRouteParts {
  env: Env;
  overlayDir: string;
  personasDir: string;
  persona: () => Persona;
  status: StatusBoard;
  moderation: AppModeration;
  obs: ObsService;
  memory: MemoryService;
  send: (event: PickleEvent) => void;
  /** The stored streams' API and report pages. */
  analytics: StreamAnalytics;
  avatarModels: AvatarModels;
}

export function pickleRoutes(parts: PickleRouteParts): express.Router {
  const { env, overlayDir, personasDir, persona, status, moderation, obs, memory, send, analytics } = parts;
  const all = express.Router();
  all.use(analytics.router(overlayDir));
  // The overlay's model from the one file checked for the persona (no path from the request).
  all.use(parts.avatarModels.router());
  return all.use(withModerationCheck((text, signal) => moderation.check(text, signal), withSensesRoutes(withModerationRoutes({ health: () => moderation.service.health(), unblock: (viewer) => send({ type: 'moderation.unblock', viewer, by: 'panel' }) }, withObsRoutes(obs, status, withMemoryRoutes(memory, withVisionRoutes(env, screensRouter({ overlayDir, personasDir, persona }))))))));
}
