// 房屋: houses in the caller's areas, approval, creation for a landlord,
// units, and door plates as PDF.
import { api, blob, qs } from '../api.js';
import { h, mono, clear, fmtTime, dash, labels, pill, pager, field, select, flash, modal, busy, formValues, table } from '../dom.js';
import { areaSelect, areaPath, areaName } from '../areas.js';

const state = { status: '', area_id: '', page: 1 };
let lastPDF = null;

export async function render(page, { user }) {
  const canCreate = user.role === 'police' || user.role === 'admin';
  const results = h('div', { class: 'results', id: 'house-list' });
  const plateOut = h('div', { class: 'plate-output', id: 'plate-output', 'aria-live': 'polite' });

  const filters = h('form', { class: 'filters', id: 'house-filters' },
    field('状态', select('status', [['', '全部状态'], ...Object.entries(labels.houseStatus)], state.status)),
    field('辖区', areaSelect(user, { value: state.area_id })),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', text: '查询' })));
  const apply = (ev) => {
    ev.preventDefault();
    Object.assign(state, formValues(filters), { page: 1 });
    load();
  };
  filters.addEventListener('submit', apply);
  filters.addEventListener('change', apply);

  const cols = [
    { title: '编号', cell: (x) => `#${x.id}` },
    { title: '地址', cell: (x) => h('div', null, h('div', { text: dash(x.address) }), units(x.units)) },
    { title: '社区', cell: (x) => areaPath(x.area_id) },
    { title: '房东', cell: (x) => dash(x.landlord_name) },
    { title: '房东手机', cell: (x) => mono(x.landlord_phone_masked) },
    { title: '状态', cell: (x) => pill('house', x.status, 'houseStatus') },
    { title: '登记时间', class: 'time', cell: (x) => fmtTime(x.created_at) },
    { title: '操作', class: 'ops', cell: (x) => h('div', { class: 'actions' },
      x.status === 'pending' ? h('button', {
        type: 'button', class: 'btn btn-primary btn-approve', text: '审核通过',
        onclick: (ev) => busy(ev.currentTarget, async () => {
          await api('POST', `/console/houses/${x.id}/approve`);
          flash(`房屋「${x.address}」已审核通过`, 'ok');
          await load();
        }),
      }) : null,
      h('button', { type: 'button', class: 'btn btn-light btn-unit', text: '添加房间', onclick: () => addUnit(x, load) }),
      // Plates are printed once the house is approved: a tenant cannot
      // declare at a pending one.
      x.status === 'approved' ? h('button', {
        type: 'button', class: 'btn btn-light btn-plates', text: '打印门牌',
        onclick: (ev) => busy(ev.currentTarget, () => plates({ house_id: x.id }, `门牌-房屋${x.id}.pdf`, plateOut)),
      }) : null) },
  ];

  async function load() {
    clear(results, h('p', { class: 'loading', text: '正在加载…' }));
    try {
      const data = await api('GET', `/console/houses${qs({ ...state, page_size: 20 })}`);
      clear(results, table(cols, data.items, { empty: '没有符合条件的房屋。', rowAttrs: (x) => ({ dataset: { id: String(x.id), status: x.status } }) }),
        pager(data, (p) => { state.page = p; load(); }));
    } catch (err) {
      clear(results, h('p', { class: 'empty', text: '房屋列表加载失败。' }));
      if (err.status !== 401) flash(err.message);
    }
  }

  const areaPlates = h('form', { class: 'inline-form', id: 'area-plates' },
    field('按辖区批量打印门牌', areaSelect(user, { allLabel: null })),
    h('button', { type: 'submit', class: 'btn btn-light', text: '打印本辖区门牌' }));
  areaPlates.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const areaID = areaPlates.area_id.value;
    busy(ev.submitter || areaPlates.querySelector('button'), () => plates({ area_id: areaID }, `门牌-${areaName(areaID)}.pdf`, plateOut));
  });

  page.append(
    h('div', { class: 'page-head' }, h('h1', { text: '房屋' }),
      h('p', { class: 'muted', text: '房东在小程序登记的房屋需现场核实后审核通过，租客才能扫码申报。' })),
    canCreate ? createForm(user, load) : null,
    h('section', { class: 'card' }, areaPlates, plateOut),
    filters, results);
  await load();
}

function units(list) {
  if (!Array.isArray(list) || list.length === 0) return null;
  return h('div', { class: 'units muted small' }, `房间：${list.map((u) => `${u.room_no}（${u.capacity}人）`).join('、')}`);
}

function createForm(user, reload) {
  const form = h('form', { class: 'grid-form', id: 'house-create' },
    field('地址', h('input', { name: 'address', required: true, minlength: 5, maxlength: 200, placeholder: '如 舜水路18号3幢' })),
    field('所属社区', areaSelect(user, { allLabel: '请选择社区', communityOnly: true, required: true })),
    field('房东姓名', h('input', { name: 'landlord_name', required: true, maxlength: 32 })),
    field('房东手机', h('input', { name: 'landlord_phone', type: 'tel', required: true, inputmode: 'numeric', maxlength: 11, placeholder: '11位手机号' }),
      '房东用此手机号登录小程序后即可管理该房屋'),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', text: '登记并审核通过' })));
  const error = form.querySelector('.form-error');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    error.hidden = true;
    busy(form.querySelector('button[type=submit]'), async () => {
      const v = formValues(form);
      try {
        const created = await api('POST', '/console/houses', {
          address: v.address, area_id: Number(v.area_id), landlord_name: v.landlord_name, landlord_phone: v.landlord_phone,
        });
        form.reset();
        flash(`已为房东登记房屋「${created.address}」（编号 #${created.id}，已审核通过）`, 'ok');
        await reload();
      } catch (err) {
        if (err.status === 401) throw err;
        error.textContent = err.message;
        error.hidden = false;
      }
    });
  });
  return h('details', { class: 'card collapsible', id: 'house-create-box' },
    h('summary', { text: '代房东登记房屋' }), form);
}

function addUnit(house, reload) {
  const body = h('div', null,
    h('p', { class: 'muted', text: house.address }),
    field('房号', h('input', { name: 'room_no', required: true, maxlength: 32, placeholder: '如 301' })),
    field('可住人数', h('input', { name: 'capacity', type: 'number', required: true, min: 1, max: 50, value: '2', inputmode: 'numeric' })));
  return modal('添加房间', body, {
    submitText: '添加',
    onSubmit: async (form) => {
      const v = formValues(form);
      const unit = await api('POST', `/console/houses/${house.id}/units`, { room_no: v.room_no, capacity: Number(v.capacity) });
      flash(`已添加房间 ${unit.room_no}（可住 ${unit.capacity} 人），可打印门牌`, 'ok');
      await reload();
    },
  });
}

// plates fetches the PDF with the token (a plain link would carry none),
// then offers it as a download and a link.
async function plates(params, filename, out) {
  clear(out, h('span', { class: 'muted', text: '正在生成门牌 PDF…' }));
  try {
    const { blob: pdf, type } = await blob(`/console/plates.pdf${qs(params)}`, 'application/pdf');
    if (lastPDF) URL.revokeObjectURL(lastPDF);
    lastPDF = URL.createObjectURL(pdf);
    const link = h('a', {
      href: lastPDF, download: filename, class: 'pdf-link', dataset: { type, size: String(pdf.size) },
      text: `${filename}（${Math.max(1, Math.round(pdf.size / 1024))} KB）`,
    });
    clear(out, h('span', { text: '门牌已生成：' }), link,
      h('a', { href: lastPDF, target: '_blank', rel: 'noopener', class: 'btn btn-light btn-sm', text: '在新窗口打开' }));
    link.click();
  } catch (err) {
    clear(out);
    if (err.reason === 'not_found' && params.area_id) err.message = `${err.message}：该辖区还没有已审核房屋的房间，暂无门牌可打印`;
    throw err;
  }
}
