// 统计: figures for an area, and a day-by-day chart drawn as inline SVG.
import { api, qs } from '../api.js';
import { h, s, clear, fmtDate, field, select, flash, formValues } from '../dom.js';
import { areaSelect } from '../areas.js';

const state = { area_id: '' };

// The series metrics that GET /console/stats/series knows.
export const metrics = [
  ['active_residents', '在住人数'],
  ['declarations', '申报数'],
  ['checkins', '签到数'],
  ['tasks_opened', '新增任务'],
  ['tasks_closed', '办结任务'],
];

const num = (v) => (v === null || v === undefined ? '—' : Number(v).toLocaleString('zh-CN'));

// pct shows a share, which the API gives as a fraction (a registration
// rate can pass 1).
const pct = (v) => {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return '—';
  const p = Number(v) * 100;
  return `${p > 0 && p < 1 ? p.toFixed(2) : p.toFixed(1)}%`;
};

const figures = [
  ['active_residents', '在住人数', num],
  ['declared_this_month', '本月申报', num],
  ['late_declarations', '本月逾期申报', num, 'warn'],
  ['self_declared_share', '扫码自主申报占比', pct],
  ['checkin_on_time_rate', '按时签到率', pct],
  ['overdue', '逾期未签到', num, 'warn'],
  ['tasks_open', '未办结任务', num, 'warn'],
  ['tasks_closed', '已办结任务', num],
  ['median_close_hours', '办结用时中位数', (v) => (v === null || v === undefined ? '—' : `${Number(v).toFixed(1)} 小时`)],
  ['unregistered_found', '发现未登记人员', num],
  ['expired_found', '发现登记过期', num],
  ['registration_rate', '登记率', pct],
];

export async function render(page, { user }) {
  const cards = h('div', { class: 'stat-grid', id: 'stat-cards' });
  const chartBox = h('div', { class: 'chart-box', id: 'chart' });
  const scope = h('form', { class: 'filters' }, field('辖区', areaSelect(user, { value: state.area_id, allLabel: '本人全部辖区' })));
  scope.addEventListener('change', () => {
    Object.assign(state, formValues(scope));
    loadCards();
    loadSeries();
  });

  const today = new Date();
  const from = new Date(today.getTime() - 29 * 86400000);
  const seriesForm = h('form', { class: 'filters', id: 'series-form' },
    field('指标', select('metric', metrics, 'active_residents')),
    field('开始日期', h('input', { type: 'date', name: 'from', value: fmtDate(from), max: fmtDate(today) })),
    field('结束日期', h('input', { type: 'date', name: 'to', value: fmtDate(today), max: fmtDate(today) })),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', text: '查看' })));
  seriesForm.addEventListener('submit', (ev) => { ev.preventDefault(); loadSeries(); });
  seriesForm.addEventListener('change', () => loadSeries());

  async function loadCards() {
    clear(cards, h('p', { class: 'loading', text: '正在加载…' }));
    try {
      const st = await api('GET', `/console/stats${qs({ area_id: state.area_id })}`);
      clear(cards,
        figures.filter(([k]) => k in st && !(k === 'registration_rate' && st[k] === null)).map(([k, name, fmt, tone]) => {
          // A median of no closed task is not zero hours.
          const v = k === 'median_close_hours' && !st.tasks_closed ? null : st[k];
          return h('div', { class: `stat ${tone || ''}`, dataset: { key: k } },
            h('div', { class: 'stat-value', text: fmt(v) }), h('div', { class: 'stat-name', text: name }));
        }),
        tiers(st.tier_counts),
        st.period_from ? h('p', { class: 'muted small wide-note', text: `“本月”指 ${st.period_from} 起至今；未办结任务、在住人数为当前数。` }) : null);
    } catch (err) {
      clear(cards, h('p', { class: 'empty', text: '统计数据加载失败。' }));
      if (err.status !== 401) flash(err.message);
    }
  }

  async function loadSeries() {
    const v = formValues(seriesForm);
    const name = (metrics.find(([m]) => m === v.metric) || [v.metric, v.metric])[1];
    clear(chartBox, h('p', { class: 'loading', text: '正在加载…' }));
    try {
      const points = await api('GET', `/console/stats/series${qs({ metric: v.metric, from: v.from, to: v.to, area_id: state.area_id })}`);
      clear(chartBox, chart(Array.isArray(points) ? points : [], name, chartBox.clientWidth));
    } catch (err) {
      clear(chartBox, h('p', { class: 'empty', text: `图表加载失败：${err.message}` }));
    }
  }

  page.append(h('div', { class: 'page-head' }, h('h1', { text: '统计' })), scope, cards,
    h('section', { class: 'card' }, h('h2', { text: '趋势' }), seriesForm, chartBox));
  await Promise.all([loadCards(), loadSeries()]);
}

function tiers(tc) {
  if (!tc) return null;
  const total = (tc.red || 0) + (tc.yellow || 0) + (tc.green || 0);
  const seg = (k, name) => {
    const n = tc[k] || 0;
    const w = total ? (n / total) * 100 : 0;
    return w > 0 ? h('span', { class: `seg tier-${k}`, style: `width:${w.toFixed(2)}%`, title: `${name} ${n}` }) : null;
  };
  return h('div', { class: 'stat wide', dataset: { key: 'tier_counts' } },
    h('div', { class: 'stat-name', text: '在住人员风险等级' }),
    h('div', { class: 'tierbar', role: 'img', 'aria-label': `红色${tc.red || 0}人，黄色${tc.yellow || 0}人，绿色${tc.green || 0}人` },
      total ? [seg('red', '红色'), seg('yellow', '黄色'), seg('green', '绿色')] : h('span', { class: 'seg none' })),
    h('div', { class: 'legend' },
      h('span', null, h('i', { class: 'dot tier-red' }), `红色 ${num(tc.red || 0)}`),
      h('span', null, h('i', { class: 'dot tier-yellow' }), `黄色 ${num(tc.yellow || 0)}`),
      h('span', null, h('i', { class: 'dot tier-green' }), `绿色 ${num(tc.green || 0)}`)));
}

// scale picks a round step (1, 2 or 5 times a power of ten; whole numbers
// for counts) and the top of the axis, for about four grid lines.
function scale(max, whole) {
  if (!(max > 0)) return { top: 1, step: whole ? 1 : 0.25 };
  const rough = max / 4;
  const m = 10 ** Math.floor(Math.log10(rough));
  let step = [1, 2, 5, 10].map((f) => f * m).find((v) => v >= rough);
  if (whole) step = Math.max(1, Math.round(step));
  return { top: step * Math.ceil(max / step), step };
}

const short = (n) => (Number.isInteger(n) ? String(n) : String(Number(n.toFixed(2))));

// chart draws the series as bars, scaled to the largest value. It is drawn
// at the box's width, so that its text stays readable on a phone and on a
// wide screen alike.
export function chart(points, name, width) {
  if (!points.length) return h('p', { class: 'empty', text: '所选时间段暂无数据。' });
  const W = Math.max(300, Math.min(1100, Math.round(width || 640))), H = W < 500 ? 200 : 260, L = 40, R = 10, T = 14, B = 30;
  const iw = W - L - R, ih = H - T - B;
  const vals = points.map((p) => Number(p.value) || 0);
  const { top: max, step: tick } = scale(Math.max(...vals), vals.every(Number.isInteger));
  const bw = iw / points.length;
  const y = (v) => T + ih - (v / max) * ih;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `${name}趋势图` });
  for (let v = 0; v <= max + tick / 2; v += tick) {
    svg.append(s('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }),
      s('text', { x: L - 6, y: y(v) + 4, class: 'ylabel', 'text-anchor': 'end', text: short(v) }));
  }
  const step = Math.ceil(points.length / Math.max(2, Math.floor(iw / 64)));
  points.forEach((p, i) => {
    const v = vals[i];
    const x = L + i * bw;
    svg.append(s('rect', {
      x: x + bw * 0.15, width: Math.max(1, bw * 0.7), y: y(v), height: Math.max(0, T + ih - y(v)), class: 'bar',
    }, s('title', { text: `${p.date}：${v}` })));
    if (i % step === 0) {
      svg.append(s('text', { x: x + bw / 2, y: H - 12, class: 'xlabel', 'text-anchor': 'middle', text: String(p.date).slice(5) }));
    }
  });
  svg.append(s('line', { x1: L, x2: W - R, y1: T + ih, y2: T + ih, class: 'axis' }));
  return h('figure', { class: 'chart-fig' }, svg,
    h('figcaption', { class: 'muted small', text: `${name}：${points[0].date} 至 ${points[points.length - 1].date}，最高 ${short(Math.max(...vals))}，最近一天 ${short(vals[vals.length - 1])}` }));
}
