// Control panel: the Rehearse card. A line typed here goes through Pickle as a chat line from
// the given login (POST /api/chat), as if on stream.
(function () {
  'use strict';

  var kit = window.PickleKit;
  var panel = window.PicklePanel;

  kit.$('chat-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var user = kit.input('chat-user').value.trim() || 'streamer';
    var textBox = kit.input('chat-text');
    var text = textBox.value.trim();
    if (!text) return;
    var err = kit.$('chat-error');
    void panel.api('POST', '/api/chat', { user: user, text: text }).then(function (r) {
      if (r.ok) {
        textBox.value = '';
        err.hidden = true;
      } else {
        err.textContent = panel.problem(r);
        err.hidden = false;
      }
    });
  });
})();
