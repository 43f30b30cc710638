// Pickle control panel: live status, transcript with the brain's decisions, controls (through the
// settings API, persisted by Pickle), rehearsal chat, memory browser and live charts.
// Works at 320 px wide (OBS custom dock). Everything from the server is untrusted text and is only
// ever written with textContent; no innerHTML anywhere.
(function () {
  'use strict';

  var kit = window.PickleKit;
  var $ = kit.$;
  var el = kit.el;
  var svg = kit.svg;

  // ------------------------------------------------------------------ access token (HOST not loopback)
  var token = kit.initialToken();
  var tokenBox = kit.tokenBox(function (typed) {
    token = typed;
    socket.auth = { token: token };
    socket.disconnect().connect();
    loadPersonas();
    probeMemory();
  });
  function showTokenBox() {
    tokenBox.show();
  }

  function api(method, path, body) {
    var headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' }).then(
      function (res) {
        return res
          .json()
          .catch(function () {
            return null;
          })
          .then(function (data) {
            if (res.status === 401) showTokenBox();
            return { ok: res.ok, status: res.status, data: data };
          });
      },
      function (err) {
        return { ok: false, status: 0, data: { error: 'Pickle is not reachable (' + (err && err.message ? err.message : 'network error') + ')' } };
      },
    );
  }

  function problem(r) {
    var d = r.data || {};
    var msg = typeof d.error === 'string' ? d.error : 'request failed (' + r.status + ')';
    if (d.fields && typeof d.fields === 'object') {
      var parts = Object.keys(d.fields).map(function (k) {
        return (k ? k + ': ' : '') + String(d.fields[k]);
      });
      if (parts.length) msg += ' — ' + parts.join('; ');
    }
    if (typeof d.fix === 'string') msg += ' → ' + d.fix;
    if (typeof d.detail === 'string') msg += ' (' + d.detail + ')';
    return msg;
  }

  var toastTimer = null;
  function toast(text, kind) {
    var t = $('toast');
    t.textContent = text;
    t.className = 'toast ' + (kind || '');
    t.hidden = false;
    if (toastTimer) clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      t.hidden = true;
    }, kind === 'bad' ? 6000 : 2500);
  }


  // ------------------------------------------------------------------ time formatting
  function hhmmss(ts) {
    var d = new Date(typeof ts === 'number' ? ts : Date.now());
    var p = function (n) {
      return n < 10 ? '0' + n : String(n);
    };
    return p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
  }

  // ------------------------------------------------------------------ status
  var ORDER = ['llm', 'twitch', 'twitch-events', 'tts', 'voice', 'stt', 'memory', 'vision', 'moderation', 'obs'];
  var statusOpen = {};
  var STATES = ['up', 'starting', 'degraded', 'paused', 'down', 'disabled'];
  function renderStatus(list) {
    if (!Array.isArray(list)) return;
    var sorted = list.slice().sort(function (a, b) {
      var ia = ORDER.indexOf(a.service);
      var ib = ORDER.indexOf(b.service);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || String(a.service).localeCompare(String(b.service));
    });
    var ul = $('status-list');
    ul.replaceChildren();
    var counts = {};
    sorted.forEach(function (s) {
      var state = STATES.indexOf(s.state) >= 0 ? s.state : 'disabled';
      counts[state] = (counts[state] || 0) + 1;
      var name = String(s.service);
      // One line each; problems open by default, the rest on a click (and stay as the streamer left them).
      var li = el('li', 'status-item ' + state);
      li.dataset.service = name;
      var d = el('details');
      var open = Object.prototype.hasOwnProperty.call(statusOpen, name) ? statusOpen[name] : state === 'down' || state === 'degraded' || state === 'starting';
      d.open = open;
      d.addEventListener('toggle', function () {
        statusOpen[name] = d.open;
      });
      var sum = el('summary');
      sum.append(el('span', 'name', name), el('span', 'brief', s.detail || ''), el('span', 'state', state));
      d.append(sum);
      if (s.detail) d.append(el('div', 'detail', s.detail));
      if (s.fix && state !== 'up') d.append(el('div', 'fix', s.fix));
      if (s.lastError && (state === 'down' || state === 'degraded')) d.append(el('div', 'err', s.lastError));
      li.append(d);
      ul.append(li);
    });
    $('status-summary').textContent = STATES.filter(function (k) {
      return counts[k];
    })
      .map(function (k) {
        return counts[k] + ' ' + k;
      })
      .join(' · ');
  }

  function renderActors(actors) {
    if (!actors || typeof actors !== 'object') return;
    var box = $('actors');
    box.replaceChildren();
    Object.keys(actors).forEach(function (k) {
      var p = el('span', 'pill plain');
      p.append(el('b', null, k + ' '), document.createTextNode(String(actors[k])));
      box.append(p);
    });
  }

  // ------------------------------------------------------------------ brain state, skip, mute
  var muted = false;
  function renderBrain(b) {
    if (!b || typeof b !== 'object') return;
    var state = ['idle', 'thinking', 'speaking', 'cooldown'].indexOf(b.state) >= 0 ? b.state : 'idle';
    muted = b.muted === true;
    var pill = $('brain-state');
    pill.textContent = muted ? state + ' · muted' : state;
    pill.className = 'pill plain brain-' + (muted ? 'muted' : state);
    pill.dataset.state = state;
    var mb = $('btn-mute');
    mb.textContent = muted ? '🔊 Unmute' : '🔇 Mute';
    mb.classList.toggle('on', muted);
  }
  $('btn-skip').addEventListener('click', function () {
    api('POST', '/api/control/skip').then(function (r) {
      if (!r.ok) toast(problem(r), 'bad');
    });
  });
  $('btn-mute').addEventListener('click', function () {
    api('POST', '/api/control/' + (muted ? 'unmute' : 'mute')).then(function (r) {
      if (!r.ok) toast(problem(r), 'bad');
    });
  });

  // ------------------------------------------------------------------ transcript
  var REASONS = {
    mention: 'named Pickle',
    question: 'a question',
    spontaneous: 'spontaneous',
    streamer: 'you spoke to Pickle',
    event: 'stream event',
    'pending-mention': 'kept: answered after this reply',
    'not-addressed': 'not addressed to Pickle',
    cooldown: 'cooldown',
    busy: 'busy replying',
    muted: 'muted',
    blocked: 'dropped by moderation',
    silenced: 'kept baiting: not answered for a while',
    moderated: 'removed by a moderator',
    skipped: 'skipped',
    'event-off': 'this event is not acknowledged (persona)',
    failed: 'failed',
    redemption: 'channel-point question',
    recap: 'asked what chat said',
    idle: 'quiet stream: starting a topic',
    stale: 'waited too long (45 s)',
    'queue-full': 'queue full (5 waiting)',
    replaced: 'replaced by a newer or higher-ranked input',
  };
  var EMOJI = { neutral: '🙂', happy: '😄', excited: '🤩', laughing: '😂', surprised: '😮', thinking: '🤔', confused: '😕', sad: '😢', angry: '😠', smug: '😏' };
  var MAX_ROWS = 300;
  var personaName = 'Pickle';

  function transcriptRow(event, d) {
    if (!d || typeof d !== 'object') return null;
    var li = el('li');
    var what = el('div', 'what');
    li.append(el('span', 'time', hhmmss(d.ts)), what);
    if (event === 'decision') {
      li.className = 't-decision ' + (d.respond ? 'answer' : 'quiet');
      li.dataset.reason = String(d.reason || '');
      var tagKind = d.reason === 'blocked' || d.reason === 'failed' ? d.reason : d.respond ? 'answer' : 'quiet';
      what.append(el('span', 'tag ' + tagKind, d.respond ? 'answer' : 'quiet'), el('span', 'reason', REASONS[d.reason] || String(d.reason || '')));
      if (d.summary) what.append(document.createTextNode(' · '), el('span', 'summary', d.summary));
      return li;
    }
    var kind = String(d.kind || 'notice');
    if (kind === 'chat') {
      li.className = 't-chat';
      what.append(el('span', 'who', d.user || '?'), el('span', 'text', d.text || ''));
      if (d.repeats > 1) what.append(el('span', 'times', ' ×' + d.repeats));
    } else if (kind === 'reply') {
      li.className = 't-reply';
      var emo = EMOJI[d.emotion] || '';
      what.append(el('span', 'who', (emo ? emo + ' ' : '') + personaName));
      // The prompt's size (context budget) first, so the row's height clamp never hides it.
      if (typeof d.promptTokens === 'number') {
        var size = d.promptTokens.toLocaleString() + (typeof d.promptBudget === 'number' ? '/' + d.promptBudget.toLocaleString() : '') + ' tokens';
        what.append(el('span', 'times prompt-size', '(' + size + ') '));
      }
      what.append(el('span', 'text', d.text || ''));
    } else if (kind === 'reply-failed') {
      li.className = 't-failed';
      what.append(el('span', 'tag failed', 'no reply'), el('span', 'reason', REASONS[d.reason] || String(d.reason || '')));
      if (d.text) what.append(document.createTextNode(' · '), el('span', 'summary', d.text));
    } else if (kind === 'speech') {
      li.className = 't-speech t-chat';
      what.append(el('span', 'who', '🎙 you'), el('span', 'text', d.text || ''));
    } else if (kind === 'vision') {
      li.className = 't-vision t-chat';
      what.append(el('span', 'who', '📷 camera'), el('span', 'text', d.text || ''));
    } else {
      li.className = 't-notice';
      what.append(el('span', 'who', kind), el('span', 'text', d.text || ''));
    }
    return li;
  }

  function addTranscript(event, data) {
    var li = transcriptRow(event, data);
    if (!li) return;
    var ol = $('transcript');
    ol.prepend(li);
    while (ol.children.length > MAX_ROWS) ol.lastElementChild.remove();
    $('transcript-empty').hidden = true;
  }

  [['f-chat', 'hide-chat'], ['f-decision', 'hide-decision'], ['f-reply', 'hide-reply'], ['f-quiet', 'hide-quiet']].forEach(function (pair) {
    $(pair[0]).addEventListener('change', function (ev) {
      $('transcript').classList.toggle(pair[1], !ev.target.checked);
    });
  });

  // ------------------------------------------------------------------ controls (settings API)
  var settings = null;
  var personas = [];
  var editing = {};

  function currentPersona() {
    var name = settings && settings.persona ? settings.persona.name : '';
    for (var i = 0; i < personas.length; i++) if (personas[i].id === name) return personas[i];
    return null;
  }

  function renderSettings() {
    if (!settings) return;
    var p = settings.persona || {};
    var v = settings.voice || {};
    var def = (currentPersona() || {}).defaults || {};
    var sel = $('persona-select');
    if (!editing.persona) {
      if (!Array.from(sel.options).some(function (o) {
        return o.value === p.name;
      })) {
        sel.append(new Option(p.name, p.name));
      }
      sel.value = p.name;
    }
    var rate = typeof p.spontaneousRate === 'number' ? p.spontaneousRate : def.spontaneousRate;
    if (!editing.rate && typeof rate === 'number') $('rate').value = String(rate);
    $('rate-out').textContent = typeof rate === 'number' ? Math.round(Number($('rate').value) * 100) + ' %' : '–';
    $('rate-reset').classList.toggle('shown', typeof p.spontaneousRate === 'number');
    var cd = typeof p.cooldownSec === 'number' ? p.cooldownSec : def.cooldownSec;
    if (!editing.cooldown && typeof cd === 'number') $('cooldown').value = String(cd);
    $('cooldown-out').textContent = typeof cd === 'number' ? (editing.cooldown ? $('cooldown').value : cd) + ' s' : '–';
    $('cooldown-reset').classList.toggle('shown', typeof p.cooldownSec === 'number');
    $('reply-in-chat').checked = p.replyInChat === true;
    if (!editing.voice && document.activeElement !== $('voice-model')) $('voice-model').value = v.model || '';
    if (!editing.speed && typeof v.speed === 'number') $('voice-speed').value = String(v.speed);
    $('speed-out').textContent = Number($('voice-speed').value).toFixed(2) + '×';
  }

  var savedTimer = null;
  function put(section, body, key) {
    editing[key] = true;
    return api('PUT', '/api/settings/' + section, body).then(function (r) {
      editing[key] = false;
      if (!r.ok) {
        toast(problem(r), 'bad');
        renderSettings();
        return;
      }
      if (settings) settings[section] = r.data;
      renderSettings();
      var s = $('controls-saved');
      s.textContent = 'saved ✓';
      if (savedTimer) clearTimeout(savedTimer);
      savedTimer = setTimeout(function () {
        s.textContent = '';
      }, 1800);
    });
  }

  $('persona-select').addEventListener('change', function (ev) {
    put('persona', { name: ev.target.value }, 'persona');
  });
  $('rate').addEventListener('input', function (ev) {
    editing.rate = true;
    $('rate-out').textContent = Math.round(Number(ev.target.value) * 100) + ' %';
  });
  $('rate').addEventListener('change', function (ev) {
    put('persona', { spontaneousRate: Number(ev.target.value) }, 'rate');
  });
  $('rate-reset').addEventListener('click', function () {
    put('persona', { spontaneousRate: null }, 'rate');
  });
  $('cooldown').addEventListener('input', function (ev) {
    editing.cooldown = true;
    $('cooldown-out').textContent = ev.target.value + ' s';
  });
  $('cooldown').addEventListener('change', function (ev) {
    put('persona', { cooldownSec: Number(ev.target.value) }, 'cooldown');
  });
  $('cooldown-reset').addEventListener('click', function () {
    put('persona', { cooldownSec: null }, 'cooldown');
  });
  $('reply-in-chat').addEventListener('change', function (ev) {
    put('persona', { replyInChat: ev.target.checked }, 'replyInChat');
  });
  $('voice-model').addEventListener('change', function (ev) {
    var m = ev.target.value.trim();
    if (m) put('voice', { model: m }, 'voice');
  });
  $('voice-speed').addEventListener('input', function (ev) {
    editing.speed = true;
    $('speed-out').textContent = Number(ev.target.value).toFixed(2) + '×';
  });
  $('voice-speed').addEventListener('change', function (ev) {
    put('voice', { speed: Number(ev.target.value) }, 'speed');
  });

  // Deepgram Aura voices (English); any other model id can be typed in.
  var VOICES = ['aura-asteria-en', 'aura-luna-en', 'aura-stella-en', 'aura-athena-en', 'aura-hera-en', 'aura-orion-en', 'aura-arcas-en', 'aura-perseus-en', 'aura-angus-en', 'aura-orpheus-en', 'aura-helios-en', 'aura-zeus-en'].concat(
    ['thalia', 'andromeda', 'helena', 'apollo', 'arcas', 'aries', 'amalthea', 'asteria', 'athena', 'atlas', 'aurora', 'callista', 'cora', 'cordelia', 'delia', 'draco', 'electra', 'harmonia', 'hera', 'hermes', 'hyperion', 'iris', 'janus', 'juno', 'jupiter', 'luna', 'mars', 'minerva', 'neptune', 'odysseus', 'ophelia', 'orion', 'orpheus', 'pandora', 'phoebe', 'pluto', 'saturn', 'selene', 'theia', 'vesta', 'zeus'].map(function (n) {
      return 'aura-2-' + n + '-en';
    }),
  );
  VOICES.forEach(function (v) {
    $('voices').append(new Option(v, v));
  });

  function loadPersonas() {
    return api('GET', '/api/personas').then(function (r) {
      if (!r.ok || !r.data || !Array.isArray(r.data.personas)) return;
      personas = r.data.personas;
      var sel = $('persona-select');
      sel.replaceChildren();
      personas.forEach(function (p) {
        sel.append(new Option(p.name && p.name !== p.id ? p.name + ' (' + p.id + ')' : p.id, p.id));
      });
      var cur = currentPersona() || personas.find(function (p) {
        return p.id === r.data.current;
      });
      if (cur) {
        personaName = cur.name || cur.id;
        $('persona-name').textContent = personaName !== 'Pickle' ? '· ' + personaName : '';
      }
      renderSettings();
    });
  }

  // ------------------------------------------------------------------ rehearsal chat
  $('chat-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var user = $('chat-user').value.trim() || 'streamer';
    var text = $('chat-text').value.trim();
    if (!text) return;
    var err = $('chat-error');
    api('POST', '/api/chat', { user: user, text: text }).then(function (r) {
      if (r.ok) {
        $('chat-text').value = '';
        err.hidden = true;
      } else {
        err.textContent = problem(r);
        err.hidden = false;
      }
    });
  });

  // ------------------------------------------------------------------ analytics charts
  var CHARTS = [
    { id: 'replies', label: 'Replies / min', keys: ['repliesPerMin'], fmt: num0 },
    { id: 'latency', label: 'Latency', keys: ['latencyP50', 'latencyP95'], fmt: ms, legend: ['p50', 'p95'] },
    { id: 'tokens', label: 'LLM tokens / s', keys: ['tokensPerSec'], fmt: num1 },
    { id: 'memory', label: 'Memory size', keys: ['memorySize'], fmt: num0, none: 'off' },
    { id: 'dropped', label: 'Dropped / min', keys: ['droppedPerMin'], fmt: num0, total: 'droppedTotal' },
  ];
  var points = [];
  var keepPoints = 150;
  function num0(v) {
    return v === null || v === undefined ? '–' : String(Math.round(v));
  }
  function num1(v) {
    return v === null || v === undefined ? '–' : (Math.round(v * 10) / 10).toFixed(1);
  }
  function ms(v) {
    if (v === null || v === undefined) return '–';
    return v >= 10000 ? (v / 1000).toFixed(1) + 's' : Math.round(v) + 'ms';
  }
  var chartEls = {};
  CHARTS.forEach(function (c) {
    var box = el('div', 'chart');
    box.dataset.chart = c.id;
    var head = el('div', 'head');
    var value = el('span', 'value', '–');
    head.append(el('span', 'label', c.label), value);
    var s = svg('svg', { viewBox: '0 0 100 40', preserveAspectRatio: 'none', role: 'img', 'aria-label': c.label });
    var area = svg('polygon', { class: 'area series-0' });
    s.append(area);
    var lines = c.keys.map(function (_k, i) {
      var pl = svg('polyline', { class: 'series-' + i });
      s.append(pl);
      return pl;
    });
    box.append(head, s);
    var legend = null;
    if (c.legend || c.total) {
      legend = el('div', 'legend');
      box.append(legend);
    }
    $('charts').append(box);
    chartEls[c.id] = { value: value, area: area, lines: lines, legend: legend };
  });

  function drawCharts() {
    var n = points.length;
    CHARTS.forEach(function (c) {
      var e = chartEls[c.id];
      var max = 0;
      c.keys.forEach(function (k) {
        points.forEach(function (p) {
          if (typeof p[k] === 'number' && p[k] > max) max = p[k];
        });
      });
      max = max > 0 ? max * 1.15 : 1;
      var x = function (i) {
        return n <= 1 ? 100 : (i / (keepPoints - 1)) * 100 + (100 - ((n - 1) / (keepPoints - 1)) * 100);
      };
      var y = function (v) {
        return 38 - (v / max) * 34;
      };
      c.keys.forEach(function (k, i) {
        var pts = [];
        points.forEach(function (p, j) {
          if (typeof p[k] === 'number') pts.push(x(j).toFixed(2) + ',' + y(p[k]).toFixed(2));
        });
        e.lines[i].setAttribute('points', pts.join(' '));
        if (i === 0) {
          if (pts.length > 1) {
            var first = pts[0].split(',')[0];
            var last = pts[pts.length - 1].split(',')[0];
            e.area.setAttribute('points', first + ',40 ' + pts.join(' ') + ' ' + last + ',40');
          } else e.area.setAttribute('points', '');
        }
      });
      var latest = points[n - 1] || {};
      var shown = c.keys.map(function (k) {
        return c.fmt(latest[k]);
      });
      e.value.textContent = c.none && (latest[c.keys[0]] === null || latest[c.keys[0]] === undefined) ? c.none : shown.join(' / ');
      if (e.legend) {
        e.legend.replaceChildren();
        if (c.legend)
          c.legend.forEach(function (l, i) {
            e.legend.append(el('span', 'k' + i, '● ' + l + ' '));
          });
        if (c.total) e.legend.append(el('span', null, 'total ' + num0(latest[c.total])));
      }
    });
  }

  // ------------------------------------------------------------------ memory browser
  function memoryItems(data) {
    if (!data) return [];
    if (Array.isArray(data)) return data;
    return data.memories || data.items || data.results || [];
  }
  function renderMemory(r) {
    var note = $('memory-note');
    var list = $('memory-list');
    list.replaceChildren();
    if (!r.ok) {
      note.textContent = problem(r);
      $('memory-total').textContent = '';
      return;
    }
    var items = memoryItems(r.data);
    $('memory-total').textContent = typeof r.data.total === 'number' ? r.data.total + ' stored' : '';
    note.textContent = items.length ? '' : 'No memories match.';
    items.forEach(function (m) {
      if (!m || typeof m !== 'object') return;
      var li = el('li');
      li.dataset.id = String(m.id);
      // Provenance: who said it, whom it is about, and whether it is one viewer's claim about others.
      var about = Array.isArray(m.about) && m.about.length ? 'about ' + m.about.join(', ') : '';
      var meta = [m.speaker || m.user, m.source, m.hearsay ? 'hearsay' : '', about, typeof m.ts === 'number' ? new Date(m.ts).toLocaleString() : '', typeof m.relevance === 'number' ? 'relevance ' + m.relevance.toFixed(2) : '']
        .filter(Boolean)
        .join(' · ');
      var del = el('button', 'btn small danger', 'Delete');
      del.type = 'button';
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
        api('DELETE', '/api/memory/' + encodeURIComponent(String(m.id))).then(function (res) {
          if (res.ok) {
            li.remove();
            toast(res.status === 202 ? 'Forgotten as soon as memory is back' : 'Forgotten', 'ok');
          } else toast(problem(res), 'bad');
        });
      });
      li.append(el('span', 'text', m.text || ''), del, el('span', 'meta', meta));
      list.append(li);
    });
  }
  function searchMemory() {
    var q = $('memory-q').value.trim();
    var user = $('memory-user').value.trim();
    var qs = new URLSearchParams();
    if (q) qs.set('q', q);
    if (user) qs.set('user', user);
    qs.set('limit', '30');
    return api('GET', '/api/memory?' + qs.toString()).then(renderMemory);
  }
  // Memory comes with its own service: the section shows only when Pickle has the endpoint
  // (and says how to turn memory on when it is off, without asking the API for an error).
  function probeMemory() {
    api('GET', '/health').then(function (h) {
      var mem = h.ok && h.data ? h.data.memory : undefined;
      if (mem && typeof mem === 'object' && mem.enabled === false) {
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
    api('GET', '/api/memory?limit=30').then(function (r) {
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
  var forgetArmed = null;
  $('memory-forget').addEventListener('click', function () {
    var btn = $('memory-forget');
    var login = $('memory-user').value.trim().toLowerCase();
    if (!/^\w{1,25}$/.test(login)) {
      toast('Type the viewer\'s login first', 'bad');
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
    api('DELETE', '/api/memory/viewer/' + encodeURIComponent(login)).then(function (res) {
      if (!res.ok) return toast(problem(res), 'bad');
      toast(res.status === 202 ? 'Forgotten as soon as memory is back' : 'Forgot ' + login + (typeof res.data.deleted === 'number' ? ' (' + res.data.deleted + ')' : ''), 'ok');
      searchMemory();
    });
  });

  // ------------------------------------------------------------------ socket
  if (typeof window.io !== 'function') {
    $('conn').textContent = 'no socket.io';
    $('conn').className = 'pill bad';
    return;
  }
  var socket = window.io('/panel', { auth: { token: token }, reconnectionDelayMax: 3000 });
  // Sections in their own scripts (panelDigest.js) listen on the same socket.
  kit.panelSocket = socket;
  socket.on('connect', function () {
    $('conn').textContent = 'live';
    $('conn').className = 'pill ok';
    document.body.dataset.connected = 'true';
    loadPersonas();
    probeMemory();
  });
  socket.on('disconnect', function () {
    $('conn').textContent = 'reconnecting';
    $('conn').className = 'pill bad';
    document.body.dataset.connected = 'false';
  });
  socket.on('connect_error', function (err) {
    $('conn').textContent = 'offline';
    $('conn').className = 'pill bad';
    if (err && err.message === 'unauthorized') showTokenBox();
  });
  socket.on('status', renderStatus);
  socket.on('settings', function (s) {
    if (!s || typeof s !== 'object') return;
    var personaChanged = settings && settings.persona && s.persona && settings.persona.name !== s.persona.name;
    settings = s;
    renderSettings();
    if (personaChanged) loadPersonas();
  });
  socket.on('history', function (h) {
    if (!h || typeof h !== 'object') return;
    $('transcript').replaceChildren();
    (Array.isArray(h.entries) ? h.entries : []).forEach(function (e) {
      if (e && typeof e === 'object') addTranscript(e.event, e.data);
    });
    if (h.latest && h.latest.brain) renderBrain(h.latest.brain);
  });
  socket.on('transcript', function (d) {
    addTranscript('transcript', d);
  });
  socket.on('decision', function (d) {
    addTranscript('decision', d);
  });
  socket.on('brain', renderBrain);
  socket.on('analytics-history', function (h) {
    if (!h || !Array.isArray(h.points)) return;
    points = h.points.slice(-keepPoints);
    drawCharts();
  });
  socket.on('analytics', function (p) {
    if (!p || typeof p !== 'object') return;
    points.push(p);
    if (points.length > keepPoints) points.shift();
    drawCharts();
    if (p.actors) renderActors(p.actors);
  });
})();
