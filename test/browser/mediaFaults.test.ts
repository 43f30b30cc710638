import { describe, expect, it } from 'vitest';
import { microphoneFault } from '../../src/audio/browserMic.ts';
import { mediaErrorGroup, permissionFix } from '../../src/browser/mediaFaults.ts';

describe("the browser's media errors, as the streamer reads them", () => {
  it('groups the error names getUserMedia rejects with', () => {
    expect(['NotAllowedError', 'PermissionDeniedError', 'SecurityError'].map(mediaErrorGroup)).toEqual(['denied', 'denied', 'denied']);
    expect(['NotFoundError', 'OverconstrainedError'].map(mediaErrorGroup)).toEqual(['not-found', 'not-found']);
    expect(['NotReadableError', 'AbortError'].map(mediaErrorGroup)).toEqual(['busy', 'busy']);
    expect(mediaErrorGroup('TrackEnded')).toBeUndefined();
    expect(mediaErrorGroup(undefined)).toBeUndefined();
  });

  it('the permission step names the device and the OS settings page', () => {
    expect(permissionFix('microphone', 'darwin')).toContain('Privacy & Security → Microphone');
    expect(permissionFix('camera', 'win32')).toContain('Let desktop apps access your camera');
    expect(permissionFix('microphone', 'linux')).toContain('-aG audio');
    expect(permissionFix('camera', 'linux')).toContain('-aG video');
  });

  it('a microphone error: what is wrong and what to do', () => {
    const ctx = { platform: 'linux' as const, device: 'Yeti', retrySec: 10 };
    expect(microphoneFault({ state: 'down', reason: 'NotAllowedError' }, ctx)).toEqual({ detail: 'microphone permission denied', fix: permissionFix('microphone', 'linux') });
    expect(microphoneFault({ state: 'down', reason: 'NotReadableError' }, ctx).fix).toContain('Pickle retries every 10 s');
    expect(microphoneFault({ state: 'down', reason: 'MicrophoneNotFound', devices: ['Built-in'] }, ctx).detail).toBe('no microphone named like "Yeti" (found "Built-in")');
    expect(microphoneFault({ state: 'down', reason: 'Weird', message: 'x' }, ctx).detail).toBe('microphone error: Weird: x');
  });
});
