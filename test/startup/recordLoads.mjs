// `node --import ./recordLoads.mjs …`: appends the URL of every module the ESM loader loads to the
// file named by PICKLE_LOAD_RECORD, so a test can list what an idle Pickle has loaded.
import { register } from 'node:module';

if (process.env.PICKLE_LOAD_RECORD) register('./recordLoadsHooks.mjs', import.meta.url, { data: { file: process.env.PICKLE_LOAD_RECORD } });
