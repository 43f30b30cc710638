import { config as loadDotenv } from 'dotenv';
import { join, resolve } from 'node:path';
import { ConfigError, parseEnv, secretsOf, type Env } from './config/env.ts';
import { PersonaError } from './config/persona.ts';
import { startPickle, type PickleApp } from './app.ts';
import { stdoutConsole } from './console.ts';
import { createLogger, openLogFile } from './log.ts';
import { listAudioDevices } from './audio/portaudio.ts';
import { secureDataDir } from './security/dataDir.ts';
import { listBrowserDevices } from './browser/listDevices.ts';
import { errorText } from './errors.ts';

/**
 * `npm start`: read .env and the environment, start Pickle, tell the streamer where things are.
 * A bad setting is one line naming it and exit code 2, never a stack trace.
 */
async function main(): Promise<void> {
  // `npm start -- --list-devices`: sound devices for AUDIO_INPUT_DEVICE / AUDIO_OUTPUT_DEVICE, then exit.
  if (process.argv.includes('--list-devices')) {
    loadDotenv({ quiet: true });
    let listEnv: Env;
    try {
      listEnv = parseEnv(process.env);
    } catch (err) {
      return fail(err);
    }
    const { ok, lines } = listEnv.AUDIO_INPUT === 'naudiodon' ? await listAudioDevices() : await listBrowserDevices(listEnv);
    for (const line of lines) process.stdout.write(`${line}\n`);
    process.exit(ok ? 0 : 1);
  }
  loadDotenv({ quiet: true });
  let env: Env;
  try {
    env = parseEnv(process.env);
  } catch (err) {
    return fail(err);
  }

  const logFile = join(resolve(env.PICKLE_DATA_DIR), 'logs', 'pickle.log');
  // Everything Pickle and its Chroma create is for this user only.
  process.umask(0o077);
  let log;
  try {
    secureDataDir(resolve(env.PICKLE_DATA_DIR));
    log = createLogger({ level: env.LOG_LEVEL, destination: await openLogFile(logFile), secrets: secretsOf(env) });
  } catch (err) {
    process.stderr.write(`pickle: PICKLE_DATA_DIR: cannot write the log file ${logFile} (${errorText(err)})\n`);
    process.exit(2);
  }
  const out = stdoutConsole;
  out.line('Pickle is starting…');

  let app: PickleApp;
  try {
    app = await startPickle({ env, log, console: out, newToken: process.argv.includes('--new-token') });
  } catch (err) {
    return fail(err);
  }

  out.line('');
  out.line(`Pickle is up (${app.mode === 'rehearsal' ? 'rehearsal mode' : app.mode === 'anonymous' ? `reading #${env.TWITCH_CHANNEL}, read-only` : `in #${env.TWITCH_CHANNEL}`})`);
  out.line(`  overlay  ${app.url}/overlay${app.overlayKey ? `?key=${app.overlayKey}` : ''}   (OBS browser source, 1920×1080)`);
  const withToken = app.accessToken ? `?token=${app.accessToken}` : '';
  const auth = app.accessToken ? ` -H 'authorization: Bearer ${app.accessToken}'` : '';
  out.line(`  panel    ${app.url}/panel${withToken}   (control panel; also an OBS custom dock)`);
  out.line(`  inspect  ${app.url}/inspector${withToken}   (live statecharts)`);
  out.line(`  health   ${app.accessToken ? `curl${auth} ${app.url}/health` : `${app.url}/health`}`);
  out.line(`  chat     curl -X POST ${app.url}/api/chat${auth} -H 'content-type: application/json' -d '{"user":"you","text":"hi pickle"}'`);
  if (app.accessToken) {
    out.line(`  access token (kept in ${join(resolve(env.PICKLE_DATA_DIR), 'access-token')}; \`npm start -- --new-token\` makes a new one): ${app.accessToken}`);
  }
  out.line(`  log      ${logFile}`);
  out.line('Press Ctrl+C to stop.');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    out.line(`\n${signal}: stopping Pickle…`);
    log.info({ event: 'shutdown', signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    void app.stop().then(
      () => {
        log.flush();
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

function fail(err: unknown): never {
  if (err instanceof ConfigError || err instanceof PersonaError) {
    process.stderr.write(`pickle: ${err.message}\n`);
    process.exit(2);
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(e?.message ?? '')) {
    process.stderr.write(`pickle: PORT: ${e.message.split('\n')[0]} (set PORT to a free port, or stop the other program)\n`);
    process.exit(2);
  }
  process.stderr.write(`pickle: could not start: ${e?.message?.split('\n')[0] ?? String(err)}\n`);
  process.exit(1);
}

void main();
