// Control panel: the Rehearse card. A line typed here goes through Pickle as a chat line from
// the given login (POST /api/chat), as if on stream, and what became of it (Pickle's decision,
// then its reply or why there was none) stays in view under the form, wherever the transcript is.
(function () {
  'use strict';

  var kit = window.PickleKit;
  var panel = window.PicklePanel;
  var $ = kit.$;

  /** Waiting for what Pickle makes of the last line sent: 'decision', then 'reply', then done. */
  var waiting = /** @type {'' | 'decision' | 'reply'} */ ('');

  /**
   * @param {string} decision
   * @param {string} reply
   */
  function show(decision, reply) {
    $('rehearse-result').hidden = false;
    $('rehearse-decision').textContent = decision;
    $('rehearse-reply').textContent = reply;
  }

  $('chat-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var user = kit.input('chat-user').value.trim() || 'streamer';
    var textBox = kit.input('chat-text');
    var text = textBox.value.trim();
    if (!text) return;
    var err = $('chat-error');
    // Waiting before the answer to the POST: Pickle's decision may reach the socket first.
    waiting = 'decision';
    show('Sent. Waiting for ' + panel.personaName + '…', '');
    void panel.api('POST', '/api/chat', { user: user, text: text }).then(function (r) {
      if (r.ok) {
        textBox.value = '';
        err.hidden = true;
      } else {
        waiting = '';
        $('rehearse-result').hidden = true;
        err.textContent = panel.problem(r);
        err.hidden = false;
      }
    });
  });

  panel.onSocket(function (socket) {
    socket.on('decision', function (d) {
      if (waiting !== 'decision' || !d || typeof d !== 'object') return;
      var why = panel.reasonText(String(d.reason || ''));
      if (d.respond) {
        waiting = 'reply';
        show(panel.personaName + ' answers (' + why + '), thinking…', '');
      } else {
        waiting = '';
        show(panel.personaName + ' stays quiet: ' + why, '');
      }
    });
    socket.on('transcript', function (line) {
      if (waiting !== 'reply' || !line || typeof line !== 'object') return;
      if (line.kind === 'reply') {
        waiting = '';
        show(panel.personaName + ' said:', line.text || '');
      } else if (line.kind === 'reply-failed') {
        waiting = '';
        show('No reply: ' + panel.reasonText(String(line.reason || '')) + (line.text ? ' · ' + line.text : ''), '');
      }
    });
  });
})();
