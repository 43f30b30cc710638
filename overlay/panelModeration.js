// Control panel · moderation: what was blocked (by category, never the text), the viewers who
// kept baiting and are not answered for a while (with a button to lift it), and the ML
// classifier's state. Server data is untrusted: textContent only.
(function () {
  'use strict';

  var kit = window.PickleKit;
  var panel = window.PicklePanel;
  var $ = kit.$;
  var el = kit.el;

  /** @type {Record<string, string>} */
  var LABELS = {
    profanity: 'profanity',
    insult: 'insults',
    hate: 'slurs / hate',
    sexual: 'sexual',
    'self-harm': 'self-harm bait',
    'personal-data': 'personal data',
    link: 'links',
    'prompt-leak': 'prompt leaks',
    echo: '"say X" echoes',
    toxicity: 'ML classifier',
    overlong: 'too long',
  };

  // The moderation snapshot is a loose record on the server's side too: each field is read with care.
  /**
   * @param {unknown} v
   * @returns {Record<string, unknown>}
   */
  function obj(v) {
    return v && typeof v === 'object' && !Array.isArray(v) ? /** @type {Record<string, unknown>} */ (v) : {};
  }
  /**
   * Category → count (numbers only).
   * @param {unknown} v
   * @returns {Record<string, number>}
   */
  function tally(v) {
    /** @type {Record<string, number>} */
    var out = {};
    Object.entries(obj(v)).forEach(function (kv) {
      if (typeof kv[1] === 'number') out[kv[0]] = kv[1];
    });
    return out;
  }

  /**
   * @param {HTMLElement} target
   * @param {Record<string, number>} record
   */
  function counts(target, record) {
    target.textContent = '';
    var keys = Object.keys(record).filter(function (k) {
      return k !== 'total';
    });
    if (!keys.length) {
      target.append(el('li', 'hint', 'nothing blocked yet'));
      return;
    }
    keys.sort(function (a, b) {
      return (record[b] || 0) - (record[a] || 0);
    });
    keys.forEach(function (k) {
      var li = el('li', 'mod-count');
      li.append(el('span', 'mod-cat', LABELS[k] || k), el('b', 'mod-n', String(record[k])));
      target.append(li);
    });
  }

  /** @param {unknown} snapshot what GET /api/moderation and the `moderation` message carry */
  function render(snapshot) {
    if (!snapshot || typeof snapshot !== 'object') return;
    var m = obj(snapshot);
    $('sec-moderation').hidden = false;
    var blocked = obj(m.blocked);
    var replies = tally(blocked.replies);
    var memory = tally(blocked.memory);
    $('mod-total').textContent = String(replies.total || 0) + ' sentences dropped · ' + String(memory.total || 0) + ' lines not stored';
    var lists = Array.isArray(m.lists) ? m.lists.map(String) : null;
    $('mod-classifier').textContent = 'ML classifier: ' + String(m.classifier || 'off') + (lists ? ' · word lists: ' + lists.join(', ') : '');
    counts($('mod-replies'), replies);
    counts($('mod-memory'), memory);
    var list = $('mod-silenced');
    list.textContent = '';
    var silenced = Array.isArray(m.silenced) ? m.silenced.map(obj) : [];
    $('mod-silenced-empty').hidden = silenced.length > 0;
    silenced.forEach(function (s) {
      var viewer = String(s.viewer);
      var li = el('li', 'mod-silenced-row');
      var until = new Date(Number(s.until));
      li.append(el('span', 'mod-viewer', viewer), el('span', 'hint', 'until ' + until.toLocaleTimeString()));
      var btn = el('button', 'btn small', 'Lift');
      btn.type = 'button';
      btn.title = 'answer this viewer again (same as !unblock in chat)';
      btn.addEventListener('click', function () {
        btn.disabled = true;
        void panel.api('POST', '/api/moderation/unblock', { viewer: viewer }).then(function (r) {
          if (!r.ok) btn.disabled = false;
        });
      });
      li.append(btn);
      list.append(li);
    });
  }

  function load() {
    void panel.api('GET', '/api/moderation').then(function (r) {
      if (r.ok) render(r.data);
    });
  }

  // Moderation updates as they happen, on the panel's socket.
  panel.onSocket(function (socket) {
    socket.on('moderation', render);
    socket.on('connect', load);
  });
  load();
})();
