/**
 * The stored streams over HTTP (same access rules as every /api route: the token in token mode):
 * - `GET /api/streams`: each stream's id, start, end, duration, replies and mentions answered;
 * - `GET /api/streams/:id`: the summary with the per-reply and per-minute series and the outages;
 * - `GET /api/streams/:id.csv`: a header and one row per reply;
 * - `GET /report/:id`: the report page (charts drawn by uPlot, served from node_modules).
 * An id that is not a stored stream's is a 404.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express from 'express';
import { STREAM_ID_RE } from '../../machines/analytics/records.ts';
import { fileStamp, readStreamFile, storedStreams } from './files.ts';
import { repliesCsv, streamReport, type StreamReport } from './summary.ts';

export interface AnalyticsRouteDeps {
  /** `PICKLE_DATA_DIR/streams`. */
  dir: string;
  overlayDir: string;
  /** The stream being recorded now, if any. */
  current: () => string | undefined;
  /** Writes what is gathered, so a read sees the last second too. */
  flush: () => void;
  now?: () => number;
}

/** uPlot's browser build and its stylesheet, as the package ships them. */
const UPLOT_DIST = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));
const UPLOT_FILES = new Set(['uPlot.iife.min.js', 'uPlot.min.css']);

export function analyticsRouter(deps: AnalyticsRouteDeps): express.Router {
  const r = express.Router();
  const now = deps.now ?? Date.now;
  // A past stream is read once until its file changes: the panel lists the streams every minute, mid-stream.
  const past = new Map<string, { stamp: string; report: StreamReport | undefined }>();
  const report = (id: string): StreamReport | undefined => {
    if (!STREAM_ID_RE.test(id)) return undefined;
    const live = id === deps.current();
    if (live) deps.flush();
    const stamp = live ? undefined : fileStamp(deps.dir, id);
    const known = stamp !== undefined ? past.get(id) : undefined;
    if (known && known.stamp === stamp) return known.report;
    const file = readStreamFile(deps.dir, id);
    const found = file && streamReport(id, file, now(), live);
    if (stamp !== undefined) past.set(id, { stamp, report: found });
    return found;
  };
  const notFound = (res: express.Response) => res.status(404).json({ error: 'not found', reason: 'no stored stream has this id' });

  r.get('/api/streams', (_req, res) => {
    deps.flush();
    const streams = storedStreams(deps.dir).flatMap((id) => {
      const s = report(id)?.summary;
      return s ? [{ id, start: s.start, end: s.end, state: s.state, durationMs: s.durationMs, replies: s.replies, mentionsAnswered: s.mentionsAnswered, mentionsAnsweredPct: s.mentionsAnsweredPct }] : [];
    });
    res.set('Cache-Control', 'no-store').json({ current: deps.current() ?? null, streams });
  });

  r.get('/api/streams/:file', (req, res) => {
    const name = req.params['file'] ?? '';
    const csv = name.endsWith('.csv');
    const found = report(csv ? name.slice(0, -4) : name);
    if (!found) return notFound(res);
    res.set('Cache-Control', 'no-store');
    if (!csv) return res.json(found);
    res.type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="pickle-stream-${found.summary.id}.csv"`).send(repliesCsv(found.replies));
  });

  r.get('/report/lib/:file', (req, res, next) => {
    const file = req.params['file'] ?? '';
    if (!UPLOT_FILES.has(file)) return next();
    res.set('Cache-Control', 'public, max-age=86400');
    res.sendFile(file, { root: UPLOT_DIST }, (err) => err && next(err));
  });

  r.get('/report/:id', (req, res, next) => {
    const id = req.params['id'] ?? '';
    if (!STREAM_ID_RE.test(id) || !storedStreams(deps.dir).includes(id)) return notFound(res);
    res.set('Cache-Control', 'no-cache');
    res.sendFile('report.html', { root: deps.overlayDir }, (err) => err && next(err));
  });
  return r;
}
