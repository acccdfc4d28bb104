// 通知记录: every reminder in the outbox, with its attempts and errors.
import { api, qs } from '../api.js';
import { h, clear, labels, pager, field, select, flash, formValues } from '../dom.js';
import { notificationTable } from './residences.js';

const state = { residence_id: '', status: '', page: 1 };

export async function render(page, { query }) {
  if (query.has('residence_id')) state.residence_id = query.get('residence_id');
  const results = h('div', { class: 'results', id: 'notification-list' });
  const form = h('form', { class: 'filters', id: 'notification-filters' },
    field('居住登记编号', h('input', { name: 'residence_id', inputmode: 'numeric', pattern: '[0-9]*', value: state.residence_id, placeholder: '全部' })),
    field('状态', select('status', [['', '全部状态'], ...Object.entries(labels.notifyStatus)], state.status)),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', text: '查询' })));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    Object.assign(state, formValues(form), { page: 1 });
    load();
  });
  form.addEventListener('change', (ev) => { if (ev.target.name === 'status') form.requestSubmit(); });

  async function load() {
    clear(results, h('p', { class: 'loading', text: '正在加载…' }));
    try {
      const data = await api('GET', `/console/notifications${qs({ ...state, page_size: 20 })}`);
      clear(results, notificationTable(data.items, { withResidence: true }), pager(data, (p) => { state.page = p; load(); }));
    } catch (err) {
      clear(results, h('p', { class: 'empty', text: '通知记录加载失败。' }));
      if (err.status !== 401) flash(err.message);
    }
  }

  page.append(h('div', { class: 'page-head' }, h('h1', { text: '通知记录' }),
    h('p', { class: 'muted', text: '签到提醒优先发送微信订阅消息，用户未订阅时改发短信。' })), form, results);
  await load();
}
