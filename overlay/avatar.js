// Pickle's face on the overlay: the built-in SVG pickle (overlay.html), or the persona's own
// pictures. The face follows the emotion; the mouth follows the voice's output level
// (PickleAudio.level()), and flaps on its own while Pickle "speaks" captions without audio.
// Only attributes and CSSOM are touched (CSP: no inline style); no text from the server is used.
(function () {
  'use strict';

  /** @typedef {import('../src/screens/payloads.ts').Emotion} Emotion */
  /** @typedef {import('../src/screens/payloads.ts').Look} Look */
  /** @typedef {'think' | 'question' | 'exclaim' | 'sparkle' | 'tear' | 'sweat' | 'anger'} Fx */
  /**
   * Mouth: half-width, corner lift (left/right, px up), middle dip (px down), opening at rest.
   * Eyes: 'open' or 'happy' (^ ^); lid: 0..1 of the eye covered; pupil offset; brows: [dy, deg] each.
   * @typedef {{ w: number, cl: number, cr: number, mid: number, open: number, eyes: 'open' | 'happy', lid: number,
   *   look: [number, number], brows: [[number, number], [number, number]], cheeks: number, fx: Fx[], wide?: boolean, dx?: number }} Face
   */
  /** @type {Record<Emotion, Face>} */
  var FACES = {
    neutral: { w: 22, cl: 0, cr: 0, mid: 3, open: 0, eyes: 'open', lid: 0, look: [0, 0], brows: [[0, 0], [0, 0]], cheeks: 0, fx: [] },
    happy: { w: 28, cl: 8, cr: 8, mid: 5, open: 5, eyes: 'happy', lid: 0, look: [0, 0], brows: [[-4, 0], [-4, 0]], cheeks: 0.7, fx: [] },
    excited: { w: 30, cl: 10, cr: 10, mid: 6, open: 10, eyes: 'open', lid: 0, look: [0, -1], brows: [[-9, 0], [-9, 0]], cheeks: 0.6, fx: ['sparkle'] },
    laughing: { w: 32, cl: 10, cr: 10, mid: 5, open: 16, eyes: 'happy', lid: 0, look: [0, 0], brows: [[-7, 0], [-7, 0]], cheeks: 0.85, fx: ['sparkle'] },
    surprised: { w: 11, cl: 0, cr: 0, mid: 0, open: 18, eyes: 'open', lid: 0, look: [0, 0], brows: [[-11, 0], [-11, 0]], cheeks: 0, fx: ['exclaim'], wide: true },
    thinking: { w: 13, cl: 0, cr: 4, mid: 1, open: 0, eyes: 'open', lid: 0.15, look: [5, -6], brows: [[-7, -6], [1, 3]], cheeks: 0, fx: ['think'], dx: 8 },
    confused: { w: 17, cl: -3, cr: 4, mid: 0, open: 0, eyes: 'open', lid: 0, look: [-3, 0], brows: [[-8, -10], [2, 8]], cheeks: 0, fx: ['question', 'sweat'] },
    sad: { w: 20, cl: -8, cr: -8, mid: -3, open: 0, eyes: 'open', lid: 0.25, look: [0, 5], brows: [[-2, -14], [-2, 14]], cheeks: 0, fx: ['tear'] },
    angry: { w: 22, cl: -5, cr: -5, mid: -1, open: 3, eyes: 'open', lid: 0.4, look: [0, 1], brows: [[4, 16], [4, -16]], cheeks: 0, fx: ['anger'] },
    smug: { w: 22, cl: 0, cr: 11, mid: 2, open: 0, eyes: 'open', lid: 0.5, look: [5, 1], brows: [[2, 0], [-8, -6]], cheeks: 0.35, fx: [] },
  };
  /** @type {Fx[]} */
  var FX = ['think', 'question', 'exclaim', 'sparkle', 'tear', 'sweat', 'anger'];
  var MOUTH_Y = 160;
  var MAX_OPEN = 26;

  var kit = window.PickleKit;
  /** @param {string} id */
  function $(id) {
    return kit.byId(id, Element);
  }

  /**
   * @param {{ level: () => number }} opts
   * @returns {PickleAvatarFace}
   */
  function create(opts) {
    var el = {
      root: kit.$('avatar'),
      face: $('face'),
      img: kit.byId('face-img', HTMLImageElement),
      body: $('pickle'),
      mouth: $('mouth'),
      mouthLine: $('mouth-line'),
      mouthClip: $('mouth-clip'),
      tongue: $('tongue'),
      eyesOpen: $('eyes-open'),
      eyesHappy: $('eyes-happy'),
      lidL: $('lid-l'),
      lidR: $('lid-r'),
      pupilL: $('pupil-l'),
      pupilR: $('pupil-r'),
      eyeL: $('eye-l'),
      eyeR: $('eye-r'),
      browL: $('brow-l'),
      browR: $('brow-r'),
      cheekL: $('cheek-l'),
      cheekR: $('cheek-r'),
    };
    /** @type {Partial<Record<Fx, Element>>} */
    var fxEls = {};
    FX.forEach(function (k) {
      var e = document.getElementById('fx-' + k);
      if (e) fxEls[k] = e;
    });
    var levelOf = opts.level;
    var reduced = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

    /** @type {Emotion} */
    var emotion = 'neutral';
    var face = FACES.neutral;
    var speaking = false;
    var speakingSince = 0;
    var lastAudioAt = -1e9;
    var open = 0; // smoothed mouth opening, px
    var nextBlink = performance.now() + 2500;
    var blinkUntil = 0;
    /** @type {Record<string, string> | null} key (`happy`, `happy-talk`…) → URL */
    var images = null;
    var imgKey = '';

    /** @param {Emotion} e */
    function setEmotion(e) {
      emotion = Object.prototype.hasOwnProperty.call(FACES, e) ? e : 'neutral';
      face = FACES[emotion];
      el.eyesOpen.setAttribute('visibility', face.eyes === 'open' ? 'visible' : 'hidden');
      el.eyesHappy.setAttribute('visibility', face.eyes === 'happy' ? 'visible' : 'hidden');
      var s = face.wide ? 1.12 : 1;
      el.eyeL.setAttribute('transform', 'translate(76 104) scale(' + s + ') translate(-76 -104)');
      el.eyeR.setAttribute('transform', 'translate(124 104) scale(' + s + ') translate(-124 -104)');
      el.pupilL.setAttribute('transform', 'translate(' + face.look[0] + ' ' + face.look[1] + ')' + (face.wide ? ' translate(78 106) scale(0.75) translate(-78 -106)' : ''));
      el.pupilR.setAttribute('transform', 'translate(' + face.look[0] + ' ' + face.look[1] + ')' + (face.wide ? ' translate(122 106) scale(0.75) translate(-122 -106)' : ''));
      el.browL.setAttribute('transform', 'translate(0 ' + face.brows[0][0] + ') rotate(' + face.brows[0][1] + ' 76 77)');
      el.browR.setAttribute('transform', 'translate(0 ' + face.brows[1][0] + ') rotate(' + face.brows[1][1] + ' 124 77)');
      el.cheekL.setAttribute('opacity', String(face.cheeks));
      el.cheekR.setAttribute('opacity', String(face.cheeks));
      FX.forEach(function (k) {
        var fx = fxEls[k];
        if (fx) fx.classList.toggle('on', face.fx.indexOf(k) >= 0);
      });
      drawImage(true);
    }

    /** @param {boolean} v */
    function setSpeaking(v) {
      if (v && !speaking) speakingSince = performance.now();
      speaking = !!v;
    }

    /** @param {Look} look */
    function setLook(look) {
      const urls = look && look.images && typeof look.images === 'object' ? look.images : null;
      images = urls;
      el.root.classList.toggle('has-images', !!urls);
      el.img.hidden = !urls;
      if (urls) {
        // Preload every picture so switching never flickers.
        Object.keys(urls).forEach(function (k) {
          var i = new Image();
          i.src = String(urls[k]);
        });
      }
      imgKey = '';
      drawImage(true);
    }

    /** @param {boolean} force */
    function drawImage(force) {
      if (!images) return;
      var talking = open > 6;
      var base = images[emotion] ? emotion : 'neutral';
      var key = talking && images[base + '-talk'] ? base + '-talk' : base;
      if (key === imgKey && !force) return;
      imgKey = key;
      var url = images[key];
      // Only URLs the server built (same origin, /overlay/look/...).
      if (typeof url === 'string' && url.indexOf('/overlay/look/') === 0) el.img.src = url;
    }

    /** @param {number} o */
    function mouthPath(o) {
      var dx = face.dx || 0;
      var xl = 100 + dx - face.w;
      var xr = 100 + dx + face.w;
      var yl = MOUTH_Y - face.cl;
      var yr = MOUTH_Y - face.cr;
      var ym = MOUTH_Y + face.mid;
      // Quadratic control point so the curve passes through the middle point.
      var cy = 2 * ym - (yl + yr) / 2;
      var cyLow = cy + o * 2;
      var cx = 100 + dx;
      return 'M' + xl + ' ' + yl + ' Q' + cx + ' ' + cy.toFixed(1) + ' ' + xr + ' ' + yr + ' Q' + cx + ' ' + cyLow.toFixed(1) + ' ' + xl + ' ' + yl + ' Z';
    }

    /** @param {number} now */
    function frame(now) {
      var level = 0;
      try {
        level = Math.max(0, Math.min(1, Number(levelOf()) || 0));
      } catch (e) {
        level = 0;
      }
      if (level > 0.02) lastAudioAt = now;
      var target = face.open;
      if (speaking) {
        if (now - lastAudioAt < 600) {
          target = face.open + level * MAX_OPEN;
        } else if (now - speakingSince > 150) {
          // Captions without audio: flap at a talking pace.
          var t = now / 1000;
          var flap = Math.max(0, Math.sin(t * 15.5) * 0.6 + Math.sin(t * 9.1 + 1.3) * 0.4);
          target = face.open + flap * MAX_OPEN * 0.7;
        }
      } else if (level > 0.02) {
        target = face.open + level * MAX_OPEN;
      }
      // Opens fast, closes a little slower: reads as speech, not jitter.
      open += (target - open) * (target > open ? 0.6 : 0.35);
      if (open < 0.2) open = 0;

      var d = mouthPath(open);
      el.mouth.setAttribute('d', d);
      el.mouthLine.setAttribute('d', d);
      el.mouthClip.setAttribute('d', d);
      el.tongue.setAttribute('cy', String(MOUTH_Y + face.mid + open * 1.1 + 4));
      el.tongue.setAttribute('cx', String(100 + (face.dx || 0)));
      el.tongue.setAttribute('opacity', open > 7 ? '1' : '0');

      // Blink now and then (not with happy eyes).
      if (now > nextBlink) {
        blinkUntil = now + 130;
        nextBlink = now + 2500 + Math.random() * 3500;
      }
      var lid = now < blinkUntil ? 1 : face.lid;
      var h = String(Math.round(lid * 38));
      el.lidL.setAttribute('height', h);
      el.lidR.setAttribute('height', h);

      if (!reduced) {
        var bob = Math.sin(now / 650) * 3;
        var squash = 1 + (speaking ? open / MAX_OPEN : 0) * 0.03;
        el.body.setAttribute('transform', 'translate(0 ' + bob.toFixed(2) + ') translate(100 248) scale(' + (2 - squash).toFixed(3) + ' ' + squash.toFixed(3) + ') translate(-100 -248)');
      }
      drawImage(false);
      if (el.img && images) el.img.classList.toggle('talking', open > 6);
      // For OBS-free checks (and the browser tests): how open the mouth is now, in px.
      var m = String(Math.round(open));
      if (el.root.dataset.mouth !== m) el.root.dataset.mouth = m;
    }

    /** @param {number} now */
    function loop(now) {
      frame(now);
      window.requestAnimationFrame(loop);
    }
    setEmotion('neutral');
    window.requestAnimationFrame(loop);

    return {
      setEmotion: setEmotion,
      setSpeaking: setSpeaking,
      setLook: setLook,
      emotion: function () {
        return emotion;
      },
      mouthOpen: function () {
        return open;
      },
    };
  }

  window.PickleAvatar = { create: create, emotions: Object.keys(FACES) };
})();
