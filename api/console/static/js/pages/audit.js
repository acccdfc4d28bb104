// 审计 (admin): who read or changed personal data, when and from where.
import { api, qs } from '../api.js';
import { h, mono, clear, fmtTime, dash, label, pager, field, flash, formValues, table } from '../dom.js';

const state = { actor: '', action: '', page: 1 };

const cols = [
  { title: '时间', class: 'time', cell: (a) => fmtTime(a.at || a.created_at) },
  { title: '操作人', cell: (a) => `${dash(a.actor_name || a.actor)}${a.actor_kind === 'user' ? '（小程序用户）' : ''}` },
  { title: '操作', cell: (a) => h('span', { title: a.action, text: label('auditAction', a.action) }) },
  { title: '对象', cell: (a) => object(a) },
  { title: 'IP', cell: (a) => mono(a.ip) },
  { title: '说明', cell: (a) => dash(a.detail) },
];

const objectTypes = { residence: '居住登记', house: '房屋', unit: '房间', task: '任务', account: '账号', permit: '居住证申请' };

function object(a) {
  if (!a.object_type) return '—';
  const text = `${objectTypes[a.object_type] || a.object_type} #${a.object_id}`;
  return a.object_type === 'residence' && a.object_id ? h('a', { href: `#/residences/${a.object_id}`, text }) : text;
}

export async function render(page) {
  const results = h('div', { class: 'results', id: 'audit-list' });
  const form = h('form', { class: 'filters', id: 'audit-filters' },
    field('操作人', h('input', { name: 'actor', value: state.actor, placeholder: '用户名', autocapitalize: 'off' })),
    field('操作', h('input', { name: 'action', value: state.action, placeholder: '可从列表选择', autocapitalize: 'off', list: 'audit-actions' })),
    h('datalist', { id: 'audit-actions' }, ['residence.read_id_number', 'residence.declare', 'residence.update', 'residence.leave', 'residence.deregister',
      'task.close', 'task.report_unregistered', 'account.create']
      .map((v) => h('option', { value: v, text: label('auditAction', v) }))),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', text: '查询' })));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    Object.assign(state, formValues(form), { page: 1 });
    load();
  });

  async function load() {
    clear(results, h('p', { class: 'loading', text: '正在加载…' }));
    try {
      const data = await api('GET', `/console/audit${qs({ ...state, page_size: 20 })}`);
      clear(results, table(cols, data.items, { empty: '没有审计记录。' }), pager(data, (p) => { state.page = p; load(); }));
    } catch (err) {
      clear(results, h('p', { class: 'empty', text: '审计记录加载失败。' }));
      if (err.status !== 401) flash(err.message);
    }
  }

  page.append(h('div', { class: 'page-head' }, h('h1', { text: '审计日志' }),
    h('p', { class: 'muted', text: '记录查看完整身份证号、申报、注销等涉及个人信息的操作，最新的在前。' })), form, results);
  await load();
}
