// Control panel: the Transcript card, newest first: chat lines, what the streamer and the camera
// said, Pickle's decisions (why it spoke or stayed quiet) and replies, with filters. All of it is
// untrusted text: textContent only.
(function () {
  'use strict';

  /** @typedef {import('../src/screens/payloads.ts').TranscriptLine} TranscriptLine */
  /** @typedef {import('../src/screens/payloads.ts').Decision} Decision */
  /** @typedef {import('../machines/events.ts').DecisionReason} DecisionReason */
  /** @typedef {import('../src/screens/payloads.ts').Emotion} Emotion */
  /** @typedef {import('../src/screens/payloads.ts').PanelHistoryEntry} PanelHistoryEntry */

  var kit = window.PickleKit;
  var panel = window.PicklePanel;
  var $ = kit.$;
  var el = kit.el;

  var MAX_ROWS = 300;

  var reasonText = panel.reasonText;

  /** @param {Decision} d */
  function decisionRow(d) {
    var li = el('li');
    var what = el('div', 'what');
    li.append(el('span', 'time', panel.clock(d.ts)), what);
    li.className = 't-decision ' + (d.respond ? 'answer' : 'quiet');
    li.dataset.reason = String(d.reason || '');
    var tagKind = d.reason === 'blocked' || d.reason === 'failed' ? d.reason : d.respond ? 'answer' : 'quiet';
    what.append(el('span', 'tag ' + tagKind, d.respond ? 'answer' : 'quiet'), el('span', 'reason', reasonText(d.reason)));
    if (d.summary) what.append(document.createTextNode(' · '), el('span', 'summary', d.summary));
    return li;
  }

  /** @param {TranscriptLine} d */
  function lineRow(d) {
    var li = el('li');
    var what = el('div', 'what');
    li.append(el('span', 'time', panel.clock(d.ts)), what);
    if (d.kind === 'chat') {
      li.className = 't-chat';
      // Which chat it came from: one conversation over several platforms.
      what.append(el('span', 'platform', String(d.platform || '')), el('span', 'who', d.user || '?'), el('span', 'text', d.text || ''));
      if (d.repeats > 1) what.append(el('span', 'times', ' ×' + d.repeats));
    } else if (d.kind === 'reply') {
      li.className = 't-reply';
      what.append(el('span', 'who', panel.personaName));
      if (d.emotion && d.emotion !== 'neutral') what.append(el('span', 'emotion', String(d.emotion)));
      // The prompt's size (context budget), for the developer view only; first, so the row's height clamp never hides it.
      if (typeof d.promptTokens === 'number') {
        var size = d.promptTokens.toLocaleString() + (typeof d.promptBudget === 'number' ? '/' + d.promptBudget.toLocaleString() : '') + ' tokens';
        what.append(el('span', 'times prompt-size', '(' + size + ') '));
      }
      what.append(el('span', 'text', d.text || ''));
    } else if (d.kind === 'reply-failed') {
      li.className = 't-failed';
      what.append(el('span', 'tag failed', 'no reply'), el('span', 'reason', reasonText(d.reason)));
      if (d.text) what.append(document.createTextNode(' · '), el('span', 'summary', d.text));
    } else if (d.kind === 'speech') {
      li.className = 't-speech t-chat';
      what.append(el('span', 'who', 'you (voice)'), el('span', 'text', d.text || ''));
    } else if (d.kind === 'vision') {
      li.className = 't-vision t-chat';
      what.append(el('span', 'who', 'camera'), el('span', 'text', d.text || ''));
    } else {
      li.className = 't-notice';
      what.append(el('span', 'who', String(d.kind || 'notice')), el('span', 'text', d.text || ''));
    }
    return li;
  }

  /** @param {PanelHistoryEntry} entry */
  function add(entry) {
    if (!entry.data || typeof entry.data !== 'object') return;
    var li = entry.event === 'decision' ? decisionRow(entry.data) : lineRow(entry.data);
    var ol = $('transcript');
    ol.prepend(li);
    while (ol.children.length > MAX_ROWS && ol.lastElementChild) ol.lastElementChild.remove();
    $('transcript-empty').hidden = true;
  }

  [['f-chat', 'hide-chat'], ['f-decision', 'hide-decision'], ['f-reply', 'hide-reply'], ['f-quiet', 'hide-quiet']].forEach(function (pair) {
    var box = kit.input(String(pair[0]));
    box.addEventListener('change', function () {
      $('transcript').classList.toggle(String(pair[1]), !box.checked);
    });
  });
  // Developer view: each reply's prompt size in tokens (context budget).
  var dev = kit.input('f-dev');
  dev.addEventListener('change', function () {
    $('transcript').classList.toggle('show-dev', dev.checked);
  });

  panel.onSocket(function (socket) {
    socket.on('history', function (h) {
      if (!h || typeof h !== 'object') return;
      $('transcript').replaceChildren();
      (Array.isArray(h.entries) ? h.entries : []).forEach(function (e) {
        if (e && typeof e === 'object') add(e);
      });
    });
    socket.on('transcript', function (d) {
      add({ event: 'transcript', data: d });
    });
    socket.on('decision', function (d) {
      add({ event: 'decision', data: d });
    });
  });
})();
