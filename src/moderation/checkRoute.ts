/**
 * `POST /api/moderation/check {"text": "…"}`: the judgement a spoken sentence would get now,
 * `{"ok": true}` or `{"ok": false, "category", "layer"}`, so a streamer can try their lists. The
 * text is judged and forgotten: never logged, stored or echoed back. Mounted under /api like the
 * other routes, so the server's origin and token guard applies.
 */
import express from 'express';
import { z } from 'zod';
import type { ModerationVerdict } from '../../machines/moderation/types.ts';

/** Longest sentence one may try (a persona's reply is at most 2,000 characters). */
export const MAX_CHECK_CHARS = 10_000;

const CheckSchema = z.object({
  text: z.string({ error: 'a string' }).max(MAX_CHECK_CHARS, `at most ${MAX_CHECK_CHARS} characters`),
});

export type SentenceCheck = (text: string, signal: AbortSignal) => Promise<ModerationVerdict>;

export function moderationCheckRouter(check: SentenceCheck): express.Router {
  const r = express.Router();
  r.post('/moderation/check', async (req, res) => {
    const parsed = CheckSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid body', fields: Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || 'text', i.message])) });
      return;
    }
    // A client that leaves stops the classifier's wait.
    const ctrl = new AbortController();
    res.on('close', () => ctrl.abort());
    const verdict = await check(parsed.data.text, ctrl.signal);
    res.json(verdict.ok ? { ok: true } : { ok: false, category: verdict.category, layer: verdict.layer });
  });
  return r;
}

export function withModerationCheck(check: SentenceCheck, routes?: express.Router): express.Router {
  const all = express.Router();
  all.use('/api', moderationCheckRouter(check));
  if (routes) all.use(routes);
  return all;
}
