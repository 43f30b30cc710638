// Control panel, "while you were busy": the chat digest Pickle keeps (what chat talked about, who
// asked what), for a streamer who could not read chat. Listens on the panel's socket for `digest`
// (and the latest one replayed in `history`). All of it is untrusted text: textContent only.
(function () {
  'use strict';

  /** @typedef {import('../src/screens/payloads.ts').ChatDigest} ChatDigest */

  var kit = window.PickleKit;
  var $ = kit.$;
  var el = kit.el;

  /** @param {number} ts */
  function clock(ts) {
    if (typeof ts !== 'number' || !ts) return '';
    var d = new Date(ts);
    return String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  }

  /** @param {ChatDigest} d */
  function render(d) {
    if (!d || typeof d !== 'object') return;
    // The plain digest's text says what the lines below show (counts, topics, questions): only an
    // LLM summary is shown as text, so no question is listed twice.
    var text = typeof d.text === 'string' && d.source === 'llm' ? d.text : '';
    $('digest-text').textContent = text;
    var n = typeof d.messages === 'number' ? d.messages : 0;
    var v = typeof d.viewers === 'number' ? d.viewers : 0;
    var since = clock(d.since);
    $('digest-meta').textContent =
      n + ' message' + (n === 1 ? '' : 's') + ' from ' + v + ' viewer' + (v === 1 ? '' : 's') + (since ? ' since ' + since : '') +
      (d.source === 'llm' ? ' · summarised by the LLM' : ' · counted (LLM busy or off)');
    var topics = $('digest-topics');
    topics.replaceChildren();
    (Array.isArray(d.topics) ? d.topics : []).forEach(function (t) {
      topics.appendChild(el('li', 'chip', String(t)));
    });
    var questions = $('digest-questions');
    questions.replaceChildren();
    (Array.isArray(d.questions) ? d.questions : []).forEach(function (q) {
      if (!q || typeof q !== 'object') return;
      var li = el('li');
      li.appendChild(el('b', null, String(q.who || '')));
      li.appendChild(document.createTextNode(': ' + String(q.text || '')));
      questions.appendChild(li);
    });
    $('digest-empty').hidden = n > 0;
  }

  window.PicklePanel.onSocket(function (socket) {
    socket.on('digest', render);
    socket.on('history', function (h) {
      if (h && h.latest && h.latest.digest) render(h.latest.digest);
    });
  });
})();
