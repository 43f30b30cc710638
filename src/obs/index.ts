/** OBS: connection, "Add Pickle to OBS", scenes that mute Pickle (see service.ts). */
export { createObs, isObsConfigured, muteScenesOf, ObsNotReady, type ObsService, type ObsTuning, type ObsView } from './service.ts';
export { withObsRoutes } from './routes.ts';
export { overlayUrlFor } from './overlayUrl.ts';
