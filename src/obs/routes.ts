/**
 * `GET /api/obs` (what the panel's OBS card shows) and `POST /api/obs/setup` ("Add Pickle to OBS").
 * Mounted after the server's guard: the POST is a write, so it needs a same-origin request (and the
 * access token when Pickle listens beyond this PC), like every other write.
 */
import express from 'express';
import type { StatusBoard } from '../status.ts';
import { ObsRequestError } from './client.ts';
import { ObsNotReady, type ObsService } from './service.ts';
import { describeSetup, ObsSetupError, OVERLAY_INPUT_NAME } from './setup.ts';

export function obsRouter(obs: ObsService, status: StatusBoard): express.Router {
  const r = express.Router();
  r.get('/api/obs', (_req, res) => {
    const s = status.get('obs');
    res.set('Cache-Control', 'no-store').json({
      ...obs.view(),
      state: s?.state ?? 'starting',
      detail: s?.detail ?? '',
      ...(s?.fix ? { fix: s.fix } : {}),
      input: OVERLAY_INPUT_NAME,
    });
  });
  r.post('/api/obs/setup', (_req, res, next) => {
    void obs.setupOverlay().then(
      (result) => res.json({ ...result, input: OVERLAY_INPUT_NAME, message: describeSetup(result) }),
      (err: unknown) => {
        if (err instanceof ObsNotReady) return void res.status(err.status).json({ error: err.message, ...(err.fix ? { fix: err.fix } : {}) });
        if (err instanceof ObsSetupError) return void res.status(409).json({ error: err.message, ...(err.fix ? { fix: err.fix } : {}) });
        // OBS's own comment goes to the log; the streamer reads the sentence and the step.
        if (err instanceof ObsRequestError) return void res.status(502).json({ error: err.message, fix: err.fix, code: err.code });
        next(err);
      },
    );
  });
  return r;
}

/** Adds the OBS routes to the app's extra routes. */
export function withObsRoutes(obs: ObsService, status: StatusBoard, routes?: express.Router): express.Router {
  const all = express.Router();
  if (routes) all.use(routes);
  all.use(obsRouter(obs, status));
  return all;
}
