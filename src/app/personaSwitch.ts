/**
 * Persona switching, from mods' `!persona` (through the settings, so the choice is saved) or the
 * panel (the settings API): a new persona is loaded, moderation gets its languages' lists, the
 * machines get its runtime, OBS its mute scenes. A persona that does not exist changes nothing.
 */
import type { PickleActor } from '../../machines/orchestrator.ts';
import type { PickleEvent } from '../../machines/events.ts';
import type { Env } from '../config/env.ts';
import { listPersonas, loadPersona } from '../config/persona.ts';
import type { Settings, SettingsStore } from '../config/settings.ts';
import type { ConsoleOut } from '../console.ts';
import type { Logger } from '../log.ts';
import type { AppModeration } from '../moderation/setup.ts';
import { muteScenesOf, type ObsService } from '../obs/index.ts';
import type { LivePersona } from './persona.ts';
import type { PanelReports } from '../screens/presenter.ts';
import { errorText } from '../errors.ts';

export interface PersonaSwitchOptions {
  persona: LivePersona;
  personasDir: string;
  env: Env;
  settings: SettingsStore;
  /** The orchestrator's events (`persona.switch`). */
  events: Pick<PickleActor, 'on'>;
  /** Where a persona nobody has is reported (the panel's transcript). */
  reports: Pick<PanelReports, 'unknownPersona'>;
  moderation: AppModeration;
  obs: ObsService;
  send: (event: PickleEvent) => void;
  log: Logger;
  out: ConsoleOut;
}

export function followPersonaSwitches(opts: PersonaSwitchOptions): void {
  const { personasDir, env, settings, events, reports, moderation, obs, send, log, out } = opts;
  const applySettings = (next: Settings) => {
    if (next.persona.name !== opts.persona.current().id) {
      try {
        const persona = loadPersona(personasDir, next.persona.name);
        opts.persona.replace(persona);
        out.line(`Persona switched to "${persona.file.name}" (${persona.id})`);
        send(moderation.personaChanged(persona));
      } catch (err) {
        log.warn({ event: 'persona', err: errorText(err) }, 'persona switch failed');
        out.line(`! ${errorText(err)}`);
        return;
      }
    }
    send({ type: 'settings.changed', persona: opts.persona.runtime(next) });
    obs.setMuteScenes(muteScenesOf(opts.persona.current(), env));
  };
  settings.on('change', (next) => applySettings(next));
  // A sink: the brain decided the switch (an authorised `!persona`); whether that persona's file
  // exists is a fact only the disk has, and saving the choice is I/O.
  events.on('persona.switch', (e) => {
    if (!listPersonas(personasDir).includes(e.name)) {
      log.info({ event: 'persona', requested: e.name, by: e.by }, 'unknown persona requested');
      reports.unknownPersona(e.name);
      return;
    }
    try {
      settings.update({ persona: { name: e.name } });
    } catch (err) {
      // An unwritable settings file must not take the chat path down with it.
      log.warn({ event: 'persona', err: errorText(err) }, 'persona switch not saved');
      out.line(`! !persona ${e.name}: settings not saved (${errorText(err)}); make PICKLE_DATA_DIR/settings.json writable`);
    }
  });
}
