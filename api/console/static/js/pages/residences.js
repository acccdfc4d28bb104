// 居住人员: search (masked), detail with check-ins, notifications and tasks,
// and the audited full ID number for police and admin.
import { api, qs } from '../api.js';
import { h, mono, clear, fmtTime, dash, label, labels, tierBadge, pill, pager, field, select, flash, busy, formValues, table } from '../dom.js';
import { areaSelect, areaPath } from '../areas.js';

const state = { q: '', status: 'active', tier: '', area_id: '', page: 1 };

export async function list(page, { user }) {
  const results = h('div', { class: 'results', id: 'residence-list' });
  const form = h('form', { class: 'filters', id: 'residence-filters' },
    field('搜索', h('input', { name: 'q', type: 'search', value: state.q, placeholder: '姓名、身份证号、手机号或尾号、地址', maxlength: 50 })),
    field('状态', select('status', [['', '全部'], ...Object.entries(labels.residenceStatus)], state.status)),
    field('风险等级', select('tier', [['', '全部等级'], ...Object.entries(labels.tier)], state.tier)),
    field('辖区', areaSelect(user, { value: state.area_id })),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', text: '搜索' })));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    Object.assign(state, formValues(form), { page: 1 });
    load();
  });
  form.addEventListener('change', (ev) => {
    if (ev.target.name !== 'q') form.requestSubmit();
  });

  const cols = [
    { title: '姓名', cell: (r) => h('a', { href: `#/residences/${r.id}`, text: dash(r.name) }) },
    { title: '身份证号', cell: (r) => mono(r.id_number_masked) },
    { title: '手机', cell: (r) => mono(r.phone_masked) },
    { title: '住址', cell: (r) => `${dash(r.address)} ${r.room_no || ''}`.trim() },
    { title: '社区', cell: (r) => (r.area_id ? areaPath(r.area_id) : '') },
    { title: '状态', cell: (r) => pill('res', r.status, 'residenceStatus') },
    { title: '风险', cell: (r) => (r.status === 'active' ? tierBadge(r.tier) : '—') },
    { title: '下次签到', class: 'time', cell: (r) => (r.status === 'active' ? fmtTime(r.next_checkin_due) : '—') },
  ];

  async function load() {
    clear(results, h('p', { class: 'loading', text: '正在加载…' }));
    try {
      const data = await api('GET', `/console/residences${qs({ ...state, page_size: 20 })}`);
      clear(results, table(cols, data.items, { empty: '没有找到居住人员。' }), pager(data, (p) => { state.page = p; load(); }));
    } catch (err) {
      clear(results, h('p', { class: 'empty', text: '居住人员加载失败。' }));
      if (err.status !== 401) flash(err.message);
    }
  }

  page.append(h('div', { class: 'page-head' }, h('h1', { text: '居住人员' }),
    h('p', { class: 'muted', text: '列表中的身份证号和手机号均已脱敏。' })), form, results);
  await load();
}

function kv(name, value) {
  return h('div', { class: 'kv' }, h('dt', { text: name }), h('dd', null, value === null || value === undefined || value === '' ? '—' : value));
}

export async function detail(page, { user, params }) {
  page.append(h('p', null, h('a', { href: '#/residences', class: 'back', text: '← 返回居住人员列表' })));
  const r = await api('GET', `/console/residences/${encodeURIComponent(params.id)}`);
  const idCell = h('span', { class: 'mono', id: 'id-number', text: dash(r.id_number_masked) });
  const canReveal = user.role === 'police' || user.role === 'admin';
  const reveal = canReveal ? h('div', { class: 'reveal' },
    h('button', {
      type: 'button', class: 'btn btn-warn', id: 'reveal-id', text: '查看完整身份证号',
      onclick: (ev) => {
        const btn = ev.currentTarget;
        busy(btn, async () => {
          const data = await api('GET', `/console/residences/${r.id}/id-number`);
          idCell.textContent = data.id_number;
          idCell.classList.add('revealed');
          btn.hidden = true;
          flash('已显示完整身份证号。本次查看已记入审计日志。', 'ok');
        });
      },
    }),
    h('small', { class: 'hint', text: '查看完整身份证号会记录您的账号、时间和IP，仅限工作需要时使用。' })) : null;

  page.append(
    h('div', { class: 'page-head' },
      h('h1', null, dash(r.name), ' ', pill('res', r.status, 'residenceStatus'), ' ', r.status === 'active' ? tierBadge(r.tier) : null)),
    h('section', { class: 'card' },
      h('dl', { class: 'kvs two' },
        kv('身份证号', idCell),
        kv('手机', mono(r.phone_masked)),
        kv('住址', `${dash(r.address)} ${r.room_no || ''}`.trim()),
        kv('社区', r.area_id ? areaPath(r.area_id) : null),
        kv('户籍地', r.hometown),
        kv('工作单位', r.workplace),
        kv('与户主关系', r.relation),
        r.reason ? kv('来本地事由', r.reason) : null,
        r.housing_type ? kv('住所类型', r.housing_type) : null,
        kv('申报方式', r.source ? label('source', r.source) : null),
        kv('入住日期', r.move_in_date),
        kv('申报时间', h('span', null, fmtTime(r.declared_at), r.late ? h('span', { class: 'pill pill-late', text: '逾期申报' }) : null)),
        kv('上次签到', fmtTime(r.last_checkin_at)),
        kv('下次签到', r.status === 'active' ? fmtTime(r.next_checkin_due) : '—'),
        r.status === 'ended' ? kv('注销', `${label('endReason', r.end_reason)} · ${fmtTime(r.ended_at)}`) : null),
      reveal),
    section('签到记录', table([
      { title: '签到时间', class: 'time', cell: (c) => fmtTime(c.at || c.checked_in_at) },
      { title: '应签日期', class: 'time', cell: (c) => fmtTime(c.due_at) },
      { title: '是否按时', cell: (c) => (c.on_time === undefined ? '—' : h('span', { class: c.on_time ? 'ok' : 'bad', text: c.on_time ? '按时' : '逾期' })) },
      { title: '方式', cell: (c) => (c.source === 'worker' ? '综管员确认' : c.source === 'scan' ? '扫码签到' : dash(c.source)) },
    ], r.checkins, { empty: '暂无签到记录。' })),
    section('通知记录', [notificationTable(r.notifications),
      h('p', { class: 'small' }, h('a', { href: `#/notifications?residence_id=${r.id}`, text: '在通知记录中查看全部 →' }))]),
    section('相关任务', table([
      { title: '任务', cell: (t) => `#${t.id} ${label('taskType', t.type)}` },
      { title: '状态', cell: (t) => pill('status', t.status, 'taskStatus') },
      { title: '发起时间', class: 'time', cell: (t) => fmtTime(t.opened_at) },
      { title: '办结', cell: (t) => (t.closed_at ? `${fmtTime(t.closed_at)} ${label('outcome', t.outcome)}` : '—') },
      { title: '备注', cell: (t) => dash(t.note) },
    ], r.tasks, { empty: '暂无相关任务。' })));
}

function section(title, body) {
  return h('section', { class: 'card' }, h('h2', { text: title }), body);
}

// notificationTable lists outbox entries; withResidence adds the residence
// and the masked phone, for the page that lists every residence's.
export function notificationTable(rows, { withResidence = false } = {}) {
  return table([
    { title: '创建时间', class: 'time', cell: (n) => fmtTime(n.created_at) },
    withResidence ? { title: '居住登记', cell: (n) => (n.residence_id ? h('a', { href: `#/residences/${n.residence_id}`, text: `#${n.residence_id}` }) : '—') } : null,
    { title: '内容', cell: (n) => h('span', { title: n.template || '', text: label('template', n.template) }) },
    { title: '渠道', cell: (n) => label('channel', n.channel) },
    withResidence ? { title: '手机', cell: (n) => mono(n.phone_masked) } : null,
    { title: '状态', cell: (n) => pill('notify', n.status, 'notifyStatus') },
    { title: '尝试次数', cell: (n) => dash(n.attempts) },
    { title: '发送时间', class: 'time', cell: (n) => fmtTime(n.sent_at) },
    { title: '最近错误', cell: (n) => dash(n.last_error) },
  ].filter(Boolean), rows, { empty: '暂无通知记录。', rowAttrs: (n) => ({ dataset: { id: String(n.id), status: n.status || '' } }) });
}
