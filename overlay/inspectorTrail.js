// The inspector's trail: the state paths each actor went through (the last 40 per actor), shown
// for the selected one as "idle → replying.thinking → …", and the leaf path a tab shows.
(function () {
  'use strict';

  var kit = window.PickleKit;

  /** @type {Record<string, string[]>} actor session → the state paths it went through */
  var trails = {};

  /**
   * `brain.replying.thinking` → `replying.thinking` (the path inside its machine).
   * @param {{ active?: string[], status?: string } | null} a
   */
  function leafPath(a) {
    if (!a || !Array.isArray(a.active) || a.active.length === 0) return a && a.status && a.status !== 'active' ? a.status : '';
    var active = a.active;
    var root = active[0] || '';
    var leaves = active.filter(function (id) {
      return !active.some(function (other) {
        return other !== id && other.indexOf(id + '.') === 0;
      });
    });
    if (leaves.length === 1 && leaves[0] === root) return a.status || 'active';
    return leaves
      .map(function (id) {
        return id.indexOf(root + '.') === 0 ? id.slice(root.length + 1) : id;
      })
      .join(' | ');
  }

  window.PickleInspectorTrail = {
    leafPath: leafPath,
    push: function (a) {
      var path = leafPath(a);
      if (!path) return;
      var t = trails[a.session] || (trails[a.session] = []);
      if (t[t.length - 1] === path) return;
      t.push(path);
      if (t.length > 40) t.shift();
    },
    render: function (a) {
      var box = kit.$('trail');
      box.replaceChildren();
      var t = a ? trails[a.session] || [] : [];
      var shown = t.slice(-12);
      shown.forEach(function (p, i) {
        if (i) box.append(kit.el('span', 'sep', '→'));
        box.append(kit.el('span', i === shown.length - 1 ? 'now' : '', p));
      });
      box.dataset.trail = t.join(' > ');
    },
  };
})();
