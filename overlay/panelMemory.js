// Control panel: the Memory card, a browser of Pickle's long-term memory (GET /api/memory): search
// by meaning or viewer, with provenance (who said it, about whom, hearsay), delete one, or forget a
// viewer as their !forgetme would. Shown only when Pickle has the endpoint. Text only.
(function () {
  'use strict';

  var kit = window.PickleKit;
  var panel = window.PicklePanel;
  var $ = kit.$;
  var el = kit.el;

  /**
   * The memories in an answer (a list, or under memories / items / results).
   * @param {PanelApiBody | null} data
   * @returns {unknown[]}
   */
  function memoryItems(data) {
    if (!data) return [];
    if (Array.isArray(data)) return data;
    var list = data.memories || data.items || data.results;
    return Array.isArray(list) ? list : [];
  }

  /** @param {PanelApiResult} r */
  function renderMemory(r) {
    var note = $('memory-note');
    var list = $('memory-list');
    list.replaceChildren();
    if (!r.ok || !r.data) {
      note.textContent = panel.problem(r);
      $('memory-total').textContent = '';
      return;
    }
    var items = memoryItems(r.data);
    // Which search this answer is for (tests and screen readers wait on it).
    note.dataset.q = typeof r.data.q === 'string' ? r.data.q : '';
    var below = typeof r.data.belowFloor === 'number' ? r.data.belowFloor : 0;
    if (items.length) note.textContent = '';
    else if (typeof r.data.q === 'string') {
      note.textContent = 'No good match for "' + r.data.q + '"' + (below ? ' (' + below + ' weak ' + (below === 1 ? 'hit' : 'hits') + ' left out)' : '') + '.';
    } else note.textContent = 'No memories yet.';
    items.forEach(function (item) {
      if (item && typeof item === 'object') list.append(memoryRow(/** @type {Record<string, unknown>} */ (item)));
    });
  }

  /** @param {Record<string, unknown>} m one stored memory (untrusted fields) */
  function memoryRow(m) {
    var li = el('li');
    var id = String(m.id);
    li.dataset.id = id;
    // Provenance: who said it, whom it is about, and whether it is one viewer's claim about others.
    var about = Array.isArray(m.about) && m.about.length ? 'about ' + m.about.join(', ') : '';
    // A time before 2000 is no time at all (a record written without one): shown as unknown, not as 1970.
    var when = typeof m.ts === 'number' && m.ts > 946684800000 ? new Date(m.ts).toLocaleString() : 'time unknown';
    var meta = [m.speaker || m.user, m.source, m.hearsay ? 'hearsay' : '', about, when, typeof m.relevance === 'number' ? 'relevance ' + m.relevance.toFixed(2) : '']
      .filter(Boolean)
      .map(String)
      .join(' · ');
    var del = el('button', 'btn small danger', 'Delete');
    del.type = 'button';
    /** @type {ReturnType<typeof setTimeout> | null} */
    var armed = null;
    del.addEventListener('click', function () {
      if (!armed) {
        del.textContent = 'Sure?';
        armed = setTimeout(function () {
          armed = null;
          del.textContent = 'Delete';
        }, 3000);
        return;
      }
      clearTimeout(armed);
      void panel.api('DELETE', '/api/memory/' + encodeURIComponent(id)).then(function (res) {
        if (res.ok) {
          li.remove();
          panel.toast(res.status === 202 ? 'Forgotten as soon as memory is back' : 'Forgotten', 'ok');
        } else panel.toast(panel.problem(res), 'bad');
      });
    });
    li.append(el('span', 'text', typeof m.text === 'string' ? m.text : ''), del, el('span', 'meta', meta));
    return li;
  }

  function searchMemory() {
    var q = kit.input('memory-q').value.trim();
    var user = kit.input('memory-user').value.trim();
    var qs = new URLSearchParams();
    if (q) qs.set('q', q);
    if (user) qs.set('user', user);
    qs.set('limit', '30');
    void panel.api('GET', '/api/memory?' + qs.toString()).then(renderMemory);
  }
  // Memory comes with its own service: the section shows only when Pickle has the endpoint
  // (and says how to turn memory on when it is off, without asking the API for an error).
  function probeMemory() {
    void panel.api('GET', '/health').then(function (h) {
      var mem = h.ok && h.data ? h.data.memory : undefined;
      if (mem && typeof mem === 'object' && 'enabled' in mem && mem.enabled === false) {
        $('sec-memory').hidden = false;
        $('memory-form').hidden = true;
        $('memory-list').replaceChildren();
        $('memory-note').textContent = 'Long-term memory is off → set MEMORY_ENABLED=true in .env and restart Pickle.';
        return;
      }
      $('memory-form').hidden = false;
      listMemory();
    });
  }
  function listMemory() {
    void panel.api('GET', '/api/memory?limit=30').then(function (r) {
      if (r.status === 404 && !(r.data && r.data.id)) {
        $('sec-memory').hidden = true;
        return;
      }
      $('sec-memory').hidden = false;
      renderMemory(r);
    });
  }
  $('memory-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    searchMemory();
  });
  // Forget a viewer (as their !forgetme): a second click within 3 s confirms.
  /** @type {ReturnType<typeof setTimeout> | null} */
  var forgetArmed = null;
  $('memory-forget').addEventListener('click', function () {
    var btn = $('memory-forget');
    var login = kit.input('memory-user').value.trim().toLowerCase();
    if (!/^\w{1,25}$/.test(login)) {
      panel.toast('Type the viewer\'s login first', 'bad');
      return;
    }
    if (!forgetArmed) {
      btn.textContent = 'Forget ' + login + '?';
      forgetArmed = setTimeout(function () {
        forgetArmed = null;
        btn.textContent = 'Forget viewer';
      }, 3000);
      return;
    }
    clearTimeout(forgetArmed);
    forgetArmed = null;
    btn.textContent = 'Forget viewer';
    void panel.api('DELETE', '/api/memory/viewer/' + encodeURIComponent(login)).then(function (res) {
      if (!res.ok) return panel.toast(panel.problem(res), 'bad');
      var deleted = res.data ? res.data.deleted : undefined;
      panel.toast(res.status === 202 ? 'Forgotten as soon as memory is back' : 'Forgot ' + login + (typeof deleted === 'number' ? ' (' + deleted + ')' : ''), 'ok');
      searchMemory();
    });
  });

  panel.onSocket(function (socket) {
    socket.on('connect', probeMemory);
    // How many memories: the same figure as the Analytics card's (Pickle's count, sent with each point).
    /** @param {unknown} n */
    function total(n) {
      $('memory-total').textContent = typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US') + ' stored' : '';
    }
    socket.on('analytics', function (p) {
      if (p && typeof p === 'object') total(p.memorySize);
    });
    socket.on('analytics-history', function (h) {
      var last = h && Array.isArray(h.points) ? h.points[h.points.length - 1] : undefined;
      if (last) total(last.memorySize);
    });
  });
})();
