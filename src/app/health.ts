/** What /health adds about Pickle itself (the mode, the persona, the brain's phase, memory, moderation, the counters), and the panel chart's memory size. */
import type { PickleActor } from '../../machines/orchestrator.ts';
import type { Counters } from '../metrics.ts';
import type { MemoryService } from '../memory/index.ts';
import type { AppModeration } from '../moderation/setup.ts';
import type { LivePersona } from './persona.ts';

export interface HealthSources {
  mode: string;
  persona: LivePersona;
  orchestrator: PickleActor;
  memory: MemoryService;
  moderation: AppModeration;
  counters: Counters;
  /** What each overlay shows (model, fps, expression). */
  overlays?: () => unknown[];
}

export function pickleHealth(opts: HealthSources): () => Record<string, unknown> {
  const { mode, orchestrator, memory, moderation, counters } = opts;
  return () => {
    const persona = opts.persona.current();
    return {
      mode,
      persona: { id: persona.id, name: persona.file.name },
      brain: brainPhase(orchestrator),
      memory: memory.health(),
      moderation: moderation.service.health(),
      counters: counters.snapshot(),
      ...(opts.overlays ? { overlays: opts.overlays() } : {}),
    };
  };
}

function brainPhase(orchestrator: Pick<PickleActor, 'getSnapshot'>): string {
  const v: unknown = orchestrator.getSnapshot().children.brain?.getSnapshot().value;
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') return String(Object.values(v)[0]);
  return 'stopped';
}

/** Long-term memory's size for the panel chart (memory counts in the background; null while unknown/off). */
export function storedMemories(memory: MemoryService): number | null {
  const stored = memory.health()['stored'];
  return typeof stored === 'number' ? stored : null;
}
