/** The machine itself: Node, espeak-ng and sox, free disk for the models, the port Pickle wants. */
import { mkdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { probeLocalVoice } from '../../tts/espeak.ts';
import { fail, ok, warn, type Check } from '../types.ts';

export function nodeCheck(version = process.versions.node): Check {
  return {
    name: 'Node',
    run: async () => {
      const major = Number(version.split('.')[0]);
      return major >= 20 ? ok('Node', `v${version}`) : fail('Node', `v${version} is too old`, 'install Node 20 or newer (https://nodejs.org)');
    },
  };
}

export function localVoiceCheck(opts: { espeakBinary?: string; soxBinary?: string; deepgramKey: boolean }): Check {
  return {
    name: 'espeak-ng, sox',
    run: async () => {
      const p = await probeLocalVoice(opts.espeakBinary ?? 'espeak-ng', opts.soxBinary ?? 'sox');
      const espeak = p.espeak
        ? ok('espeak-ng', p.espeak)
        : warn(
            'espeak-ng',
            opts.deepgramKey ? 'not installed: no local voice if Deepgram fails' : 'not installed: without DEEPGRAM_API_KEY Pickle shows captions only',
            'install espeak-ng (apt install espeak-ng · brew install espeak-ng · Windows: the espeak-ng installer)',
          );
      const sox = p.sox ? ok('sox', 'installed (clean resampling of the local voice)') : warn('sox', 'not installed: the local voice is resampled roughly', 'install sox (apt install sox · brew install sox)');
      return [espeak, sox];
    },
  };
}

/** The embedding model and Chroma's data go in PICKLE_DATA_DIR: about 0.5 GB with room to grow. */
export const DISK_WARN_BYTES = 2 * 1024 ** 3;
export const DISK_FAIL_BYTES = 500 * 1024 ** 2;

export function diskCheck(dataDir: string, freeBytes?: (dir: string) => Promise<number>): Check {
  return {
    name: 'Disk',
    run: async () => {
      const dir = resolve(dataDir);
      mkdirSync(dir, { recursive: true });
      const free = freeBytes ? await freeBytes(dir) : await statfs(dir).then((s) => s.bavail * s.bsize);
      const gb = (free / 1024 ** 3).toFixed(1);
      const found = `${gb} GB free in ${dataDir}`;
      if (free < DISK_FAIL_BYTES) return fail('Disk', found, 'free at least 0.5 GB for the models (or set PICKLE_DATA_DIR to a bigger disk)');
      if (free < DISK_WARN_BYTES) return warn('Disk', found, 'keep 2 GB free for the models and memory to grow');
      return ok('Disk', found);
    },
  };
}

export function portCheck(host: string, port: number): Check {
  return {
    name: 'Port',
    run: () =>
      new Promise((done) => {
        if (port === 0) return done(ok('Port', 'PORT=0: any free port'));
        const srv = createServer();
        srv.once('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'EADDRINUSE') done(fail('Port', `${host}:${port} is in use (is Pickle already running?)`, 'stop the other program, or set PORT to a free port'));
          else if (err.code === 'EACCES') done(fail('Port', `${host}:${port} needs more rights (${err.code})`, 'set PORT to a number above 1024'));
          else done(fail('Port', `${host}:${port} cannot be used (${err.code ?? err.message})`, 'check HOST and PORT'));
        });
        srv.listen(port, host, () => srv.close(() => done(ok('Port', `${host}:${port} is free`))));
      }),
  };
}
