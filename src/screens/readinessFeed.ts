/**
 * Gathers the facts the readiness verdict needs (every service's status, the brain's state, the
 * senses, an OBS scene that paused Pickle) and sends the panel the verdict `replyReadiness`
 * (`machines/readiness.ts`) makes of them, each time it changes.
 */
import { replyReadiness, type Readiness, type ReadinessFacts } from '../../machines/readiness.ts';
import type { PickleActor } from '../../machines/orchestrator.ts';
import type { SettingsStore } from '../config/settings.ts';
import type { StatusBoard } from '../status.ts';

export interface ReadinessSources {
  status: StatusBoard;
  mode: ReadinessFacts['mode'];
  settings: Pick<SettingsStore, 'get' | 'on'>;
}

export interface ReadinessFeed {
  current(): Readiness;
  /** An OBS scene muted Pickle (`scene`) or let it speak again (`undefined`). */
  scene(scene: string | undefined): void;
  stop(): void;
}

export function feedReadiness(src: ReadinessSources, orchestrator: Pick<PickleActor, 'on'>, send: (r: Readiness) => void): ReadinessFeed {
  let brain: ReadinessFacts['brain'];
  let pausedByScene: string | undefined;
  let last = '';
  let current = verdict();

  function verdict(): Readiness {
    const services = src.status.all().map((s) => ({ service: s.service, state: s.state, detail: s.detail, ...(s.configured === false ? { configured: false as const } : {}) }));
    return replyReadiness({ services, brain, pausedByScene, mode: src.mode, senses: src.settings.get().senses });
  }
  function update(): void {
    current = verdict();
    const key = JSON.stringify(current);
    if (key === last) return;
    last = key;
    send(current);
  }

  src.status.on('change', update);
  const offSettings = src.settings.on('change', update);
  const brainSub = orchestrator.on('brain.state', (e) => {
    brain = { state: e.state, muted: e.muted };
    update();
  });
  last = JSON.stringify(current);

  return {
    current: () => current,
    scene(scene) {
      pausedByScene = scene;
      update();
    },
    stop() {
      src.status.off('change', update);
      offSettings();
      brainSub.unsubscribe();
    },
  };
}
