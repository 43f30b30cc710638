// Pickle overlay audio: plays the voice from the /avatar stream_* events with Web Audio, so OBS
// captures it with the browser source ("Control audio via OBS"). Owned by the voice work.
// Contract used by overlay.js (keep it):
//   window.PickleAudio.attach(socket) -> {
//     level(): number        current output amplitude 0..1 (lip-sync, read once per animation frame)
//     blocked(): boolean     true while the browser refuses to play until a user gesture
//     unlock(): Promise<void> call from a click handler to enable audio outside OBS
//   }
// This stub plays nothing yet.
(function () {
  'use strict';
  window.PickleAudio = {
    attach: function () {
      return {
        level: function () {
          return 0;
        },
        blocked: function () {
          return false;
        },
        unlock: function () {
          return Promise.resolve();
        },
      };
    },
  };
})();
