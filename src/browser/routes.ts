/** Pickle's pages for its hidden browser: the microphone page and its audio worklet, the voice page. */
import { fileURLToPath } from 'node:url';
import express from 'express';

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));

const FILES: Record<string, { file: string; type: string }> = {
  '/senses/mic': { file: 'mic.html', type: 'text/html' },
  '/senses/mic.js': { file: 'mic.js', type: 'text/javascript' },
  '/senses/micWorklet.js': { file: 'micWorklet.js', type: 'text/javascript' },
  '/senses/speaker': { file: 'speaker.html', type: 'text/html' },
  '/senses/speaker.js': { file: 'speaker.js', type: 'text/javascript' },
};

export function sensesRoutes(): express.Router {
  const router = express.Router();
  for (const [route, { file, type }] of Object.entries(FILES)) {
    router.get(route, (_req, res, next) => {
      res.set('Cache-Control', 'no-store');
      res.type(type);
      res.sendFile(file, { root: PAGE_DIR }, (err) => err && next(err));
    });
  }
  return router;
}

/** Pickle's other routes plus the pages of the hidden browser. */
export function withSensesRoutes(routes?: express.Router): express.Router {
  const all = express.Router();
  if (routes) all.use(routes);
  all.use(sensesRoutes());
  return all;
}
