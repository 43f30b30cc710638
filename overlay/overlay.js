// Pickle OBS overlay: the avatar (face follows the emotion, mouth follows the voice) and the
// captions, fed by the socket.io namespace /avatar. Reconnects forever, without a reload; on
// every (re)connection the server sends the current state (speaking, emotion, caption, look).
//
// Query options (all optional):
//   position=bottom|top           where the caption sits (default bottom)
//   size=small|medium|large|<px>  caption text size (default medium = 48 px)
//   style=box|outline|bubble      caption look: dark box, outlined text, or a speech bubble by the avatar
//   hold=<seconds>                how long the last caption stays (default 5)
//   avatar=right|left|none        avatar corner, or no avatar (default right)
//   avatarSize=<px>               avatar height (default 300)
//   name=0                        hide the name under the avatar
//   bg=checker|dark|light|green   a background to preview the page in a normal browser (OBS: leave out)
// All text from the server is untrusted (LLM output, persona names): it is only ever set with textContent.
(function () {
  'use strict';

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

  var params = new URLSearchParams(window.location.search);
  var body = document.body;
  var stage = document.getElementById('stage');
  var caption = document.getElementById('caption');
  var badge = caption.querySelector('.badge');
  var textEl = caption.querySelector('.text');
  var nameplate = document.getElementById('nameplate');
  var enableAudio = document.getElementById('enable-audio');
  var root = document.documentElement;

  function pick(name, allowed, fallback) {
    var v = params.get(name);
    return v && allowed.indexOf(v) >= 0 ? v : fallback;
  }
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
  var captionPx = SIZES.medium;
  if (sizeParam && Object.prototype.hasOwnProperty.call(SIZES, sizeParam)) captionPx = SIZES[sizeParam];
  else captionPx = px('size', SIZES.medium, 16, 160);
  // CSSOM writes are allowed under CSP (only inline style attributes/elements are not).
  root.style.setProperty('--caption-size', captionPx + 'px');
  root.style.setProperty('--avatar-size', px('avatarSize', 300, 80, 1000) + 'px');

  var holdSec = Number(params.get('hold'));
  var holdMs = (holdSec >= 1 && holdSec <= 60 ? holdSec : 5) * 1000;

  var speaking = false;
  var fadeTimer = null;

  function toEmotion(value) {
    var v = typeof value === 'string' ? value.trim().toLowerCase() : '';
    return Object.prototype.hasOwnProperty.call(EMOJI, v) ? v : 'neutral';
  }

  var audio = null;
  var avatar = null;

  function setEmotion(value) {
    var e = toEmotion(value);
    caption.dataset.emotion = e;
    stage.dataset.emotion = e;
    badge.textContent = EMOJI[e];
    if (avatar) avatar.setEmotion(e);
  }

  function setSpeaking(v) {
    speaking = v === true;
    stage.classList.toggle('speaking', speaking);
    stage.dataset.speaking = String(speaking);
    if (avatar) avatar.setSpeaking(speaking);
    if (caption.classList.contains('visible')) scheduleFade();
  }

  function hide() {
    if (fadeTimer) clearTimeout(fadeTimer);
    fadeTimer = null;
    caption.classList.remove('visible');
  }

  // The caption stays while Pickle speaks, then fades `hold` seconds after the last update.
  function scheduleFade() {
    if (fadeTimer) clearTimeout(fadeTimer);
    fadeTimer = speaking ? null : setTimeout(hide, holdMs);
  }

  function showCaption(text, emotion) {
    var t = typeof text === 'string' ? text.trim() : '';
    if (!t) return;
    textEl.textContent = t;
    setEmotion(emotion);
    caption.classList.add('visible');
    scheduleFade();
  }

  function setLook(look) {
    if (!look || typeof look !== 'object') return;
    nameplate.textContent = typeof look.name === 'string' ? look.name.slice(0, 40) : '';
    if (avatar) avatar.setLook(look);
  }

  if (avatarSide !== 'none' && window.PickleAvatar) {
    avatar = window.PickleAvatar.create({
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
  var socket = window.io('/avatar', { auth: overlayKey ? { key: overlayKey } : {}, reconnectionDelay: 500, reconnectionDelayMax: 3000 });

  // The voice: Web Audio player of the stream_* events (overlay/audio.js).
  if (window.PickleAudio && typeof window.PickleAudio.attach === 'function') {
    try {
      audio = window.PickleAudio.attach(socket);
    } catch (e) {
      audio = null;
    }
  }
  // Outside OBS the browser may refuse to play until a click: offer one, once.
  if (audio) {
    enableAudio.addEventListener('click', function () {
      Promise.resolve(audio.unlock()).then(
        function () {
          enableAudio.hidden = true;
        },
        function () {},
      );
    });
    var checkBlocked = function () {
      var blocked = false;
      try {
        blocked = !!audio.blocked();
      } catch (e) {
        blocked = false;
      }
      if (enableAudio.hidden === blocked) enableAudio.hidden = !blocked;
    };
    setInterval(checkBlocked, 500);
  }

  socket.on('connect', function () {
    body.dataset.connected = 'true';
  });
  socket.on('state', function (msg) {
    if (!msg || typeof msg !== 'object') return;
    setLook(msg.look);
    setEmotion(msg.emotion);
    setSpeaking(msg.speaking === true);
    if (typeof msg.caption === 'string' && msg.caption.trim()) showCaption(msg.caption, msg.emotion);
    else hide();
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
  socket.on('disconnect', function () {
    body.dataset.connected = 'false';
    setSpeaking(false);
    setEmotion('neutral');
    hide();
  });
})();
