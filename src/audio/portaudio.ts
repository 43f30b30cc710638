/**
 * Sound devices through naudiodon (PortAudio bindings), loaded only when present.
 *
 * naudiodon is a native module built at install time (node-gyp + a C++ toolchain); it is not a
 * dependency of Pickle, so a plain `npm install` never fails on it. When it is missing (or its
 * build does not load) the microphone is reported as unavailable with the way out, and nothing
 * crashes. The maintained fork `naudiodon2` is accepted too.
 */

export interface PortAudioDevice {
  id: number;
  name: string;
  maxInputChannels: number;
  maxOutputChannels: number;
  defaultSampleRate: number;
  hostAPIName?: string;
}

/** A naudiodon AudioIO: a Readable for input, Writable for output. */
export interface PortAudioStream extends NodeJS.EventEmitter {
  start(): void;
  quit(cb?: () => void): void;
  abort?(cb?: () => void): void;
}

export interface PortAudioModule {
  getDevices(): PortAudioDevice[];
  AudioIO: new (options: {
    inOptions?: { channelCount: number; sampleFormat: number; sampleRate: number; deviceId: number; closeOnError: boolean; framesPerBuffer?: number };
    outOptions?: { channelCount: number; sampleFormat: number; sampleRate: number; deviceId: number; closeOnError: boolean };
  }) => PortAudioStream;
  SampleFormat16Bit: number;
}

export type PortAudioLoad = { ok: true; module: PortAudioModule; name: string } | { ok: false; reason: string };

export const PORTAUDIO_PACKAGES = ['naudiodon', 'naudiodon2'] as const;

/** What to do without naudiodon (status fix, --list-devices). */
export const MICROPHONE_FIX =
  'remove AUDIO_INPUT=naudiodon to hear you through your browser (the default, nothing to build), or install `npm install naudiodon` (it needs a C++ build toolchain: build-essential and libasound2-dev on Linux, Xcode tools on macOS, Visual Studio Build Tools on Windows), or send audio through AUDIO_INPUT_FILE (a WAV file, or `-` to pipe 16 kHz mono PCM16 in; see README)';

let cached: Promise<PortAudioLoad> | undefined;

export function loadPortAudio(): Promise<PortAudioLoad> {
  cached ??= (async () => {
    const reasons: string[] = [];
    for (const name of PORTAUDIO_PACKAGES) {
      try {
        const mod = (await import(/* @vite-ignore */ name as string)) as { default?: PortAudioModule } & Partial<PortAudioModule>;
        const module = (mod.getDevices ? mod : mod.default) as PortAudioModule | undefined;
        if (module && typeof module.getDevices === 'function' && module.AudioIO) return { ok: true as const, module, name };
        reasons.push(`${name}: unexpected module shape`);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        reasons.push(e.code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(e.message) ? `${name} is not installed` : `${name} did not load (${e.message.split('\n')[0]})`);
      }
    }
    return { ok: false as const, reason: reasons[0] ?? 'naudiodon is not installed' };
  })();
  return cached;
}

/** Input devices matching a name: exact (any case) first, then containing it. */
export function findInputDevice(devices: readonly PortAudioDevice[], name: string): PortAudioDevice | undefined {
  const inputs = devices.filter((d) => d.maxInputChannels > 0);
  const want = name.trim().toLowerCase();
  return inputs.find((d) => d.name.toLowerCase() === want) ?? inputs.find((d) => d.name.toLowerCase().includes(want));
}

/** `npm start -- --list-devices`: the lines to print, and whether listing worked. */
export async function listAudioDevices(load: () => Promise<PortAudioLoad> = loadPortAudio): Promise<{ ok: boolean; lines: string[] }> {
  const pa = await load();
  if (!pa.ok) return { ok: false, lines: [`Cannot list sound devices: ${pa.reason}.`, `To use a microphone, ${MICROPHONE_FIX}.`] };
  let devices: PortAudioDevice[];
  try {
    devices = pa.module.getDevices();
  } catch (err) {
    return { ok: false, lines: [`Cannot list sound devices: ${(err as Error).message}`] };
  }
  const fmt = (d: PortAudioDevice, channels: number) =>
    `  ${String(d.id).padStart(3)}  ${d.name}  (${channels} ch, ${d.defaultSampleRate} Hz${d.hostAPIName ? `, ${d.hostAPIName}` : ''})`;
  const inputs = devices.filter((d) => d.maxInputChannels > 0);
  const outputs = devices.filter((d) => d.maxOutputChannels > 0);
  return {
    ok: true,
    lines: [
      `Input devices (AUDIO_INPUT_DEVICE=<name or part of it>), via ${pa.name}:`,
      ...(inputs.length ? inputs.map((d) => fmt(d, d.maxInputChannels)) : ['  (none)']),
      'Output devices (AUDIO_OUTPUT_DEVICE):',
      ...(outputs.length ? outputs.map((d) => fmt(d, d.maxOutputChannels)) : ['  (none)']),
    ],
  };
}
