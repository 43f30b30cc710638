/** The Deepgram key, through the cheapest authenticated call: GET /v1/projects. */
import { createClient, DeepgramApiError } from '@deepgram/sdk';
import type { Env } from '../../config/env.ts';
import { fail, ok, warn, type Check, type CheckResult } from '../types.ts';

const FIX = 'set DEEPGRAM_API_KEY to a key from https://console.deepgram.com (API Keys)';

export function deepgramCheck(env: Env): Check {
  return {
    name: 'Deepgram',
    run: async (): Promise<CheckResult> => {
      const key = env.DEEPGRAM_API_KEY;
      if (!key) return warn('Deepgram', 'no key: no transcription of your voice; the voice is espeak-ng or captions', FIX);
      const base = env.DEEPGRAM_URL ? (env.DEEPGRAM_URL.endsWith('/') ? env.DEEPGRAM_URL : `${env.DEEPGRAM_URL}/`) : undefined;
      const client = createClient(key, base ? { global: { fetch: { options: { url: base } } } } : {});
      const { result, error } = await client.manage.getProjects();
      if (error) {
        const status = error instanceof DeepgramApiError ? error.status : undefined;
        if (status === 401 || status === 403) return fail('Deepgram', `the key was refused (${status})`, FIX);
        return fail('Deepgram', `not reachable (${typeof status === 'number' ? `HTTP ${status}` : error.message})`, 'check the internet connection (or DEEPGRAM_URL)');
      }
      const n = result?.projects.length ?? 0;
      return ok('Deepgram', `key accepted (${n} project${n === 1 ? '' : 's'})`);
    },
  };
}
