// 账号 (admin): create console accounts for workers, police and admins.
import { api } from '../api.js';
import { h, clear, labels, field, select, flash, busy, formValues } from '../dom.js';
import { areaSelect, areaPath } from '../areas.js';

export async function render(page, { user }) {
  const done = h('div', { id: 'account-created', 'aria-live': 'polite' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'grid-form card', id: 'account-form', autocomplete: 'off' },
    field('用户名', h('input', { name: 'username', required: true, maxlength: 64, autocapitalize: 'off', autocomplete: 'off' })),
    field('初始密码', h('input', { name: 'password', type: 'password', required: true, minlength: 8, maxlength: 72, autocomplete: 'new-password' }), '8到72个字符，请当面告知本人'),
    field('角色', select('role', Object.entries(labels.role), 'worker'),
      '综管员管理一个社区；民警管理一个或多个街道；管理员全市'),
    field('所属区域', areaSelect(user, { allLabel: '请选择区域', required: true })),
    error,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', text: '创建账号' })));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    error.hidden = true;
    busy(form.querySelector('button[type=submit]'), async () => {
      const v = formValues(form);
      try {
        const a = await api('POST', '/console/accounts', {
          username: v.username, password: form.password.value, role: v.role, area_id: Number(v.area_id),
        });
        form.reset();
        flash(`账号 ${a.username || v.username} 已创建`, 'ok');
        clear(done, h('section', { class: 'card' }, h('h2', { text: '新账号' }),
          h('dl', { class: 'kvs' },
            h('div', { class: 'kv' }, h('dt', { text: '用户名' }), h('dd', { text: a.username || v.username })),
            h('div', { class: 'kv' }, h('dt', { text: '角色' }), h('dd', { text: labels.role[a.role || v.role] })),
            h('div', { class: 'kv' }, h('dt', { text: '区域' }), h('dd', { text: areaPath(a.area_id || v.area_id) })))));
      } catch (err) {
        if (err.status === 401) throw err;
        error.textContent = err.message;
        error.hidden = false;
      }
    });
  });
  page.append(h('div', { class: 'page-head' }, h('h1', { text: '账号' }),
    h('p', { class: 'muted', text: '为综管员、民警和管理员开通管理台账号。' })), form, done);
}
