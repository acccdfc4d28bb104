// 登录: POST /api/v1/console/login; the token lives in sessionStorage.
import { api } from '../api.js';
import { h } from '../dom.js';

export function render(page, { onLogin }) {
  const error = h('p', { class: 'form-error', id: 'login-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'login-submit', text: '登录' });
  const form = h('form', { class: 'login-card', id: 'login-form', autocomplete: 'on' },
    h('div', { class: 'login-head' },
      h('span', { class: 'brand-mark big', text: '流' }),
      h('h1', { text: '流管通' }),
      h('p', { class: 'muted', text: '流动人口居住登记 · 民警与综管员管理台' })),
    h('label', { class: 'field' }, h('span', { class: 'field-label', text: '用户名' }),
      h('input', { name: 'username', id: 'login-username', autocomplete: 'username', required: true, autocapitalize: 'off', spellcheck: 'false' })),
    h('label', { class: 'field' }, h('span', { class: 'field-label', text: '密码' }),
      h('input', { name: 'password', id: 'login-password', type: 'password', autocomplete: 'current-password', required: true })),
    error, submit,
    h('p', { class: 'muted small', text: '连续输错密码将临时锁定账号。查看和导出个人信息的操作均会留痕。' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    submit.textContent = '正在登录…';
    try {
      const data = await api('POST', '/console/login', {
        username: form.username.value.trim(), password: form.password.value,
      }, { auth: false });
      onLogin(data);
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      form.password.select();
    } finally {
      submit.disabled = false;
      submit.textContent = '登录';
    }
  });
  page.append(form);
  form.username.focus();
}
