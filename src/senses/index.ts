/**
 * Senses as settings: ears (microphone → Deepgram) and eyes (camera) on or off, from the panel,
 * the settings API or `!privacy`. The senses machine (a child of the orchestrator, routed `!privacy`
 * and the brain's state) decides and tells the orchestrator; this adapter saves the choice in
 * settings.json (so a crash or a restart never resumes recording) and closes or reopens the
 * microphone and the camera.
 */
import { remembersSenses } from '../../machines/senses.ts';
import { tell, type ChildHost } from '../children.ts';
import type { SettingsStore } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import type { Ears } from '../stt/index.ts';
import type { VisionService } from '../vision/index.ts';
import { errorText } from '../errors.ts';

export interface SensesOptions {
  settings: SettingsStore;
  log: Logger;
  ears: Ears;
  vision?: VisionService | undefined;
  /** A line for the streamer's console. */
  say?: (line: string) => void;
  /** Where the senses machine runs (the orchestrator's children). */
  children: ChildHost;
}

export interface Senses {
  /** Whether what `source` brings may go into long-term memory now. */
  remembers(source: 'ears' | 'eyes'): boolean;
  current(): { ears: boolean; eyes: boolean };
  /** Resolves when the last change has been applied (microphone / camera closed or reopened). */
  settled(): Promise<void>;
  stop(): void;
}

export function startSenses(opts: SensesOptions): Senses {
  const { settings, log } = opts;
  const actor = opts.children.start({ src: 'senses', systemId: 'senses', input: settings.get().senses });
  let applying: Promise<void> = Promise.resolve();

  actor.on('senses.changed', (e) => {
    log.info({ event: 'senses', ears: e.ears, eyes: e.eyes }, 'senses changed');
    opts.say?.(`Senses: ears ${e.ears ? 'on' : 'off'}, eyes ${e.eyes ? 'on' : 'off'}`);
    // Saved first: if Pickle dies while the microphone closes, it does not come back listening.
    settings.update({ senses: { ears: e.ears, eyes: e.eyes } });
    applying = applying.then(async () => {
      await Promise.all([
        e.ears ? opts.ears.resume() : opts.ears.pause(),
        e.eyes ? Promise.resolve(opts.vision?.resume()) : (opts.vision?.pause() ?? Promise.resolve()),
      ]).catch((err: unknown) => log.warn({ event: 'senses', err: errorText(err) }, 'senses change failed'));
    });
  });

  const offSettings = settings.on('change', (next) => tell(actor, { type: 'senses.set', ears: next.senses.ears, eyes: next.senses.eyes }));

  return {
    remembers: (source) => remembersSenses(actor.getSnapshot().context, source),
    current: () => {
      const c = actor.getSnapshot().context;
      return { ears: c.ears, eyes: c.eyes };
    },
    settled: () => applying,
    stop() {
      offSettings();
      opts.children.stop('senses');
    },
  };
}
