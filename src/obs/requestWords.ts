/**
 * OBS's request status codes (obs-websocket 5 `RequestStatus`) in words a streamer understands, each
 * with the step to take. OBS's own comment is kept for the log and shown only after the sentence,
 * never alone: "Your specified input kind is not supported by OBS" does not say what to do.
 */

import { NO_BROWSER_SOURCE, NO_BROWSER_SOURCE_FIX } from '../../machines/obsConnection.ts';

export { NO_BROWSER_SOURCE, NO_BROWSER_SOURCE_FIX };

/** The input kind of OBS's Browser Source (the obs-browser plugin). */
export const BROWSER_SOURCE_KIND = 'browser_source';

export interface ObsTrouble {
  /** What happened, for the panel and the doctor. */
  message: string;
  /** The step that resolves it. */
  fix: string;
}

const RETRY = 'try again in a moment';

/** `code` is OBS's request status; `request` the request type Pickle sent (e.g. CreateInput). */
export function obsTrouble(code: number, request: string): ObsTrouble {
  if (code === 207) return { message: 'OBS is not ready yet: it is starting or loading a scene collection', fix: `wait until OBS has finished loading, then ${RETRY}` };
  if (code === 505) return { message: 'OBS is in Studio Mode, so the live scene cannot be changed from outside', fix: 'turn off Studio Mode in OBS (the Studio Mode button under Controls), then try again' };
  if (code === 600) return { message: 'OBS does not have the scene or source Pickle asked for (it may have been renamed or deleted)', fix: `check the scene and source names in OBS, then ${RETRY}` };
  if (code === 601) return { message: 'OBS already has a scene or source with that name', fix: 'rename or delete the other scene or source in OBS, then try again' };
  if (code === 602) return { message: 'OBS has a source with that name, but of another type (a scene where an input was expected, or the reverse)', fix: 'rename the other scene or source in OBS, then try again' };
  if (code === 605) return { message: NO_BROWSER_SOURCE, fix: NO_BROWSER_SOURCE_FIX };
  if (code >= 700 && code <= 703)
    return { message: `OBS could not do it (${request}): OBS itself failed`, fix: 'check OBS\'s log (Help → Log Files → View Current Log), restart OBS if it keeps failing, then try again' };
  if (code === 204 || code === 203) return { message: `this OBS does not know the request ${request}`, fix: 'update OBS to 28 or newer (obs-websocket 5 is built in)' };
  if (code === -1) return { message: `OBS did not answer ${request} in time`, fix: `check that OBS is not frozen, then ${RETRY}` };
  if (code >= 500 && code < 600) return { message: `OBS refused ${request} in its current state (an output or mode is in the way)`, fix: `check OBS's state (recording, streaming, Studio Mode), then ${RETRY}` };
  if (code >= 300 && code < 500) return { message: `OBS did not accept Pickle's ${request} request`, fix: 'update Pickle and OBS to their current versions; if it persists, report it with the log line' };
  return { message: `OBS refused ${request}`, fix: `${RETRY}; if it persists, restart OBS` };
}
