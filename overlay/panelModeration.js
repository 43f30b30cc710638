// Control panel · moderation: what was blocked (by category, never the text), the viewers who
// kept baiting and are not answered for a while (with a button to lift it), and the ML
// classifier's state. Server data is untrusted: textContent only.
(function () {
  'use strict';

  var kit = window.PickleKit;
  var $ = kit.$;
  var el = kit.el;
  var token = kit.initialToken();

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

  function api(method, path, body) {
    var headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' }).then(function (res) {
      return res
        .json()
        .catch(function () {
          return null;
        })
        .then(function (data) {
          return { ok: res.ok, status: res.status, data: data };
        });
    });
  }

  function counts(target, record) {
    target.textContent = '';
    var keys = Object.keys(record || {}).filter(function (k) {
      return k !== 'total';
    });
    if (!keys.length) {
      target.append(el('li', 'hint', 'nothing blocked yet'));
      return;
    }
    keys.sort(function (a, b) {
      return record[b] - record[a];
    });
    keys.forEach(function (k) {
      var li = el('li', 'mod-count');
      li.append(el('span', 'mod-cat', LABELS[k] || k), el('b', 'mod-n', String(record[k])));
      target.append(li);
    });
  }

  function render(m) {
    if (!m) return;
    $('sec-moderation').hidden = false;
    var replies = (m.blocked && m.blocked.replies) || {};
    var memory = (m.blocked && m.blocked.memory) || {};
    $('mod-total').textContent = String(replies.total || 0) + ' sentences dropped · ' + String(memory.total || 0) + ' lines not stored';
    $('mod-classifier').textContent = 'ML classifier: ' + String(m.classifier || 'off') + (m.lists ? ' · word lists: ' + m.lists.join(', ') : '');
    counts($('mod-replies'), replies);
    counts($('mod-memory'), memory);
    var list = $('mod-silenced');
    list.textContent = '';
    var silenced = m.silenced || [];
    $('mod-silenced-empty').hidden = silenced.length > 0;
    silenced.forEach(function (s) {
      var li = el('li', 'mod-silenced-row');
      var until = new Date(Number(s.until));
      li.append(el('span', 'mod-viewer', String(s.viewer)), el('span', 'hint', 'until ' + until.toLocaleTimeString()));
      var btn = el('button', 'btn small', 'Lift');
      btn.type = 'button';
      btn.title = 'answer this viewer again (same as !unblock in chat)';
      btn.addEventListener('click', function () {
        btn.disabled = true;
        api('POST', '/api/moderation/unblock', { viewer: String(s.viewer) }).then(function (r) {
          if (!r.ok) btn.disabled = false;
        });
      });
      li.append(btn);
      list.append(li);
    });
  }

  function load() {
    api('GET', '/api/moderation').then(function (r) {
      if (r.ok) render(r.data);
    });
  }

  if (!window.io) return;
  // The panel's own socket (one per namespace and page): moderation updates as they happen.
  var socket = window.io('/panel', { auth: { token: token } });
  socket.on('moderation', render);
  socket.on('connect', load);
  load();
})();
