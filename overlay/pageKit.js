// Shared by the control panel and the inspector: DOM helpers that only ever write text (server
// data is untrusted: textContent and SVG text nodes, never innerHTML), and the access token that
// writes need when Pickle listens beyond this PC (HOST not loopback), kept for the tab's session.
(function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var KEY = 'pickle-token';

  function $(id) {
    return document.getElementById(id);
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) {
      e.setAttribute(k, attrs[k]);
    });
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function storeToken(token) {
    try {
      window.sessionStorage.setItem(KEY, token);
    } catch (e) {
      /* storage blocked: the page keeps it in memory */
    }
  }

  window.PickleKit = {
    $: $,
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
    /** The #token-box form: `show()` when Pickle says unauthorized; `onToken` gets what was typed. */
    tokenBox: function (onToken) {
      var box = $('token-box');
      box.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var token = $('token-input').value.trim();
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
})();
