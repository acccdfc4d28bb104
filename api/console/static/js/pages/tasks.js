// 工作台: the worklist, worst tier first, with 开始处理 and 办结.
import { api, qs } from '../api.js';
import { h, clear, fmtTime, label, labels, tierBadge, pill, pager, field, select, flash, modal, busy, formValues } from '../dom.js';
import { areaSelect, areaPath } from '../areas.js';

// The filters survive a visit to a residence and back.
const state = { status: '', type: '', area_id: '', page: 1 };

export async function render(page, { user }) {
  const results = h('div', { class: 'results', id: 'task-list' });
  const form = h('form', { class: 'filters', id: 'task-filters' },
    // No status is the server's default: open and in progress together.
    field('状态', select('status', [['', '未办结'], ...Object.entries(labels.taskStatus)], state.status)),
    field('类型', select('type', [['', '全部类型'], ...Object.entries(labels.taskType)], state.type)),
    field('辖区', areaSelect(user, { value: state.area_id })),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', text: '查询' })));
  const apply = (ev) => {
    ev.preventDefault();
    Object.assign(state, formValues(form), { page: 1 });
    load();
  };
  form.addEventListener('submit', apply);
  form.addEventListener('change', apply);

  async function load() {
    clear(results, h('p', { class: 'loading', text: '正在加载…' }));
    try {
      const data = await api('GET', `/console/tasks${qs({ ...state, page_size: 20 })}`);
      const items = data.items || [];
      clear(results,
        items.length ? h('div', { class: 'cards' }, items.map((t) => card(t))) : h('p', { class: 'empty', text: '没有符合条件的任务。' }),
        pager(data, (p) => { state.page = p; load(); }));
    } catch (err) {
      clear(results, h('p', { class: 'empty', text: '任务列表加载失败。' }));
      if (err.status !== 401) flash(err.message);
    }
  }

  page.append(
    h('div', { class: 'page-head' }, h('h1', { text: '工作台' }),
      h('p', { class: 'muted', text: '待走访的任务按风险等级排序，红色优先。' })),
    form, results);
  await load();
}

function row(name, value) {
  return h('div', { class: 'kv' }, h('dt', { text: name }), h('dd', null, value));
}

function card(t) {
  const actions = h('div', { class: 'actions' });
  const el = h('article', { class: `card task edge-${t.tier || 'none'}`, dataset: { id: String(t.id), status: t.status || '' } },
    h('header', { class: 'card-head' },
      tierBadge(t.tier),
      h('strong', { class: 'task-type', text: label('taskType', t.type) }),
      pill('status', t.status, 'taskStatus'),
      h('span', { class: 'muted small id', text: `#${t.id}` })),
    h('dl', { class: 'kvs' },
      row('社区', areaPath(t.area_id)),
      t.residence_id ? row('居住人员', h('a', { href: `#/residences/${t.residence_id}`, text: t.name ? `${t.name}（查看详情）` : `登记 #${t.residence_id}（查看详情）` })) : null,
      t.address ? row('地址', `${t.address}${t.room_no ? ` ${t.room_no}` : ''}`) : null,
      t.unit_id && !t.address ? row('房间', `#${t.unit_id}`) : null,
      t.detail ? row('说明', t.detail) : null,
      row('发起时间', fmtTime(t.opened_at)),
      t.status === 'closed' ? row('办结时间', fmtTime(t.closed_at)) : null,
      t.outcome ? row('处理结果', label('outcome', t.outcome)) : null,
      t.note ? row('备注', t.note) : null),
    actions);

  const replace = (updated) => {
    const next = card({ ...t, ...updated });
    el.replaceWith(next);
    return next;
  };
  if (t.status === 'open') {
    actions.append(h('button', {
      type: 'button', class: 'btn btn-primary btn-start', text: '开始处理',
      onclick: (ev) => busy(ev.currentTarget, async () => {
        const updated = await api('POST', `/console/tasks/${t.id}/start`);
        replace(updated);
        flash(`任务 #${t.id} 已开始处理`, 'ok');
      }),
    }));
  }
  if (t.status === 'open' || t.status === 'in_progress') {
    actions.append(h('button', {
      type: 'button', class: 'btn btn-success btn-close', text: '办结',
      onclick: () => closeTask(t, replace),
    }));
  }
  return el;
}

function closeTask(t, replace) {
  const outcomes = Object.entries(labels.outcome).map(([v, text]) => h('label', { class: 'choice' },
    h('input', { type: 'radio', name: 'outcome', value: v, required: true }), h('span', { text })));
  // 已更正: the details corrected on the spot are saved with the closing.
  const corrections = t.residence_id ? h('div', { class: 'corrections', hidden: true },
    h('p', { class: 'muted small', text: '填写现场核实后的新信息（不变的留空）：' }),
    field('新手机号', h('input', { name: 'phone', type: 'tel', inputmode: 'numeric', maxlength: 11, placeholder: '11位手机号' })),
    field('新工作单位', h('input', { name: 'workplace', maxlength: 100 }))) : null;
  const choices = h('fieldset', { class: 'choices' }, h('legend', { text: '处理结果' }), outcomes);
  if (corrections) {
    choices.addEventListener('change', (ev) => { corrections.hidden = ev.target.value !== 'corrected'; });
  }
  const body = h('div', { class: 'close-body' },
    h('p', { class: 'muted', text: `${label('taskType', t.type)} · 任务 #${t.id}` }),
    choices, corrections,
    h('label', { class: 'field' }, h('span', { class: 'field-label', text: '备注' }),
      h('textarea', { name: 'note', rows: 3, maxlength: 500, placeholder: '走访情况（选填，最多500字）' })));
  return modal('办结任务', body, {
    submitText: '确认办结',
    onSubmit: async (form) => {
      const v = formValues(form);
      if (!v.outcome) throw new Error('请选择处理结果');
      const req = { outcome: v.outcome, note: v.note || '' };
      if (v.outcome === 'corrected' && (v.phone || v.workplace)) {
        req.corrections = {};
        if (v.phone) req.corrections.phone = v.phone;
        if (v.workplace) req.corrections.workplace = v.workplace;
      }
      const updated = await api('POST', `/console/tasks/${t.id}/close`, req);
      replace(updated);
      flash(`任务 #${t.id} 已办结：${label('outcome', v.outcome)}`, 'ok');
    },
  });
}
