/** OBS: reachable with the password, and whether the overlay source is there. */
import { NO_BROWSER_SOURCE_FIX, NO_BROWSER_SOURCE_WHAT, obsDownStatus } from '../../../machines/obsConnection.ts';
import type { Env } from '../../config/env.ts';
import { createObsClient, DEFAULT_OBS_URL, failureOf, ObsRequestError } from '../../obs/client.ts';
import { isObsConfigured, OBS_DISABLED_FIX } from '../../obs/service.ts';
import { findOverlaySource, OVERLAY_INPUT_NAME } from '../../obs/setup.ts';
import { fail, ok, warn, type Check, type CheckResult } from '../types.ts';

export function obsCheck(env: Env): Check {
  return {
    name: 'OBS',
    run: async (): Promise<CheckResult> => {
      if (!isObsConfigured(env)) return warn('OBS', 'not configured: add the overlay by hand (browser source, 1920×1080)', OBS_DISABLED_FIX);
      const url = env.OBS_WEBSOCKET_URL ?? DEFAULT_OBS_URL;
      const client = createObsClient({ url, password: env.OBS_WEBSOCKET_PASSWORD, timeoutMs: 6_000 });
      try {
        let hello;
        try {
          hello = await client.connect();
        } catch (err) {
          const f = failureOf(err);
          const s = obsDownStatus(f.failure, url, f.message);
          return fail('OBS', s.detail, s.fix);
        }
        const where = `OBS ${hello.obsVersion} at ${url}, scene "${hello.scene}"`;
        if (!hello.browserSource) return fail('OBS', `${where}; ${NO_BROWSER_SOURCE_WHAT}`, NO_BROWSER_SOURCE_FIX);
        let found;
        try {
          found = await findOverlaySource(client.call);
        } catch (err) {
          if (err instanceof ObsRequestError) return fail('OBS', `${where}; ${err.message}`, err.fix);
          throw err;
        }
        if (!found.exists) return warn('OBS', `${where}; no "${OVERLAY_INPUT_NAME}" source yet`, 'start Pickle (npm start), open the panel and press "Add Pickle to OBS"');
        if (found.kind !== 'browser_source') return warn('OBS', `${where}; "${OVERLAY_INPUT_NAME}" is a ${found.kind ?? '?'}, not a browser source`, 'rename it in OBS, then press "Add Pickle to OBS"');
        return ok('OBS', `${where}; "${OVERLAY_INPUT_NAME}" is set up`);
      } finally {
        await client.disconnect();
      }
    },
  };
}
