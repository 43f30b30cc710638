/**
 * Optional local sound-device output (AUDIO_OUTPUT_DEVICE, chosen by name) through naudiodon
 * (PortAudio bindings). naudiodon is NOT a dependency: it compiles native code at install, which
 * needs a C++ toolchain and an allowed install script, so it is loaded only if the streamer
 * installed it. Its absence is a status line (`audio: disabled`, with the command that enables
 * it), never a failed install or a crash: the overlay keeps playing the voice in OBS.
 */
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import type { AudioSink } from './player.ts';
import { errorText } from '../errors.ts';

interface NaudiodonDevice {
  id: number;
  name: string;
  maxOutputChannels: number;
}
interface NaudiodonStream {
  start(): void;
  write(chunk: Buffer): boolean;
  end(): void;
  abort?(cb?: () => void): void;
  quit?(cb?: () => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
}
interface Naudiodon {
  getDevices(): NaudiodonDevice[];
  SampleFormat16Bit: number;
  AudioIO: new (opts: { outOptions: Record<string, unknown> }) => NaudiodonStream;
}

export const NAUDIODON_FIX =
  'npm install naudiodon (native PortAudio bindings: needs a C++ build toolchain; allow its install script with `npm approve-scripts naudiodon` if npm asks), then restart Pickle';

/** Loads naudiodon if installed; the module name is a variable so neither TypeScript nor bundlers require it. */
async function loadNaudiodon(): Promise<Naudiodon | undefined> {
  const name = 'naudiodon';
  try {
    const mod = (await import(name)) as { default?: Naudiodon } & Naudiodon;
    return mod.default ?? mod;
  } catch {
    return undefined;
  }
}

export async function openLocalOutput(deviceName: string, deps: { status: StatusBoard; log: Logger; sampleRate: number }): Promise<AudioSink | undefined> {
  const { status, log } = deps;
  const mod = await loadNaudiodon();
  if (!mod) {
    status.set('audio', 'disabled', `AUDIO_OUTPUT_DEVICE is set ("${deviceName}") but naudiodon is not installed: the voice plays in the overlay (OBS) only`, {
      fix: NAUDIODON_FIX,
    });
    return undefined;
  }
  let devices: NaudiodonDevice[];
  try {
    devices = mod.getDevices().filter((d) => d.maxOutputChannels > 0);
  } catch (err) {
    status.set('audio', 'down', `cannot list sound devices: ${errorText(err)}`, { fix: 'check the system sound setup, then restart Pickle' });
    return undefined;
  }
  const wanted = deviceName.toLowerCase();
  const device = devices.find((d) => d.name.toLowerCase() === wanted) ?? devices.find((d) => d.name.toLowerCase().includes(wanted));
  if (!device) {
    status.set('audio', 'down', `no output device named "${deviceName}"; the voice plays in the overlay (OBS) only`, {
      fix: `set AUDIO_OUTPUT_DEVICE to one of: ${devices.map((d) => d.name).join(', ') || '(no output devices found)'}`,
    });
    return undefined;
  }
  status.set('audio', 'up', `voice also plays on "${device.name}"`);

  let stream: NaudiodonStream | undefined;
  const close = (hard: boolean) => {
    const s = stream;
    stream = undefined;
    if (!s) return;
    try {
      if (hard && s.abort) s.abort();
      else if (s.quit) s.quit();
      else s.end();
    } catch (err) {
      log.warn({ event: 'audio-device', err: errorText(err) }, 'closing the sound device failed');
    }
  };
  return {
    start() {
      close(true);
      try {
        const s = new mod.AudioIO({
          outOptions: { channelCount: 1, sampleFormat: mod.SampleFormat16Bit, sampleRate: deps.sampleRate, deviceId: device.id, closeOnError: false },
        });
        s.on('error', (err) => log.warn({ event: 'audio-device', err: err.message }, 'sound device error'));
        s.start();
        stream = s;
      } catch (err) {
        status.set('audio', 'down', `cannot open "${device.name}": ${errorText(err)}`, { fix: 'check the device, then restart Pickle' });
      }
    },
    audio(pcm) {
      stream?.write(pcm);
    },
    end() {
      const s = stream;
      stream = undefined;
      s?.end();
    },
    stop: () => close(true),
    // The device's own buffer end is not observed: the computed clock is close enough for it.
    reporters: () => 0,
    onEnded: () => () => {},
  };
}
