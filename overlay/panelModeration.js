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
    mild: 'mild profanity',
    insult: 'insults',
    threat: 'threats',
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

  /** @typedef {import('../src/screens/payloads.ts').ModerationHealthPayload} ModerationHealth */
  /** @typedef {import('../src/screens/payloads.ts').BlockedCounts} BlockedCounts */

  /**
   * @param {unknown} v
   * @returns {Record<string, unknown>}
   */
  function obj(v) {
    return v && typeof v === 'object' && !Array.isArray(v) ? /** @type {Record<string, unknown>} */ (v) : {};
  }
  /**
   * Category → count (numbers only), with the total.
   * @param {unknown} v
   * @returns {BlockedCounts}
   */
  function tally(v) {
    /** @type {BlockedCounts} */
    var out = { total: 0 };
    Object.entries(obj(v)).forEach(function (kv) {
      if (typeof kv[1] === 'number') out[kv[0]] = kv[1];
    });
    return out;
  }
  /**
   * `platform:login`, as Pickle names a viewer.
   * @param {unknown} v
   * @returns {v is ModerationHealth['silenced'][number]['viewer']}
   */
  function isViewerKey(v) {
    return typeof v === 'string' && v.indexOf(':') > 0;
  }
  /**
   * GET /api/moderation's answer read as the `moderation` message is typed (it is the same object).
   * @param {PanelApiBody | null} data
   * @returns {ModerationHealth | null}
   */
  function fromApi(data) {
    if (!data) return null;
    var blocked = obj(data.blocked);
    return {
      lists: Array.isArray(data.lists) ? data.lists.map(String) : [],
      classifier: typeof data.classifier === 'string' ? data.classifier : 'off',
      blocked: { replies: tally(blocked.replies), memory: tally(blocked.memory) },
      silenced: (Array.isArray(data.silenced) ? data.silenced : []).map(obj).flatMap(function (s) {
        var viewer = s.viewer;
        return isViewerKey(viewer) ? [{ viewer: viewer, until: Number(s.until) }] : [];
      }),
    };
  }

  /**
   * @param {HTMLElement} target
   * @param {BlockedCounts} record
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

  /** @param {ModerationHealth | null} m */
  function render(m) {
    if (!m || typeof m !== 'object') return;
    $('sec-moderation').hidden = false;
    var replies = m.blocked.replies;
    var memory = m.blocked.memory;
    $('mod-total').textContent = String(replies.total || 0) + ' sentences dropped · ' + String(memory.total || 0) + ' lines not stored';
    $('mod-classifier').textContent = 'ML classifier: ' + String(m.classifier || 'off') + (m.lists.length ? ' · word lists: ' + m.lists.join(', ') : '');
    counts($('mod-replies'), replies);
    counts($('mod-memory'), memory);
    var list = $('mod-silenced');
    list.textContent = '';
    $('mod-silenced-empty').hidden = m.silenced.length > 0;
    m.silenced.forEach(function (s) {
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

  /** Layers as the streamer reads them. @type {Record<string, string>} */
  var LAYERS = {
    bound: 'too long to check',
    profanity: 'word lists',
    personalData: 'personal data',
    links: 'links',
    threat: 'threats',
    selfHarm: 'self-harm',
    sexual: 'sexual content',
    promptLeak: 'prompt leaks',
    echo: 'echoes',
    ml: 'ML classifier',
  };

  // "Try a sentence": the judgement a spoken sentence would get now (the sentence is not shown back).
  $('mod-try').addEventListener('submit', function (e) {
    e.preventDefault();
    var input = /** @type {HTMLInputElement} */ ($('mod-try-text'));
    var out = $('mod-try-result');
    out.textContent = 'checking…';
    void panel.api('POST', '/api/moderation/check', { text: input.value }).then(function (r) {
      var d = obj(r.data);
      if (!r.ok) {
        var fields = obj(d.fields);
        out.textContent = 'Could not check: ' + String(fields.text || d.error || 'HTTP ' + r.status);
      } else if (d.ok === true) out.textContent = '✓ Pickle would say it.';
      else out.textContent = '✗ Dropped: ' + (LABELS[String(d.category)] || String(d.category)) + ' (' + (LAYERS[String(d.layer)] || String(d.layer)) + ').';
    });
  });

  function load() {
    void panel.api('GET', '/api/moderation').then(function (r) {
      if (r.ok) render(fromApi(r.data));
    });
  }

  // Moderation updates as they happen, on the panel's socket.
  panel.onSocket(function (socket) {
    socket.on('moderation', render);
    socket.on('connect', load);
  });
  load();
})();
