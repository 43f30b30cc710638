/**
 * The streamer's window on moderation:
 * - `GET /api/moderation`: counts by category, silenced viewers, the classifier's state.
 * - `POST /api/moderation/unblock {"viewer": "login" | "platform:login"}`: lift a baiting silence
 *   (a write: the server's origin and token guard applies).
 */
import express from 'express';
import { z } from 'zod';

export interface ModerationApiDeps {
  health(): Record<string, unknown>;
  unblock(viewer: string): void;
}

const UnblockSchema = z.object({
  viewer: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(?:[a-z0-9-]{1,20}:)?@?[\w.-]{1,50}$/, 'a login, or platform:login'),
});

export function moderationRouter(deps: ModerationApiDeps): express.Router {
  const r = express.Router();
  r.get('/moderation', (_req, res) => {
    res.json(deps.health());
  });
  r.post('/moderation/unblock', (req, res) => {
    const parsed = UnblockSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid body', fields: Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || 'viewer', i.message])) });
      return;
    }
    deps.unblock(parsed.data.viewer.replace(/^@/, ''));
    res.json({ ok: true, viewer: parsed.data.viewer });
  });
  return r;
}

export function withModerationRoutes(deps: ModerationApiDeps, routes?: express.Router): express.Router {
  const all = express.Router();
  if (routes) all.use(routes);
  all.use('/api', moderationRouter(deps));
  return all;
}
