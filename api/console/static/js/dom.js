// DOM helpers. Data only ever reaches the page through textContent,
// attribute setters and text nodes: never innerHTML.

// h builds an element. attrs: class, text, on<Event> handlers, dataset (object),
// boolean properties (disabled, checked, selected, hidden, required), and any
// other attribute through setAttribute. Children may be strings, numbers,
// nodes, arrays, or null/undefined/false (skipped).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const props = new Set(['disabled', 'checked', 'selected', 'hidden', 'required', 'value', 'open', 'multiple', 'readOnly']);

function setAttrs(el, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (props.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// clear empties a node and appends the children.
export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const SVG = 'http://www.w3.org/2000/svg';

// s builds an SVG element; the same attribute rules as h, without props.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, String(v));
  }
  return append(el, children);
}

const pad = (n) => String(n).padStart(2, '0');

// fmtTime shows an RFC 3339 time as local YYYY-MM-DD HH:mm.
export function fmtTime(v) {
  if (!v) return '—';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// fmtDate is a local YYYY-MM-DD, for date inputs.
export function fmtDate(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// mono shows a code, number or masked value in a fixed-width font.
export function mono(v) {
  return v === null || v === undefined || v === '' ? '—' : h('span', { class: 'mono', text: String(v) });
}

export function dash(v) {
  return v === null || v === undefined || v === '' ? '—' : String(v);
}

export const labels = {
  taskType: {
    overdue_checkin: '逾期未签到', expired: '登记过期', info_changed: '信息变更',
    unregistered: '未登记人员', overcrowded: '超员居住', late_declaration: '逾期申报',
  },
  taskStatus: { open: '待处理', in_progress: '处理中', closed: '已办结' },
  outcome: { still_living: '仍在住', left: '已离开', corrected: '已更正', not_found: '查无此人' },
  tier: { red: '红色', yellow: '黄色', green: '绿色' },
  residenceStatus: { active: '在住', ended: '已注销' },
  endReason: { left: '已离开', moved: '已搬迁' },
  houseStatus: { pending: '待审核', approved: '已通过' },
  role: { worker: '综管员', police: '民警', admin: '管理员' },
  channel: { wechat: '微信订阅消息', sms: '短信' },
  notifyStatus: { pending: '待发送', sent: '已发送', failed: '发送失败' },
  source: { scan: '扫码自主申报', worker: '综管员采集' },
  template: {
    checkin_reminder: '签到提醒', tenant_moved: '租客搬离通知', permit_status: '居住证办理进度',
    residence_ended: '登记注销通知',
  },
  level: { city: '市', town: '街道', community: '社区' },
  auditAction: {
    'residence.declare': '居住申报', 'residence.update': '修改信息', 'residence.leave': '本人申报离开',
    'residence.deregister': '房东注销', 'residence.read_id_number': '查看完整身份证号',
    'house.approve': '审核房屋', 'house.create': '代房东登记房屋', 'task.close': '办结任务',
    'task.start': '开始处理任务', 'task.report_unregistered': '上报未登记人员',
    'account.create': '新建账号', 'console.login': '登录管理台',
  },
};

// label looks a code up in a table, falling back to the code itself.
export function label(table, code) {
  if (code === null || code === undefined || code === '') return '—';
  return labels[table][code] || String(code);
}

export function tierBadge(tier) {
  if (!tier) return h('span', { class: 'badge', text: '未评级' });
  return h('span', { class: `badge tier tier-${tier}`, title: '风险等级', text: label('tier', tier) });
}

export function pill(kind, code, table) {
  return h('span', { class: `pill pill-${kind}-${code || 'none'}`, text: label(table, code) });
}

// table renders rows as a table that turns into stacked cards on a phone.
// cols: [{title, cell: row => node|string, class}]
export function table(cols, rows, { empty = '暂无记录', rowAttrs } = {}) {
  if (!rows || rows.length === 0) return h('p', { class: 'empty', text: empty });
  return h('table', { class: 'rt' },
    h('thead', null, h('tr', null, cols.map((c) => h('th', { text: c.title })))),
    h('tbody', null, rows.map((r) => h('tr', rowAttrs ? rowAttrs(r) : null,
      cols.map((c) => {
        const v = c.cell(r);
        return h('td', { 'data-label': c.title, class: c.class }, v === null || v === undefined || v === '' ? '—' : v);
      })))));
}

// pager shows "第 P / N 页" with previous and next buttons.
export function pager(data, go) {
  const page = data.page || 1;
  const size = data.page_size || 20;
  const total = data.total || 0;
  const pages = Math.max(1, Math.ceil(total / size));
  return h('div', { class: 'pager' },
    h('button', { type: 'button', class: 'btn btn-light', disabled: page <= 1, onclick: () => go(page - 1), text: '上一页' }),
    h('span', { class: 'pager-info', text: `第 ${page} / ${pages} 页，共 ${total} 条` }),
    h('button', { type: 'button', class: 'btn btn-light', disabled: page >= pages, onclick: () => go(page + 1), text: '下一页' }));
}

// field wraps a control with its label.
export function field(text, control, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label', text }), control, hint ? h('small', { class: 'hint', text: hint }) : null);
}

export function select(name, options, value) {
  return h('select', { name }, options.map(([v, t]) => h('option', { value: v, selected: String(v) === String(value ?? ''), text: t })));
}

// flash shows a message at the top of the page; kind is error or ok.
export function flash(msg, kind = 'error') {
  const box = document.getElementById('flash');
  if (!box) return;
  if (!msg) { box.hidden = true; box.replaceChildren(); return; }
  box.hidden = false;
  box.className = `flash flash-${kind}`;
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  clear(box, h('span', { text: msg }),
    h('button', { type: 'button', class: 'flash-close', 'aria-label': '关闭', text: '×', onclick: () => flash('') }));
  box.scrollIntoView({ block: 'nearest' });
}

// modal opens a dialog holding a form; onSubmit(form) may throw an error
// whose message is shown inside the dialog. It resolves when closed.
export function modal(title, body, { submitText = '确定', onSubmit } = {}) {
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: submitText });
  const form = h('form', { class: 'modal-form', method: 'dialog' },
    h('h2', { text: title }), body, error,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn btn-light', text: '取消', onclick: () => dlg.close() }), submit));
  const dlg = h('dialog', { class: 'modal' }, form);
  document.body.append(dlg);
  return new Promise((resolve) => {
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      error.hidden = true;
      submit.disabled = true;
      try {
        await onSubmit(form);
        dlg.close();
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
      } finally {
        submit.disabled = false;
      }
    });
    dlg.addEventListener('close', () => { dlg.remove(); resolve(); });
    dlg.showModal();
  });
}

// busy disables a button while fn runs and shows errors in the flash.
export async function busy(btn, fn) {
  btn.disabled = true;
  try {
    return await fn();
  } catch (err) {
    flash(err.message);
    return undefined;
  } finally {
    btn.disabled = false;
  }
}

// formValues reads a form's named controls, trimming text.
export function formValues(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) out[k] = typeof v === 'string' ? v.trim() : v;
  return out;
}
