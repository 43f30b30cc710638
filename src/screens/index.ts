/**
 * The streamer's screens, server side: the pages (/panel, /inspector; /overlay is served by
 * the server itself), the persona's avatar pictures, the persona list, the presenter (what the
 * overlay and the panel receive, and the panel's history), the live charts, and the statechart
 * inspector.
 *
 * `screensRouter` goes to `createServer({ routes })`; `startScreens` runs once the server
 * and the orchestrator exist, before the orchestrator starts.
 */
import express from 'express';
import type { AnyActorRef } from 'xstate';
import type { PickleActor } from '../../machines/orchestrator.ts';
import type { AvatarModels } from '../avatar/index.ts';
import { listPersonas, loadPersona, type Persona } from '../config/persona.ts';
import type { SettingsStore } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import type { Counters } from '../metrics.ts';
import type { PickleServer } from '../server/server.ts';
import { startAnalytics, type Analytics } from './analytics.ts';
import type { PanelHistory } from './history.ts';
import type { InspectorNamespace } from './namespaces.ts';
import { attachInspector, type InspectorHub } from './inspector.ts';
import { IMAGE_FILE_RE, imageDir } from './look.ts';
import type { OverlayState } from './payloads.ts';
import { createPresenter, type Presenter } from './presenter.ts';
import type { ReadinessSources } from './readinessFeed.ts';
import { errorText } from '../errors.ts';

export interface ScreensRouterDeps {
  overlayDir: string;
  personasDir: string;
  /** The persona in use now. */
  persona: () => Persona;
}

export function screensRouter(deps: ScreensRouterDeps): express.Router {
  const r = express.Router();
  const page = (file: string) => (_req: express.Request, res: express.Response, next: express.NextFunction) => {
    res.set('Cache-Control', 'no-cache');
    res.sendFile(file, { root: deps.overlayDir }, (err) => err && next(err));
  };
  r.get('/panel', page('panel.html'));
  r.get('/inspector', page('inspector.html'));
  r.get('/favicon.ico', (_req, res) => {
    res.redirect(301, '/overlay/favicon.svg');
  });

  // Persona pictures for the overlay, from the folder the persona's YAML names (nothing else).
  r.get('/overlay/look/:persona/:file', (req, res, next) => {
    const id = req.params['persona'] ?? '';
    const file = req.params['file'] ?? '';
    if (!IMAGE_FILE_RE.test(file) || !listPersonas(deps.personasDir).includes(id)) return next();
    let persona: Persona;
    try {
      persona = id === deps.persona().id ? deps.persona() : loadPersona(deps.personasDir, id);
    } catch {
      return next();
    }
    const dir = imageDir(persona, deps.personasDir);
    if (!dir) return next();
    res.set('Cache-Control', 'public, max-age=3600');
    res.sendFile(file, { root: dir, dotfiles: 'deny' }, (err) => err && next());
  });

  r.get('/api/personas', (_req, res) => {
    const current = deps.persona();
    // With each persona's own values, which apply when the settings do not override them.
    const describe = (p: Persona) => ({
      id: p.id,
      name: p.file.name,
      defaults: { spontaneousRate: p.file.behavior.spontaneous_rate, cooldownSec: p.file.behavior.cooldown, voice: p.file.voice.voice_id },
    });
    const personas = listPersonas(deps.personasDir).map((id) => {
      if (id === current.id) return describe(current);
      try {
        return describe(loadPersona(deps.personasDir, id));
      } catch (err) {
        return { id, name: id, error: errorText(err) };
      }
    });
    res.set('Cache-Control', 'no-store').json({ current: current.id, personas });
  });
  return r;
}

export interface ScreensOptions {
  server: PickleServer;
  orchestrator: PickleActor;
  counters: Counters;
  settings: SettingsStore;
  log: Logger;
  personasDir: string;
  persona: () => Persona;
  /** The overlay's VRM model and what the overlays say they show. */
  avatarModels?: AvatarModels;
  /** Secret values never to show on the inspector. */
  secrets?: readonly string[];
  /** The status board and the mode, for the header's "can Pickle reply now". */
  status?: ReadinessSources['status'];
  mode?: ReadinessSources['mode'];
  /** Long-term memory size for the panel's chart, once memory exists. */
  memorySize?: () => number | null | undefined;
  /** Machines in actor systems of their own, for the inspector (the embedded Chroma's). */
  ownSystems?: () => readonly AnyActorRef[];
  tuning?: { analyticsMs?: number; inspectorFlushMs?: number; inspector?: boolean };
}

export interface Screens {
  inspector: InspectorHub;
  analytics: Analytics;
  history: PanelHistory;
  /** Everything the overlay and the panel receive is built there; services report to it. */
  presenter: Presenter;
  /** The overlay's state as sent on (re)connection. */
  overlayState(): OverlayState;
  stop(): void;
}

/** `{chat: 'idle', brain: 'replying.thinking', …}` for the orchestrator's children. */
export function actorStates(root: AnyActorRef): Record<string, string> {
  const out: Record<string, string> = {};
  const children = (root.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> }).children ?? {};
  for (const [id, ref] of Object.entries(children)) {
    if (!ref) continue;
    const snap = ref.getSnapshot() as { value?: unknown; status?: string };
    out[id] = snap.status && snap.status !== 'active' ? snap.status : stateName(snap.value);
  }
  return out;
}

function stateName(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    const parts = Object.entries(v as Record<string, unknown>).map(([k, sub]) => {
      const inner = stateName(sub);
      return inner ? `${k}.${inner}` : k;
    });
    return parts.join(' | ');
  }
  return '';
}

export type { OverlayState } from './payloads.ts';

const NO_INSPECTOR: InspectorHub = { watchers: 0, observing: false, received: 0, machines: async () => [], close() {} };

export function startScreens(opts: ScreensOptions): Screens {
  const { server, orchestrator, log } = opts;
  const presenter = createPresenter({
    orchestrator,
    avatar: server.avatar,
    panel: server.panel,
    counters: opts.counters,
    log,
    settings: opts.settings,
    persona: opts.persona,
    personasDir: opts.personasDir,
    ...(opts.status && opts.mode ? { readiness: { status: opts.status, mode: opts.mode, settings: opts.settings } } : {}),
    ...(opts.avatarModels ? { model: opts.avatarModels.look, onReports: opts.avatarModels.overlaysReported } : {}),
  });
  const analytics = startAnalytics({
    counters: opts.counters,
    panel: server.panel,
    actors: () => actorStates(orchestrator),
    ...(opts.memorySize ? { memorySize: opts.memorySize } : {}),
    ...(opts.tuning?.analyticsMs ? { intervalMs: opts.tuning.analyticsMs } : {}),
  });

  let inspector: InspectorHub = NO_INSPECTOR;
  if (opts.tuning?.inspector !== false) {
    const inspectorNs: InspectorNamespace = server.io.of('/inspector');
    inspectorNs.use(server.tokenGate);
    inspector = attachInspector({
      actor: orchestrator,
      ...(opts.ownSystems ? { ownSystems: opts.ownSystems } : {}),
      namespace: inspectorNs,
      log: log.child({ service: 'inspector' }),
      secrets: opts.secrets ?? [],
      ...(opts.tuning?.inspectorFlushMs ? { flushMs: opts.tuning.inspectorFlushMs } : {}),
    });
  }

  return {
    inspector,
    analytics,
    history: presenter.history,
    presenter,
    overlayState: () => presenter.overlayState(),
    stop() {
      presenter.stop();
      inspector.close();
      analytics.stop();
    },
  };
}
