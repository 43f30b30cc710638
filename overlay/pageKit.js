// Shared by Pickle's pages: DOM helpers that only ever write text (server data is untrusted:
// textContent and SVG text nodes, never innerHTML), and the access token that writes need when
// Pickle listens beyond this PC (HOST not loopback), kept for the tab's session.
(function () {
  'use strict';

  var KEY = 'pickle-token';

  /**
   * The element with this id, of the kind the script expects: a page and its script that
   * disagree fail here, loudly, instead of later on a null.
   * @template {Element} T
   * @param {string} id
   * @param {abstract new (...args: never[]) => T} kind
   * @returns {T}
   */
  function byId(id, kind) {
    var e = document.getElementById(id);
    if (!(e instanceof kind)) throw new Error('#' + id + ' is missing or not a ' + kind.name);
    return e;
  }
  /** @param {string} id */
  function $(id) {
    return byId(id, HTMLElement);
  }
  /** @param {string} id */
  function input(id) {
    return byId(id, HTMLInputElement);
  }
  /**
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag
   * @param {string | null} [cls]
   * @param {unknown} [text]
   * @returns {HTMLElementTagNameMap[K]}
   */
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  /**
   * @param {string} tag
   * @param {Record<string, string>} [attrs]
   * @param {unknown} [text]
   * @returns {SVGElement}
   */
  function svg(tag, attrs, text) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    var a = attrs || {};
    Object.keys(a).forEach(function (k) {
      e.setAttribute(k, String(a[k]));
    });
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  /** @param {string} token */
  function storeToken(token) {
    try {
      window.sessionStorage.setItem(KEY, token);
    } catch (e) {
      /* storage blocked: the page keeps it in memory */
    }
  }

  /** @type {PickleKit} */
  var kit = {
    byId: byId,
    $: $,
    input: input,
    el: el,
    svg: svg,
    /** `?token=` (remembered for the session), else the one remembered, else ''. */
    initialToken: function () {
      var params = new URLSearchParams(window.location.search);
      var token = params.get('token') || '';
      if (token) {
        storeToken(token);
        // Out of the address bar and the history (screenshots, shoulder surfing, synced history);
        // the tab keeps it in sessionStorage, and a reload is let in by the page cookie.
        params.delete('token');
        var rest = params.toString();
        try {
          window.history.replaceState(null, '', window.location.pathname + (rest ? '?' + rest : '') + window.location.hash);
        } catch (e) {
          /* history blocked: the address keeps it */
        }
      }
      else {
        try {
          token = window.sessionStorage.getItem(KEY) || '';
        } catch (e) {
          /* storage blocked */
        }
      }
      return token;
    },
    /**
     * The #token-box form: `show()` when Pickle says unauthorized; `onToken` gets what was typed.
     * @param {(token: string) => void} onToken
     */
    tokenBox: function (onToken) {
      var box = $('token-box');
      box.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var token = input('token-input').value.trim();
        storeToken(token);
        box.hidden = true;
        onToken(token);
      });
      return {
        show: function () {
          box.hidden = false;
        },
      };
    },
  };

  window.PickleKit = kit;
})();
