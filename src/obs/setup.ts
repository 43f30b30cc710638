/**
 * "Add Pickle to OBS": the overlay as a browser source named "Pickle overlay" in the current
 * program scene, 1920×1080, audio routed through OBS ("Control audio via OBS", `reroute_audio`),
 * or Pickle's voice would play on the desktop instead of on stream. Idempotent by name: settings
 * that already match are not written again, and a scene that already shows it gets no second copy.
 */
import { type ObsCall, ObsRequestError } from './client.ts';
import { BROWSER_SOURCE_KIND, NO_BROWSER_SOURCE, NO_BROWSER_SOURCE_FIX } from './requestWords.ts';

export const OVERLAY_INPUT_NAME = 'Pickle overlay';
export const OVERLAY_WIDTH = 1920;
export const OVERLAY_HEIGHT = 1080;

export interface OverlaySourceResult {
  scene: string;
  /** The input did not exist and was created (in `scene`). */
  created: boolean;
  /** Settings that were different and were corrected (e.g. `url` after a port change). */
  updated: string[];
  /** The input existed elsewhere and was added to `scene`. */
  addedToScene: boolean;
  /** Nothing needed doing. */
  unchanged: boolean;
}

/** A problem on OBS's side the streamer has to resolve (shown on the panel as is, with its step). */
export class ObsSetupError extends Error {
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'ObsSetupError';
  }
}

export function overlaySettings(overlayUrl: string): { url: string; width: number; height: number; reroute_audio: boolean } {
  return { url: overlayUrl, width: OVERLAY_WIDTH, height: OVERLAY_HEIGHT, reroute_audio: true };
}

/** Whether the overlay source exists, and where (for the doctor and /api/obs). */
export async function findOverlaySource(call: ObsCall): Promise<{ exists: boolean; kind?: string; settings?: Record<string, unknown> }> {
  try {
    const s = await call('GetInputSettings', { inputName: OVERLAY_INPUT_NAME });
    return { exists: true, kind: s.inputKind, settings: s.inputSettings };
  } catch (err) {
    if (err instanceof ObsRequestError && (err.code === 600 || err.code === 602)) return { exists: false };
    throw err;
  }
}

export async function ensureOverlaySource(call: ObsCall, overlayUrl: string): Promise<OverlaySourceResult> {
  const current = await call('GetCurrentProgramScene');
  const scene = current.sceneName ?? current.currentProgramSceneName;
  const desired = overlaySettings(overlayUrl);
  const found = await findOverlaySource(call);

  if (!found.exists) {
    // Asked before creating: OBS's own refusal (605) names no plugin and no way to get it.
    const { inputKinds } = await call('GetInputKindList', { unversioned: false });
    if (!inputKinds.includes(BROWSER_SOURCE_KIND)) throw new ObsSetupError(NO_BROWSER_SOURCE, NO_BROWSER_SOURCE_FIX);
    try {
      await call('CreateInput', { sceneName: scene, inputName: OVERLAY_INPUT_NAME, inputKind: 'browser_source', inputSettings: desired });
    } catch (err) {
      // 601: a scene (or another kind of source) already has the name.
      if (err instanceof ObsRequestError && err.code === 601)
        throw new ObsSetupError(`OBS already has a scene or source named "${OVERLAY_INPUT_NAME}" that is not a browser source`, 'rename it in OBS, then try again');
      throw err;
    }
    return { scene, created: true, updated: [], addedToScene: false, unchanged: false };
  }
  if (found.kind !== 'browser_source')
    throw new ObsSetupError(`OBS already has a "${OVERLAY_INPUT_NAME}" source of another kind (${found.kind ?? 'unknown'})`, 'rename or delete it in OBS, then try again');

  const have = found.settings ?? {};
  const updated = (Object.keys(desired) as (keyof typeof desired)[]).filter((k) => have[k] !== desired[k]);
  if (updated.length > 0) {
    const patch = Object.fromEntries(updated.map((k) => [k, desired[k]]));
    await call('SetInputSettings', { inputName: OVERLAY_INPUT_NAME, inputSettings: patch });
  }

  const { sceneItems } = await call('GetSceneItemList', { sceneName: scene });
  const inScene = sceneItems.some((i) => i['sourceName'] === OVERLAY_INPUT_NAME);
  if (!inScene) await call('CreateSceneItem', { sceneName: scene, sourceName: OVERLAY_INPUT_NAME });

  return { scene, created: false, updated, addedToScene: !inScene, unchanged: updated.length === 0 && inScene };
}

/** One line for the panel / console. */
export function describeSetup(r: OverlaySourceResult): string {
  if (r.created) return `Added "${OVERLAY_INPUT_NAME}" to scene "${r.scene}" (1920×1080, audio through OBS)`;
  if (r.unchanged) return `"${OVERLAY_INPUT_NAME}" is already in scene "${r.scene}" and set up: nothing to change`;
  const parts: string[] = [];
  if (r.updated.length > 0) parts.push(`corrected ${r.updated.join(', ')}`);
  if (r.addedToScene) parts.push(`added it to scene "${r.scene}"`);
  return `"${OVERLAY_INPUT_NAME}": ${parts.join(' and ')}`;
}
