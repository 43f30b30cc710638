// Pickle OBS overlay: the avatar (face follows the emotion, mouth follows the voice) and the
// captions, fed by the socket.io namespace /avatar. Reconnects forever, without a reload; on
// every (re)connection the server sends the current state (speaking, emotion, caption, look).
//
// Query options (all optional):
//   position=bottom|top           where the caption sits (default bottom)
//   size=small|medium|large|<px>  caption text size (default medium = 48 px)
//   style=box|outline|bubble      caption look: dark box, outlined text, or a speech bubble by the avatar
//   avatar=right|left|none        avatar corner, or no avatar (default right)
//   avatarSize=<px>               avatar height (default 300)
//   name=0                        hide the name under the avatar
//   hold=<seconds>                how long the last caption stays (1–60; asked of Pickle, which times it)
//   bg=checker|dark|light|green   a background to preview the page in a normal browser (OBS: leave out)
// All text from the server is untrusted (LLM output, persona names): it is only ever set with textContent.
// Captions are shown and cleared exactly as Pickle sends them (its avatar machine decides how long
// one stays): the page keeps no caption timer; a lost connection clears the screen.
(function () {
  'use strict';

  /** @typedef {import('../src/screens/payloads.ts').Emotion} Emotion */
  /** @typedef {import('../src/screens/payloads.ts').Look} Look */
  /** @typedef {import('../src/screens/payloads.ts').ModelLook} ModelLook */
  /** @typedef {import('../src/screens/payloads.ts').AvatarReportPayload} AvatarReportPayload */

  /** @type {Record<Emotion, string>} */
  var EMOJI = {
    neutral: '🙂',
    happy: '😄',
    excited: '🤩',
    laughing: '😂',
    surprised: '😮',
    thinking: '🤔',
    confused: '😕',
    sad: '😢',
    angry: '😠',
    smug: '😏',
  };
  var SIZES = { small: 36, medium: 48, large: 64 };

  var kit = window.PickleKit;
  var params = new URLSearchParams(window.location.search);
  var body = document.body;
  var stage = kit.$('stage');
  var caption = kit.$('caption');
  var badge = part('.badge');
  var textEl = part('.text');
  var nameplate = kit.$('nameplate');
  var enableAudio = kit.byId('enable-audio', HTMLButtonElement);
  var root = document.documentElement;

  /** @param {string} selector */
  function part(selector) {
    var e = caption.querySelector(selector);
    if (!(e instanceof HTMLElement)) throw new Error('#caption ' + selector + ' is missing');
    return e;
  }

  /**
   * @param {string} name
   * @param {string[]} allowed
   * @param {string} fallback
   */
  function pick(name, allowed, fallback) {
    var v = params.get(name);
    return v && allowed.indexOf(v) >= 0 ? v : fallback;
  }
  /**
   * @param {string} name
   * @param {number} fallback
   * @param {number} min
   * @param {number} max
   */
  function px(name, fallback, min, max) {
    var v = params.get(name);
    if (v && /^\d{1,4}$/.test(v)) return Math.min(max, Math.max(min, Number(v)));
    return fallback;
  }

  var position = pick('position', ['bottom', 'top'], 'bottom');
  var style = pick('style', ['box', 'outline', 'bubble'], 'box');
  var avatarSide = pick('avatar', ['right', 'left', 'none'], 'right');
  if (style === 'bubble' && avatarSide === 'none') style = 'box';
  var bg = pick('bg', ['checker', 'dark', 'light', 'green'], '');
  stage.className = 'stage caption-' + position + ' avatar-' + avatarSide + ' style-' + style;
  if (bg) body.classList.add('bg-' + bg);
  if (params.get('name') === '0') stage.classList.add('no-name');

  var sizeParam = params.get('size');
  var captionPx = sizeParam === 'small' || sizeParam === 'medium' || sizeParam === 'large' ? SIZES[sizeParam] : px('size', SIZES.medium, 16, 160);
  // CSSOM writes are allowed under CSP (only inline style attributes/elements are not).
  root.style.setProperty('--caption-size', captionPx + 'px');
  root.style.setProperty('--avatar-size', px('avatarSize', 300, 80, 1000) + 'px');

  /**
   * An emotion the page knows (the server's value is checked all the same).
   * @param {unknown} value
   * @returns {Emotion}
   */
  function toEmotion(value) {
    var v = typeof value === 'string' ? value.trim().toLowerCase() : '';
    for (var k in EMOJI) if (k === v) return /** @type {Emotion} */ (k);
    return 'neutral';
  }

  /** @type {PickleAudioPlayer | null} */
  var audio = null;
  /** @type {PickleAvatarFace | null} */
  var avatar = null;

  /** @param {unknown} value */
  function setEmotion(value) {
    var e = toEmotion(value);
    caption.dataset.emotion = e;
    stage.dataset.emotion = e;
    badge.textContent = EMOJI[e];
    if (avatar) avatar.setEmotion(e);
  }

  /** @param {boolean} speaking */
  function setSpeaking(speaking) {
    stage.classList.toggle('speaking', speaking);
    stage.dataset.speaking = String(speaking);
    if (avatar) avatar.setSpeaking(speaking);
  }

  function hide() {
    caption.classList.remove('visible');
  }

  /**
   * The caption as Pickle sent it: text shows it, no text clears it.
   * @param {unknown} text
   * @param {unknown} emotion
   */
  function showCaption(text, emotion) {
    var t = typeof text === 'string' ? text.trim() : '';
    if (!t) {
      hide();
      return;
    }
    textEl.textContent = t;
    setEmotion(emotion);
    caption.classList.add('visible');
  }

  /** @param {Look | null | undefined} look */
  function setLook(look) {
    if (!look || typeof look !== 'object') return;
    nameplate.textContent = typeof look.name === 'string' ? look.name.slice(0, 40) : '';
    if (avatar) avatar.setLook(look);
    showModel(avatarSide !== 'none' && look.model && typeof look.model.url === 'string' ? look.model : null);
  }

  // ---- The VRM model (overlay/vrmStage.js): it replaces the face once it has drawn, and the
  // page says what it shows (avatar_report), or why it could not (avatar_error, the face stays).
  var avatarEl = kit.$('avatar');
  var avatarBody = /** @type {HTMLElement} */ (avatarEl.querySelector('.avatar-body'));
  /** @type {{ url: string, stage: PickleVrmStage | null, canvas: HTMLCanvasElement } | null} */
  var model = null;
  /** @type {ModelLook | null} */
  var wanted = null;
  /** @type {AvatarSocket | null} */
  var sock = null;
  /** @type {AvatarReportPayload} */
  var faceReport = { model: null, version: null, fps: 0, expression: 'neutral' };

  /** @param {ModelLook | null} look */
  function showModel(look) {
    wanted = look;
    if (model && (!look || model.url !== look.url)) {
      if (model.stage) model.stage.dispose();
      model.canvas.remove();
      model = null;
      avatarEl.classList.remove('has-model');
    }
    if (!look) {
      if (sock && sock.connected) sock.emit('avatar_report', faceReport);
      return;
    }
    if (model || !window.PickleVrm) return; // not loaded yet: `pickle-vrm-ready` comes back here
    var canvas = kit.el('canvas', look.framing === 'full' ? 'vrm full' : 'vrm');
    avatarBody.appendChild(canvas);
    var mine = { url: look.url, stage: /** @type {PickleVrmStage | null} */ (null), canvas: canvas };
    model = mine;
    mine.stage = window.PickleVrm.show({
      canvas: canvas,
      model: look,
      visemes: function () {
        return audio ? audio.visemes() : { aa: 0, ih: 0, ou: 0, ee: 0, oh: 0 };
      },
      report: function (r) {
        if (model !== mine) return;
        avatarEl.classList.add('has-model');
        avatarEl.dataset.model = 'shown';
        if (sock && sock.connected) sock.emit('avatar_report', r);
      },
      failed: function (reason) {
        if (model !== mine) return;
        canvas.remove();
        model = null;
        avatarEl.classList.remove('has-model');
        avatarEl.dataset.model = 'failed';
        if (sock && sock.connected) sock.emit('avatar_error', { reason: reason });
      },
    });
  }
  window.addEventListener('pickle-vrm-ready', function () {
    if (wanted) showModel(wanted);
  });

  var face = window.PickleAvatar;
  if (avatarSide !== 'none' && face) {
    avatar = face.create({
      level: function () {
        return audio ? audio.level() : 0;
      },
    });
  }
  setEmotion('neutral');

  if (typeof window.io !== 'function') return; // socket.io client missing: stay blank, never show an error on stream
  // socket.io reconnects forever by default; while disconnected the overlay simply shows nothing.
  // `?key=`: the overlay key Pickle prints when it listens beyond this PC (kept for reconnects).
  var overlayKey = new URLSearchParams(window.location.search).get('key') || '';
  /** @type {AvatarSocket} */
  var socket = window.io('/avatar', { auth: overlayKey ? { key: overlayKey } : {}, reconnectionDelay: 500, reconnectionDelayMax: 3000 });
  sock = socket;

  // The voice: Web Audio player of the stream_* events (overlay/audio.js).
  var player = window.PickleAudio;
  if (player && typeof player.attach === 'function') {
    try {
      audio = player.attach(socket);
    } catch (e) {
      audio = null;
    }
  }
  // Outside OBS the browser may refuse to play until a click: offer one, once.
  const playing = audio;
  if (playing) {
    enableAudio.addEventListener('click', function () {
      Promise.resolve(playing.unlock()).then(
        function () {
          enableAudio.hidden = true;
        },
        function () {},
      );
    });
    var checkBlocked = function () {
      var blocked = false;
      try {
        blocked = !!playing.blocked();
      } catch (e) {
        blocked = false;
      }
      if (enableAudio.hidden === blocked) enableAudio.hidden = !blocked;
    };
    setInterval(checkBlocked, 500);
  }

  // `?hold=`: Pickle's avatar machine times the caption for every overlay; this page only asks.
  var holdSeconds = Number(params.get('hold'));
  socket.on('connect', function () {
    body.dataset.connected = 'true';
    if (params.get('hold') !== null && Number.isFinite(holdSeconds)) socket.emit('caption_hold', { seconds: holdSeconds });
  });
  socket.on('state', function (msg) {
    if (!msg || typeof msg !== 'object') return;
    setLook(msg.look);
    setEmotion(msg.emotion);
    setSpeaking(msg.speaking === true);
    showCaption(msg.caption, msg.emotion);
  });
  socket.on('look', setLook);
  socket.on('caption', function (msg) {
    if (msg && typeof msg === 'object') showCaption(msg.text, msg.emotion);
  });
  socket.on('emotion', function (msg) {
    if (msg && typeof msg === 'object') setEmotion(msg.value);
  });
  socket.on('speaking', function (msg) {
    setSpeaking(!!(msg && msg.value === true));
  });
  socket.on('expression', function (msg) {
    if (model && model.stage && msg && typeof msg === 'object' && msg.weights) model.stage.expression(msg);
  });
  socket.on('blink', function (msg) {
    if (model && model.stage && msg && typeof msg === 'object') model.stage.blink(msg);
  });
  socket.on('gaze', function (msg) {
    if (model && model.stage && msg && typeof msg === 'object') model.stage.gaze(msg);
  });

  // VTube Studio's lip-sync (AVATAR=vts): while asked, the mouth of the voice playing, ~25 times a second.
  /** @type {ReturnType<typeof setInterval> | null} */
  var mouthTimer = null;
  var mouthWasOpen = false;
  socket.on('mouth_wanted', function (msg) {
    var on = !!(msg && msg.value === true);
    if (mouthTimer) clearInterval(mouthTimer);
    mouthTimer = null;
    if (!on) return;
    mouthTimer = setInterval(function () {
      if (!audio || !socket.connected) return;
      var v = audio.visemes();
      var open = Math.min(1, v.aa + v.ih + v.ou + v.ee + v.oh);
      if (open <= 0 && !mouthWasOpen) return;
      mouthWasOpen = open > 0;
      var form = open > 0 ? Math.max(-1, Math.min(1, (v.ee + v.ih - v.ou - v.oh) / open)) : 0;
      socket.emit('mouth', { open: Math.round(open * 1000) / 1000, form: Math.round(form * 1000) / 1000 });
    }, 40);
  });
  socket.on('disconnect', function () {
    body.dataset.connected = 'false';
    setSpeaking(false);
    setEmotion('neutral');
    hide();
  });
})();
