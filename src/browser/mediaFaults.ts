/**
 * The browser's getUserMedia error names, grouped by what the streamer can do about them. The
 * microphone and the camera pages report the same names; each device words its own advice.
 */
export type MediaErrorGroup = 'denied' | 'not-found' | 'busy';

const GROUPS: Record<string, MediaErrorGroup> = {
  NotAllowedError: 'denied',
  PermissionDeniedError: 'denied',
  SecurityError: 'denied',
  NotFoundError: 'not-found',
  DevicesNotFoundError: 'not-found',
  OverconstrainedError: 'not-found',
  NotReadableError: 'busy',
  TrackStartError: 'busy',
  AbortError: 'busy',
};

export function mediaErrorGroup(reason: string | undefined): MediaErrorGroup | undefined {
  return reason === undefined ? undefined : GROUPS[reason];
}

/** How to give the browser a device it was refused, per OS (device: `microphone` or `camera`). */
export function permissionFix(device: 'microphone' | 'camera', platform: NodeJS.Platform): string {
  const title = device === 'microphone' ? 'Microphone' : 'Camera';
  if (platform === 'darwin') return `allow the ${device} for your browser in System Settings → Privacy & Security → ${title}, then restart Pickle`;
  if (platform === 'win32') return `turn on Settings → Privacy & security → ${title} → "Let desktop apps access your ${device}", then restart Pickle`;
  return device === 'microphone'
    ? 'let your user open sound devices (`sudo usermod -aG audio $USER`, then log in again)'
    : 'let your user open the camera (`sudo usermod -aG video $USER`, then log in again)';
}
