// Pickle OBS overlay v0: captions with an emotion badge, fed by socket.io namespace /avatar.
// Query options: ?position=bottom|top  &size=small|medium|large|<px>  &hold=<seconds>
// All text from the server is untrusted (LLM output): it is only ever set with textContent.
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
  var stage = document.getElementById('stage');
  var caption = document.getElementById('caption');
  var badge = caption.querySelector('.badge');
  var textEl = caption.querySelector('.text');

  var position = params.get('position') === 'top' ? 'top' : 'bottom';
  stage.classList.remove('position-bottom', 'position-top');
  stage.classList.add('position-' + position);

  var sizeParam = params.get('size');
  var px = SIZES.medium;
  if (sizeParam && Object.prototype.hasOwnProperty.call(SIZES, sizeParam)) px = SIZES[sizeParam];
  else if (sizeParam && /^\d{1,3}$/.test(sizeParam)) px = Math.min(160, Math.max(16, Number(sizeParam)));
  // CSSOM writes are allowed under CSP (only inline style attributes/elements are not).
  document.documentElement.style.setProperty('--caption-size', px + 'px');

  var holdSec = Number(params.get('hold'));
  var holdMs = (holdSec >= 1 && holdSec <= 60 ? holdSec : 5) * 1000;

  var speaking = false;
  var fadeTimer = null;

  function toEmotion(value) {
    var v = typeof value === 'string' ? value.trim().toLowerCase() : '';
    return Object.prototype.hasOwnProperty.call(EMOJI, v) ? v : 'neutral';
  }

  function setEmotion(value) {
    var e = toEmotion(value);
    caption.dataset.emotion = e;
    badge.textContent = EMOJI[e];
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

  setEmotion('neutral');

  if (typeof window.io !== 'function') return; // socket.io client missing: stay blank, never show an error on stream
  // socket.io reconnects forever by default; while disconnected the overlay simply shows nothing.
  var socket = window.io('/avatar');

  socket.on('caption', function (msg) {
    if (msg && typeof msg === 'object') showCaption(msg.text, msg.emotion);
  });
  socket.on('emotion', function (msg) {
    if (msg && typeof msg === 'object') setEmotion(msg.value);
  });
  socket.on('speaking', function (msg) {
    speaking = !!(msg && msg.value === true);
    stage.classList.toggle('speaking', speaking);
    if (caption.classList.contains('visible')) scheduleFade();
  });
  socket.on('disconnect', function () {
    speaking = false;
    stage.classList.remove('speaking');
    hide();
  });
})();
