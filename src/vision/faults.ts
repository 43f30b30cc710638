/** What a camera page report means for the streamer: the problem in words, and the step that fixes it. */
import type { PageReport, VisionFault } from './types.ts';
import { mediaErrorGroup, permissionFix } from '../browser/mediaFaults.ts';
import { clip } from '../../machines/text.ts';

/** Browser error names from the camera page → what the streamer reads, and what to do. */
export function cameraFault(report: PageReport, ctx: { platform: NodeJS.Platform; camera?: string | undefined; sdkUrl?: string; retrySec: number }): VisionFault {
  const cams = (report.cameras ?? []).slice(0, 6).map((c) => `"${clip(c, 60)}"`);
  const retry = `Pickle retries every ${ctx.retrySec} s`;
  const group = mediaErrorGroup(report.reason);
  if (group === 'denied') return { detail: 'camera permission denied', fix: permissionFix('camera', ctx.platform) };
  if (group === 'not-found') return { detail: 'no camera found', fix: `plug in a camera or start the OBS Virtual Camera (OBS → Start Virtual Camera); ${retry}` };
  if (group === 'busy') return { detail: 'the camera is busy or not responding', fix: `close the other app using it (OBS Virtual Camera can be shared); ${retry}` };
  switch (report.reason) {
    case 'CameraNotFound':
      return {
        detail: `no camera named like "${clip(ctx.camera ?? '', 60)}"${cams.length ? ` (found ${cams.join(', ')})` : ''}`,
        fix: `set VISION_CAMERA to part of one of these names, or start that camera; ${retry}`,
      };
    case 'TrackEnded':
      return { detail: 'the camera stopped sending pictures', fix: `check the cable or restart the virtual camera; ${retry}` };
    case 'SdkLoadFailed':
      return {
        detail: `could not load the Overshoot SDK from ${ctx.sdkUrl ?? 'its CDN'}`,
        fix: `check the internet connection (or set OVERSHOOT_SDK_URL); ${retry}`,
      };
    case 'UnauthorizedError':
      return { detail: 'Overshoot refused the API key', fix: 'check OVERSHOOT_API_KEY (https://overshoot.ai)' };
    case 'NetworkError':
      return { detail: 'cannot reach Overshoot', fix: `check the internet connection; ${retry}` };
    case 'NoMediaDevices':
      return { detail: 'the camera page cannot use cameras', fix: 'keep HOST on 127.0.0.1 (browsers allow cameras only on secure or local pages)' };
    default:
      return { detail: `camera error: ${clip(`${report.reason ?? 'Error'}: ${report.message ?? ''}`, 160)}`, fix: retry };
  }
}

