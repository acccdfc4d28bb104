// The area tree from the public GET /api/v1/areas, and the pickers built on it.
import { api } from './api.js';
import { h, label } from './dom.js';

let loading = null;
const byId = new Map();
let roots = [];

// loadAreas fetches the tree once per page load.
export function loadAreas() {
  if (!loading) {
    loading = api('GET', '/areas', null, { auth: false }).then((tree) => {
      roots = Array.isArray(tree) ? tree : [];
      byId.clear();
      const walk = (node, parent, depth) => {
        byId.set(String(node.id), { node, parent, depth });
        for (const c of node.children || []) walk(c, node, depth + 1);
      };
      roots.forEach((r) => walk(r, null, 0));
      return roots;
    }).catch((err) => {
      loading = null;
      throw err;
    });
  }
  return loading;
}

// areaName is the area's name, or its id while the tree is unknown.
export function areaName(id) {
  if (id === null || id === undefined || id === '' || id === 0) return '—';
  const a = byId.get(String(id));
  return a ? a.node.name : `区域 ${id}`;
}

// areaPath is "街道 / 社区" for a community, for context in lists.
export function areaPath(id) {
  const a = byId.get(String(id));
  if (!a) return areaName(id);
  return a.parent && a.parent.level !== 'city' ? `${a.parent.name} / ${a.node.name}` : a.node.name;
}

// scopeRoots is what a user may pick from: their own area's subtree, or
// everything for an admin (or while the account's area is unknown).
function scopeRoots(user) {
  if (user && user.role !== 'admin' && user.area_id) {
    const a = byId.get(String(user.area_id));
    if (a) return [a.node];
  }
  return roots;
}

// areaSelect is a <select> of the user's areas, indented by level.
// allLabel adds an empty first option; communityOnly disables the upper
// levels (houses belong to a community).
export function areaSelect(user, { name = 'area_id', value = '', allLabel = '全部辖区', communityOnly = false, required = false } = {}) {
  const opts = [];
  if (allLabel !== null) opts.push(h('option', { value: '', text: allLabel }));
  const base = scopeRoots(user);
  const baseDepth = base.length ? byId.get(String(base[0].id)).depth : 0;
  const walk = (node) => {
    const depth = byId.get(String(node.id)).depth - baseDepth;
    const disabled = communityOnly && node.level !== 'community';
    opts.push(h('option', {
      value: String(node.id), disabled, selected: String(node.id) === String(value),
      text: `${'　'.repeat(depth)}${node.name}（${label('level', node.level)}）`,
    }));
    (node.children || []).forEach(walk);
  };
  base.forEach(walk);
  return h('select', { name, required }, opts);
}
