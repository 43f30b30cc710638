/**
 * The streamer's window on long-term memory:
 * - `GET /api/memory?q=&user=&limit=`: search by meaning (`q`), by viewer (`user`), or the newest.
 * - `DELETE /api/memory/:id`: forget one memory (a write: the server's guard applies).
 * - `DELETE /api/memory/viewer/:login`: forget a viewer as `!forgetme` does (`twitch:sam` for one
 *   platform's viewer, `sam` for that login on every platform).
 */
import express from 'express';
import { z } from 'zod';

export interface MemoryApiDeps {
  enabled: boolean;
  /** Why memory cannot answer now (undefined when it can). */
  unavailable(): string | undefined;
  /** With `q`: only hits at or above the relevance floor, and how many fell below it. */
  search(opts: { q?: string; user?: string; limit: number }): Promise<{ total: number; memories: unknown[]; belowFloor?: number; floor?: number }>;
  /** 'deleted' | 'missing' | 'queued' (Chroma away: journaled, done when it is back). */
  remove(id: string): Promise<'deleted' | 'missing' | 'queued'>;
  /** Everything said by or about a viewer (as `!forgetme`). */
  forgetViewer(login: string): Promise<{ deleted?: number; queued: boolean }>;
}

const QuerySchema = z.object({
  q: z.string().trim().max(500).optional(),
  user: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^\w{1,25}$/, 'a Twitch-style login: 1-25 letters, digits or "_"')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
});

const ID = /^[\w.:-]{1,200}$/;

export function memoryRouter(deps: MemoryApiDeps): express.Router {
  const r = express.Router();
  const off = (res: express.Response) =>
    res.status(503).json({ error: 'long-term memory is off', fix: 'set MEMORY_ENABLED=true in .env and restart Pickle' });

  r.get('/memory', async (req, res) => {
    if (!deps.enabled) return void off(res);
    const parsed = QuerySchema.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid query', fields: Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message])) });
      return;
    }
    const why = deps.unavailable();
    if (why) {
      res.status(503).json({ error: 'long-term memory is not available right now', detail: why });
      return;
    }
    const { q, user, limit } = parsed.data;
    const result = await deps.search({ ...(q ? { q } : {}), ...(user ? { user } : {}), limit });
    res.json({ ...(q ? { q } : {}), ...(user ? { user } : {}), ...result });
  });

  // Before `/memory/:id`: "viewer" is not a memory id.
  r.delete('/memory/viewer/:login', async (req, res) => {
    if (!deps.enabled) return void off(res);
    const login = (req.params['login'] ?? '').trim().toLowerCase();
    // `platform:login` (one viewer), or a bare login (that login on every platform).
    if (!/^(?:[a-z]{2,12}:)?[\w.-]{1,40}$/.test(login)) {
      res.status(400).json({ error: 'invalid login', detail: 'a login (1-40 letters, digits, "_", "." or "-"), optionally as platform:login' });
      return;
    }
    const outcome = await deps.forgetViewer(login);
    res.status(outcome.queued ? 202 : 200).json({ login, ...outcome });
  });

  r.delete('/memory/:id', async (req, res) => {
    if (!deps.enabled) return void off(res);
    const id = req.params['id'] ?? '';
    if (!ID.test(id)) {
      res.status(400).json({ error: 'invalid memory id' });
      return;
    }
    const outcome = await deps.remove(id);
    if (outcome === 'missing') res.status(404).json({ error: 'no such memory', id });
    else if (outcome === 'queued') res.status(202).json({ id, queued: true, detail: 'long-term memory is away: deleted as soon as it is back' });
    else res.json({ id, deleted: true });
  });

  return r;
}
