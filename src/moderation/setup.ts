/**
 * Moderation for the app: the word lists for the persona's languages (loaded here, handed to
 * the brain as data), the service (ML classifier, counts, silences), the pipeline long-term
 * memory uses before it stores a line, and what the panel is told when its counts change.
 */
import { join } from 'node:path';
import { guardSentence } from '../../machines/brain/guard.ts';
import { systemPrompt } from '../../machines/brain/prompt.ts';
import type { PickleActor } from '../../machines/orchestrator.ts';
import type { PickleEvent } from '../../machines/events.ts';
import { moderationData, type ModerationData } from '../../machines/moderation/pipeline.ts';
import type { BaitingRule } from '../../machines/moderation/baiting.ts';
import type { ModerationVerdict, WordList } from '../../machines/moderation/types.ts';
import type { Env } from '../config/env.ts';
import { loadWordLists } from '../config/moderationLists.ts';
import { toRuntime, type Persona } from '../config/persona.ts';
import type { StorageModeration } from '../../machines/memory/rules.ts';
import type { PanelReports } from '../screens/presenter.ts';
import { startModeration, type ModerationOptions, type ModerationService } from './index.ts';

/** The sinks' events, and the snapshot the brain's moderation data is read from. */
type OrchestratorLike = Pick<PickleActor, 'on' | 'getSnapshot'>;
type PanelLike = Pick<PanelReports, 'moderationChanged'>;

export interface AppModeration {
  service: ModerationService;
  /** The lists for the brain (BrainInput.wordLists). */
  wordLists(): WordList[];
  baitingRule: BaitingRule;
  /** For long-term memory (MemoryOptions.moderation). */
  storage(): StorageModeration;
  /** A new persona: its languages' lists (send them to the brain as `moderation.lists`). */
  personaChanged(persona: Persona): PickleEvent;
  attach(orchestrator: OrchestratorLike, panel: PanelLike): void;
  /**
   * The judgement a spoken sentence gets now, through the same code: the brain's moderation data
   * for the current persona (its lists and its instructions), the output guard as for a reply's
   * first sentence, then the ML classifier when one is loaded.
   */
  check(text: string, signal: AbortSignal): Promise<ModerationVerdict>;
}

export function setupModeration(opts: Omit<ModerationOptions, 'languages'> & { env: Env; personasDir: string; persona: Persona; blocklist: readonly string[] }): AppModeration {
  const listsDir = join(opts.personasDir, 'moderation');
  const load = (persona: Persona) => {
    const { lists, missing } = loadWordLists(listsDir, persona.file.languages, opts.blocklist, persona.file.moderation.mild);
    if (missing.length) opts.console.line(`! MODERATION: no word list for ${missing.join(', ')} (add personas/moderation/<lang>.txt); the other layers still apply`);
    return { lists, languages: persona.file.languages.filter((l) => !missing.includes(l)) };
  };
  let current = load(opts.persona);
  // Stored lines are checked without the prompt-leak layer (that one protects what Pickle says).
  let storageData: ModerationData = moderationData(current.lists, '');
  const service = startModeration({ ...opts, languages: current.languages });
  let panelRef: PanelLike | undefined;
  let orchestratorRef: OrchestratorLike | undefined;
  let persona = opts.persona;
  /** What the brain judges with (before the brain runs: the same data built from the persona). */
  const spokenData = (): ModerationData => {
    const brain = orchestratorRef?.getSnapshot().children.brain;
    return brain?.getSnapshot().context.moderation.data ?? moderationData(current.lists, systemPrompt(toRuntime(persona)));
  };
  const snapshot = () => service.health();
  const update = () => panelRef?.moderationChanged(snapshot());

  return {
    service,
    wordLists: () => current.lists,
    baitingRule: { strikes: opts.env.BAIT_STRIKES, windowMs: opts.env.BAIT_WINDOW_MIN * 60_000, silenceMs: opts.env.BAIT_SILENCE_MIN * 60_000 },
    storage: () => ({
      data: storageData,
      blocked: (category) => {
        service.count('memory', category);
        update();
      },
    }),
    personaChanged(next) {
      persona = next;
      current = load(next);
      storageData = moderationData(current.lists, '');
      service.setLanguages(current.languages);
      return { type: 'moderation.lists', lists: current.lists };
    },
    async check(text, signal) {
      const listed = guardSentence(text, { moderation: spokenData(), spokenChars: 0, maxChars: Number.MAX_SAFE_INTEGER, inputs: [] });
      if (!listed.ok) return { ok: false, category: listed.category, layer: listed.layer };
      const judged = await service.judge(text, signal);
      return judged?.toxic ? { ok: false, category: 'toxicity', layer: 'ml' } : { ok: true };
    },
    attach(orchestrator, panel) {
      panelRef = panel;
      orchestratorRef = orchestrator;
      orchestrator.on('reply.blocked', (e) => {
        service.count('reply', e.category);
        opts.log.info({ event: 'moderation.blocked', replyId: e.replyId, category: e.category, layer: e.layer, viewer: e.viewer }, 'sentence blocked');
        update();
      });
      orchestrator.on('viewer.silenced', (e) => {
        service.silenced(e.viewer, e.until);
        opts.log.info({ event: 'moderation.silenced', viewer: e.viewer, until: e.until }, 'viewer silenced for baiting');
        update();
      });
      orchestrator.on('viewer.unsilenced', (e) => {
        service.unsilenced(e.viewer);
        opts.log.info({ event: 'moderation.unsilenced', viewer: e.viewer, by: e.by }, 'baiting silence lifted');
        update();
      });
    },
  };
}
