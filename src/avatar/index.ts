/**
 * The overlay's VRM model as a service: which file (checked once per persona), the one fixed
 * route the overlay fetches it from, and the `avatar` status: `starting` while no overlay has
 * loaded it, `up` naming the model once one has (each overlay's model on the panel's line), `down`
 * with the reason when the file cannot be used or an overlay could not show it.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express from 'express';
import type { Env } from '../config/env.ts';
import type { Persona } from '../config/persona.ts';
import type { Logger } from '../log.ts';
import type { OverlayReport } from '../screens/overlayReports.ts';
import type { StatusBoard } from '../status.ts';
import { checkModel, type ModelCheck, type ModelLook, type ModelRoots } from './model.ts';

export interface AvatarModels {
  /** The persona's model for the overlay's look, or null (none, or one that cannot be shown). */
  look: (persona: Persona) => ModelLook | null;
  /** `/overlay/avatar/model.vrm` and `/overlay/avatar/idle.vrma`: the checked files, nothing else. */
  router: () => express.Router;
  /** What the overlays say they show (from the presenter). */
  overlaysReported: (reports: OverlayReport[]) => void;
  /** For /health: each overlay's model, fps and expression. */
  overlays: () => OverlayReport[];
}

export interface AvatarModelsOptions extends ModelRoots {
  env: Env;
  persona: () => Persona;
  status: StatusBoard;
  log: Logger;
}

export function createAvatarModels(opts: AvatarModelsOptions): AvatarModels {
  const { env, status, log } = opts;
  let checked: { persona: string; check: ModelCheck } | undefined;
  let reports: OverlayReport[] = [];

  const check = (persona: Persona): ModelCheck => {
    if (checked?.persona !== persona.id) {
      checked = { persona: persona.id, check: checkModel(persona, env, opts) };
      const c = checked.check;
      if (c.kind === 'bad') log.warn({ event: 'avatar.model', file: c.file, reason: c.reason }, 'VRM model not used');
      if (c.kind === 'ok') log.info({ event: 'avatar.model', file: c.look.file, version: c.info.version, name: c.info.name, bytes: c.info.bytes }, 'VRM model ready');
      report();
    }
    return checked.check;
  };

  const report = () => {
    const c = checked?.check;
    if (!c || c.kind === 'none') {
      if (status.get('avatar')) status.set('avatar', 'disabled', 'the built-in face (no VRM model)', { fix: 'name a .vrm file in AVATAR_MODEL or the persona\'s avatar: {kind: vrm, model: …}' });
      return;
    }
    if (c.kind === 'bad') {
      status.set('avatar', 'down', `${c.reason}; the overlay shows the built-in face`, { fix: c.fix, lastError: c.reason });
      return;
    }
    const failed = reports.find((r) => r.error);
    const loaded = reports.filter((r) => r.model !== null);
    if (failed && loaded.length === 0) {
      status.set('avatar', 'down', `an overlay could not show ${c.look.file}: ${failed.error}; it shows the built-in face`, { fix: 'check the model opens in a VRM viewer (e.g. VRoid Hub), then reload the overlay', lastError: failed.error });
    } else if (loaded.length === 0) {
      status.set('avatar', 'starting', `${c.look.file} (VRM ${c.info.version}) is ready; no overlay has loaded it yet`, { fix: 'open the overlay in OBS (a browser source)' });
    } else {
      const each = reports.map((r, i) => `overlay ${i + 1}: ${r.model !== null ? `“${r.model || c.look.file}” (VRM ${r.version ?? c.info.version})` : r.error ? `built-in face (${r.error})` : 'built-in face'}`);
      status.set('avatar', 'up', each.join('; '));
    }
  };

  return {
    look: (persona) => {
      const c = check(persona);
      return c.kind === 'ok' ? c.look : null;
    },
    router: () => {
      const r = express.Router();
      const serve = (pick: (c: Extract<ModelCheck, { kind: 'ok' }>) => string | null) => (_req: express.Request, res: express.Response, next: express.NextFunction) => {
        const c = check(opts.persona());
        const path = c.kind === 'ok' ? pick(c) : null;
        if (!path) return next();
        res.set({ 'Cache-Control': 'no-cache', 'Content-Type': 'model/gltf-binary' });
        res.sendFile(path, { dotfiles: 'allow' }, (err) => err && next());
      };
      r.get('/overlay/avatar/model.vrm', serve((c) => c.path));
      r.use('/overlay/vendor', vendorRouter());
      r.get('/overlay/avatar/idle.vrma', serve((c) => c.idlePath));
      return r;
    },
    overlaysReported: (next) => {
      reports = next;
      report();
    },
    overlays: () => reports,
  };
}

/**
 * three.js, three-vrm and three-vrm-animation's ES modules from Pickle's own node_modules, for the
 * overlay's import map: four fixed folders, `.js` files only, nothing else of node_modules.
 */
function vendorRouter(): express.Router {
  const require = createRequire(import.meta.url);
  const lib = (pkg: string) => dirname(require.resolve(pkg));
  const threeBuild = lib('three');
  const folders: Record<string, string> = {
    '/three/build': threeBuild,
    '/three/examples/jsm': join(threeBuild, '..', 'examples', 'jsm'),
    '/three-vrm': lib('@pixiv/three-vrm'),
    '/three-vrm-animation': lib('@pixiv/three-vrm-animation'),
  };
  const r = express.Router();
  r.use((req, _res, next) => (req.path.endsWith('.js') ? next() : next('router')));
  for (const [at, dir] of Object.entries(folders)) {
    r.use(at, express.static(dir, { index: false, redirect: false, dotfiles: 'ignore', fallthrough: true, maxAge: '1d' }));
  }
  return r;
}
