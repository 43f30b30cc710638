// Lip-sync shapes from the voice actually playing: the vowel a frame of audio sounds like, from
// where its energy sits in the spectrum (the first two formants, F1 and F2), as weights of the
// VRM visemes aa, ih, ou, ee, oh. A silence gate shuts the mouth below a level; each weight
// opens fast (attack) and closes a little slower (release), so the mouth reads as speech, not
// jitter. Without a spectrum, loudness alone opens `aa` (the fallback).
(function () {
  'use strict';

  /** @typedef {{ aa: number, ih: number, ou: number, ee: number, oh: number }} Visemes */

  // Typical formants of the five vowels (Hz): [F1, F2].
  /** @type {Array<[keyof Visemes, number, number]>} */
  var VOWELS = [
    ['aa', 750, 1250],
    ['ih', 320, 2250],
    ['ou', 350, 850],
    ['ee', 500, 1900],
    ['oh', 500, 950],
  ];
  var GATE = 0.04; // level below which the mouth is shut
  var ATTACK = 0.035; // seconds to open
  var RELEASE = 0.09; // seconds to close
  var SHARPNESS = 4; // how decisively the nearest vowel wins

  /**
   * The weighted mean frequency of the spectrum between lo and hi (dB bins → power).
   * @param {Float32Array} db
   * @param {number} binHz
   * @param {number} lo
   * @param {number} hi
   */
  function centroid(db, binHz, lo, hi) {
    var sum = 0;
    var weighted = 0;
    var from = Math.max(1, Math.floor(lo / binHz));
    var to = Math.min(db.length - 1, Math.ceil(hi / binHz));
    for (var i = from; i <= to; i++) {
      var v = db[i];
      if (v === undefined || !Number.isFinite(v)) continue;
      var p = Math.pow(10, v / 10);
      sum += p;
      weighted += p * i * binHz;
    }
    return sum > 0 ? weighted / sum : (lo + hi) / 2;
  }

  /**
   * The viseme mix a spectrum sounds like, scaled by how loud it is (before smoothing).
   * @param {Float32Array | null} db  frequency data in dB (AnalyserNode.getFloatFrequencyData)
   * @param {number} binHz
   * @param {number} level  loudness 0..1
   * @returns {Visemes}
   */
  function shape(db, binHz, level) {
    /** @type {Visemes} */
    var out = { aa: 0, ih: 0, ou: 0, ee: 0, oh: 0 };
    if (level < GATE) return out;
    var open = Math.min(1, (level - GATE) / (0.5 - GATE));
    if (!db || !(binHz > 0)) {
      out.aa = open;
      return out;
    }
    var f1 = centroid(db, binHz, 250, 950);
    var f2 = centroid(db, binHz, 800, 2800);
    var total = 0;
    /** @type {number[]} */
    var scores = [];
    VOWELS.forEach(function (v) {
      // Distance in octaves, F2 counting a little less (it moves more between speakers).
      var d1 = Math.log2(f1 / v[1]);
      var d2 = Math.log2(f2 / v[2]) * 0.7;
      var s = Math.exp(-SHARPNESS * (d1 * d1 + d2 * d2) * 4);
      scores.push(s);
      total += s;
    });
    VOWELS.forEach(function (v, i) {
      out[v[0]] = total > 0 ? ((scores[i] || 0) / total) * open : v[0] === 'aa' ? open : 0;
    });
    return out;
  }

  /**
   * A smoother: feed it a target mix each frame with the seconds since the last one.
   * @returns {{ next(target: Visemes, dt: number): Visemes, reset(): void }}
   */
  function smoother() {
    /** @type {Visemes} */
    var now = { aa: 0, ih: 0, ou: 0, ee: 0, oh: 0 };
    return {
      next: function (target, dt) {
        /** @type {Visemes} */
        var out = { aa: 0, ih: 0, ou: 0, ee: 0, oh: 0 };
        /** @type {Array<keyof Visemes>} */
        var keys = ['aa', 'ih', 'ou', 'ee', 'oh'];
        keys.forEach(function (k) {
          var tau = target[k] > now[k] ? ATTACK : RELEASE;
          var v = target[k] + (now[k] - target[k]) * Math.exp(-Math.max(0, dt) / tau);
          out[k] = v < 0.01 ? 0 : v;
        });
        now = out;
        return out;
      },
      reset: function () {
        now = { aa: 0, ih: 0, ou: 0, ee: 0, oh: 0 };
      },
    };
  }

  window.PickleVisemes = { shape: shape, smoother: smoother, GATE: GATE };
})();
