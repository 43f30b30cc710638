/**
 * The persona Pickle speaks as right now: the settings' choice (last used, switched live) wins over
 * PERSONA at start, if it still exists; a switch replaces it for everything that reads `current()`.
 */
import type { Env } from '../config/env.ts';
import type { PersonaRuntime } from '../../machines/events.ts';
import { listPersonas, loadPersona, toRuntime, type Persona } from '../config/persona.ts';
import type { Settings, SettingsStore } from '../config/settings.ts';

export interface LivePersona {
  current(): Persona;
  replace(next: Persona): void;
  /** What the machines get: the persona with the settings' live overrides. */
  runtime(settings: Settings): PersonaRuntime;
}

export function startingPersona(env: Env, settings: SettingsStore, personasDir: string): LivePersona {
  const saved = settings.get().persona.name;
  const personaId = saved !== 'default' && listPersonas(personasDir).includes(saved) ? saved : env.PERSONA;
  let persona: Persona = loadPersona(personasDir, personaId);
  if (personaId !== saved) settings.update({ persona: { name: personaId } });
  return {
    current: () => persona,
    replace: (next) => {
      persona = next;
    },
    runtime: (s) => toRuntime(persona, { spontaneousRate: s.persona.spontaneousRate, cooldownSec: s.persona.cooldownSec, idleAfterSec: s.persona.idleAfterSec, replyInChat: s.persona.replyInChat }),
  };
}
