// Control panel: the Controls card (persona, spontaneous rate, cooldown, replies in chat, voice and
// its speed) through the settings API, which Pickle persists; the persona's name in the header.
// Server text: textContent only.
(function () {
  'use strict';

  /** @typedef {import('../src/screens/payloads.ts').Settings} Settings */
  /** @typedef {{ id: string, name: string, defaults: { spontaneousRate?: number, cooldownSec?: number } }} PersonaEntry */

  var kit = window.PickleKit;
  var panel = window.PicklePanel;
  var $ = kit.$;
  var input = kit.input;
  var byId = kit.byId;

  /** @type {Settings | null} */
  var settings = null;
  /** @type {PersonaEntry[]} */
  var personas = [];
  /** @type {Record<string, boolean>} controls the streamer is changing: updates leave them alone */
  var editing = {};

  /**
   * The personas in a GET /api/personas answer (untrusted: checked field by field).
   * @param {unknown} list
   * @returns {PersonaEntry[]}
   */
  function personaEntries(list) {
    if (!Array.isArray(list)) return [];
    /** @type {PersonaEntry[]} */
    var out = [];
    list.forEach(function (/** @type {unknown} */ p) {
      if (!p || typeof p !== 'object' || !('id' in p) || typeof p.id !== 'string') return;
      var name = 'name' in p && typeof p.name === 'string' ? p.name : p.id;
      var d = 'defaults' in p && p.defaults && typeof p.defaults === 'object' ? p.defaults : {};
      /** @type {PersonaEntry['defaults']} */
      var defaults = {};
      if ('spontaneousRate' in d && typeof d.spontaneousRate === 'number') defaults.spontaneousRate = d.spontaneousRate;
      if ('cooldownSec' in d && typeof d.cooldownSec === 'number') defaults.cooldownSec = d.cooldownSec;
      out.push({ id: p.id, name: name, defaults: defaults });
    });
    return out;
  }

  function currentPersona() {
    var name = settings && settings.persona ? settings.persona.name : '';
    for (var p of personas) if (p.id === name) return p;
    return null;
  }

  function renderSettings() {
    if (!settings) return;
    var p = settings.persona;
    var v = settings.voice;
    var cur = currentPersona();
    var def = cur ? cur.defaults : {};
    var sel = byId('persona-select', HTMLSelectElement);
    if (!editing.persona) {
      if (!Array.from(sel.options).some(function (o) {
        return o.value === p.name;
      })) {
        sel.append(new Option(p.name, p.name));
      }
      sel.value = p.name;
    }
    var rate = typeof p.spontaneousRate === 'number' ? p.spontaneousRate : def.spontaneousRate;
    if (!editing.rate && typeof rate === 'number') input('rate').value = String(rate);
    $('rate-out').textContent = typeof rate === 'number' ? Math.round(Number(input('rate').value) * 100) + ' %' : '–';
    $('rate-reset').classList.toggle('shown', typeof p.spontaneousRate === 'number');
    var cd = typeof p.cooldownSec === 'number' ? p.cooldownSec : def.cooldownSec;
    if (!editing.cooldown && typeof cd === 'number') input('cooldown').value = String(cd);
    $('cooldown-out').textContent = typeof cd === 'number' ? (editing.cooldown ? input('cooldown').value : cd) + ' s' : '–';
    $('cooldown-reset').classList.toggle('shown', typeof p.cooldownSec === 'number');
    input('reply-in-chat').checked = p.replyInChat === true;
    if (!editing.voice && document.activeElement !== $('voice-model')) input('voice-model').value = v.model || '';
    if (!editing.speed && typeof v.speed === 'number') input('voice-speed').value = String(v.speed);
    $('speed-out').textContent = Number(input('voice-speed').value).toFixed(2) + '×';
  }

  /** @param {unknown} v */
  function num(v) {
    return typeof v === 'number' ? v : undefined;
  }
  /**
   * The section as Pickle saved it (the `settings` message that follows brings all of it anyway).
   * @param {'persona' | 'voice'} section
   * @param {PanelApiBody | null} saved
   */
  function keepSaved(section, saved) {
    if (!settings || !saved) return;
    if (section === 'persona' && typeof saved.name === 'string') {
      settings.persona = {
        name: saved.name,
        spontaneousRate: num(saved.spontaneousRate),
        cooldownSec: num(saved.cooldownSec),
        idleAfterSec: num(saved.idleAfterSec),
        replyInChat: typeof saved.replyInChat === 'boolean' ? saved.replyInChat : undefined,
      };
    }
    if (section === 'voice' && typeof saved.model === 'string' && typeof saved.speed === 'number') settings.voice = { model: saved.model, speed: saved.speed };
  }

  /** @type {ReturnType<typeof setTimeout> | null} */
  var savedTimer = null;
  /**
   * @param {'persona' | 'voice'} section
   * @param {Record<string, unknown>} body
   * @param {string} key
   */
  function put(section, body, key) {
    editing[key] = true;
    void panel.api('PUT', '/api/settings/' + section, body).then(function (r) {
      editing[key] = false;
      if (!r.ok) {
        panel.toast(panel.problem(r), 'bad');
        renderSettings();
        return;
      }
      keepSaved(section, r.data);
      renderSettings();
      var s = $('controls-saved');
      s.textContent = 'saved';
      if (savedTimer) clearTimeout(savedTimer);
      savedTimer = setTimeout(function () {
        s.textContent = '';
      }, 1800);
    });
  }

  var personaSelect = byId('persona-select', HTMLSelectElement);
  personaSelect.addEventListener('change', function () {
    put('persona', { name: personaSelect.value }, 'persona');
  });
  var rateInput = input('rate');
  rateInput.addEventListener('input', function () {
    editing.rate = true;
    $('rate-out').textContent = Math.round(Number(rateInput.value) * 100) + ' %';
  });
  rateInput.addEventListener('change', function () {
    put('persona', { spontaneousRate: Number(rateInput.value) }, 'rate');
  });
  $('rate-reset').addEventListener('click', function () {
    put('persona', { spontaneousRate: null }, 'rate');
  });
  var cooldownInput = input('cooldown');
  cooldownInput.addEventListener('input', function () {
    editing.cooldown = true;
    $('cooldown-out').textContent = cooldownInput.value + ' s';
  });
  cooldownInput.addEventListener('change', function () {
    put('persona', { cooldownSec: Number(cooldownInput.value) }, 'cooldown');
  });
  $('cooldown-reset').addEventListener('click', function () {
    put('persona', { cooldownSec: null }, 'cooldown');
  });
  var replyInChat = input('reply-in-chat');
  replyInChat.addEventListener('change', function () {
    put('persona', { replyInChat: replyInChat.checked }, 'replyInChat');
  });
  var voiceModel = input('voice-model');
  voiceModel.addEventListener('change', function () {
    var m = voiceModel.value.trim();
    if (m) put('voice', { model: m }, 'voice');
  });
  var speedInput = input('voice-speed');
  speedInput.addEventListener('input', function () {
    editing.speed = true;
    $('speed-out').textContent = Number(speedInput.value).toFixed(2) + '×';
  });
  speedInput.addEventListener('change', function () {
    put('voice', { speed: Number(speedInput.value) }, 'speed');
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
    void panel.api('GET', '/api/personas').then(function (r) {
      if (!r.ok || !r.data || !Array.isArray(r.data.personas)) return;
      personas = personaEntries(r.data.personas);
      var current = r.data.current;
      personaSelect.replaceChildren();
      personas.forEach(function (p) {
        personaSelect.append(new Option(p.name && p.name !== p.id ? p.name + ' (' + p.id + ')' : p.id, p.id));
      });
      var cur = currentPersona() || personas.find(function (p) {
        return p.id === current;
      });
      if (cur) {
        panel.personaName = cur.name || cur.id;
        $('persona-name').textContent = panel.personaName !== 'Pickle' ? '· ' + panel.personaName : '';
      }
      renderSettings();
    });
  }

  panel.onSocket(function (socket) {
    socket.on('connect', loadPersonas);
    socket.on('settings', function (s) {
      if (!s || typeof s !== 'object') return;
      var personaChanged = settings && settings.persona && s.persona && settings.persona.name !== s.persona.name;
      settings = s;
      renderSettings();
      if (personaChanged) loadPersonas();
    });
  });
})();
