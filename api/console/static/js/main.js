// The console shell: hash routing, the navigation and the signed-in user.
import { api, session, saveSession, clearSession, setUnauthorizedHandler } from './api.js';
import { h, clear, flash, label, busy } from './dom.js';
import { loadAreas } from './areas.js';
import * as loginPage from './pages/login.js';
import * as tasks from './pages/tasks.js';
import * as residences from './pages/residences.js';
import * as houses from './pages/houses.js';
import * as stats from './pages/stats.js';
import * as notifications from './pages/notifications.js';
import * as audit from './pages/audit.js';
import * as accounts from './pages/accounts.js';

const routes = [
  { path: 'tasks', title: '工作台', page: tasks.render },
  { path: 'residences', title: '居住人员', page: residences.list },
  { path: 'residences/:id', title: '居住人员详情', nav: false, page: residences.detail, active: 'residences' },
  { path: 'houses', title: '房屋', page: houses.render },
  { path: 'stats', title: '统计', page: stats.render },
  { path: 'notifications', title: '通知记录', page: notifications.render },
  { path: 'audit', title: '审计', roles: ['admin'], page: audit.render },
  { path: 'accounts', title: '账号', roles: ['admin'], page: accounts.render },
];

const view = document.getElementById('view');
let pendingFlash = null;

function parse(hash) {
  const raw = (hash || '').replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  return { parts: path.split('/').filter(Boolean), query: new URLSearchParams(query) };
}

function match(parts) {
  for (const r of routes) {
    const want = r.path.split('/');
    if (want.length !== parts.length) continue;
    const params = {};
    if (want.every((w, i) => (w.startsWith(':') ? ((params[w.slice(1)] = decodeURIComponent(parts[i])), true) : w === parts[i]))) {
      return { route: r, params };
    }
  }
  return null;
}

function allowed(r, user) {
  return !r.roles || (user && r.roles.includes(user.role));
}

function renderShell(user, active) {
  const top = document.getElementById('topbar');
  const nav = document.getElementById('mainnav');
  top.hidden = !user;
  nav.hidden = !user;
  if (!user) return;
  clear(document.getElementById('whoami'),
    h('span', { class: 'who-name', text: user.username }),
    h('span', { class: `role role-${user.role}`, text: label('role', user.role) }),
    h('button', { type: 'button', class: 'btn btn-ghost', id: 'logout', text: '退出', onclick: (ev) => logout(ev.currentTarget) }));
  clear(nav, routes.filter((r) => r.nav !== false && allowed(r, user)).map((r) => h('a', {
    href: `#/${r.path}`, class: r.path === active ? 'active' : null, 'aria-current': r.path === active ? 'page' : null, text: r.title,
  })));
}

async function logout(btn) {
  await busy(btn, async () => {
    try {
      await api('POST', '/logout');
    } catch {
      // The token may already be gone; signing out locally is what matters.
    }
    clearSession();
    pendingFlash = { msg: '已退出登录', kind: 'ok' };
    go('#/login');
  });
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function onLogin(data) {
  saveSession({ token: data.token, expires_at: data.expires_at, user: data.user });
  go('#/tasks');
}

async function route() {
  const { parts, query } = parse(location.hash);
  const s = session();
  flash('');
  if (!s || !s.token) {
    if (parts[0] !== 'login') {
      location.replace('#/login'); // hashchange renders the login page
      return;
    }
    renderShell(null);
    document.title = '登录 · 流管通';
    const page = h('section', { class: 'page page-login' });
    clear(view, page);
    loginPage.render(page, { onLogin });
    showPending();
    return;
  }
  const found = match(parts);
  if (!found) {
    location.replace('#/tasks'); // hashchange renders it
    return;
  }
  const { route: r, params } = found;
  renderShell(s.user, r.active || r.path);
  document.title = `${r.title} · 流管通`;
  const page = h('section', { class: `page page-${r.path.split('/')[0]}` });
  clear(view, page);
  showPending();
  if (!allowed(r, s.user)) {
    clear(page, h('h1', { text: r.title }), h('p', { class: 'empty', text: '没有权限访问此页面。' }));
    return;
  }
  try {
    await loadAreas();
  } catch (err) {
    flash(`区域列表加载失败：${err.message}`);
  }
  try {
    await r.page(page, { user: s.user, params, query });
  } catch (err) {
    if (err.status !== 401) flash(err.message);
  }
}

function showPending() {
  if (pendingFlash) {
    flash(pendingFlash.msg, pendingFlash.kind);
    pendingFlash = null;
  }
}

setUnauthorizedHandler((msg) => {
  pendingFlash = { msg: `登录已失效：${msg}`, kind: 'error' };
  go('#/login');
});

window.addEventListener('hashchange', route);

// A stored session is checked once on load, so that a revoked token goes
// straight to the login page and a changed role takes effect.
(async () => {
  const s = session();
  if (s && s.token) {
    try {
      const me = await api('GET', '/console/me');
      saveSession({ ...s, user: { ...s.user, ...me } });
    } catch (err) {
      if (err.status === 401) return; // the handler has gone to the login page
    }
  }
  route();
})();
