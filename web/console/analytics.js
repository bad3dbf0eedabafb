// Analytics at a glance: today, this week and this month side by side from
// GET /v1/analytics, and a small bar chart (inline SVG) of chats and messages.

import { api, explain, query } from './api.js';
import { duration, fill, h, s, select } from './dom.js';

const PERIODS = [['today', 'Today'], ['week', 'This week'], ['month', 'This month']];
const CHANNELS = [['', 'Every channel'], ['web', 'Web'], ['api', 'API'], ['whatsapp', 'WhatsApp'], ['instagram', 'Instagram'], ['telegram', 'Telegram']];

const percent = (x) => `${Math.round(x * 1000) / 10}%`;
const FIGURES = [
  ['total_chats', 'Chats', String],
  ['active_chats', 'Still open', String],
  ['completed_chats', 'Resolved', String],
  ['engaged_chats', 'Engaged', String],
  ['unique_visitors', 'Visitors', String],
  ['total_messages', 'Messages', String],
  ['visitor_messages', 'From customers', String],
  ['bot_messages', 'AI replies', String],
  ['agent_messages', 'Agent replies', String],
  ['avg_messages_per_chat', 'Messages per chat', (x) => x.toFixed(2)],
  ['handoff_rate', 'Hand-off rate', percent],
  ['ai_resolution_rate', 'Resolved by AI alone', percent],
  ['median_first_response_ms', 'Median first response', (x) => (x === null ? '—' : duration(x))],
];

/** Bars for chats and a line for messages over the period's buckets. */
function chart(data, period) {
  const width = 640;
  const height = 180;
  const pad = { left: 32, right: 8, top: 12, bottom: 24 };
  const n = Math.max(1, data.length);
  const max = Math.max(1, ...data.map((b) => Math.max(b.chats, b.messages)));
  const slot = (width - pad.left - pad.right) / n;
  const y = (v) => pad.top + (height - pad.top - pad.bottom) * (1 - v / max);
  const label = (iso) => {
    const d = new Date(iso);
    return period === 'today'
      ? `${String(d.getUTCHours()).padStart(2, '0')}h`
      : d.toLocaleDateString([], { month: 'short', day: 'numeric', timeZone: 'UTC' });
  };
  const every = Math.ceil(n / 8);
  const line = data.map((b, i) => `${i ? 'L' : 'M'}${(pad.left + slot * i + slot / 2).toFixed(1)},${y(b.messages).toFixed(1)}`).join(' ');
  const total = data.reduce((sum, b) => sum + b.chats, 0);
  return s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img',
    'aria-label': `${total} chats and ${data.reduce((sum, b) => sum + b.messages, 0)} messages over ${data.length} intervals; the busiest had ${max}.` },
    s('line', { x1: pad.left, x2: width - pad.right, y1: y(0), y2: y(0), class: 'axis' }),
    s('text', { x: pad.left - 6, y: y(max) + 4, class: 'tick', 'text-anchor': 'end' }, String(max)),
    s('text', { x: pad.left - 6, y: y(0), class: 'tick', 'text-anchor': 'end' }, '0'),
    data.map((b, i) => s('rect', {
      x: (pad.left + slot * i + slot * 0.15).toFixed(1), width: (slot * 0.7).toFixed(1),
      y: y(b.chats).toFixed(1), height: (y(0) - y(b.chats)).toFixed(1), class: 'bar',
    }, s('title', null, `${label(b.start)}: ${b.chats} chats, ${b.messages} messages`))),
    s('path', { d: line, class: 'line' }),
    data.map((b, i) => (i % every === 0
      ? s('text', { x: (pad.left + slot * i + slot / 2).toFixed(1), y: height - 6, class: 'tick', 'text-anchor': 'middle' }, label(b.start))
      : null)));
}

export function createAnalytics() {
  let channel = '';
  let period = 'week';
  let results = {};
  const table = h('div', { class: 'figures' });
  const chartBox = h('figure', { class: 'chart-box' });
  const notice = h('p', { class: 'error', role: 'alert' });
  const channelSelect = select({ id: 'analytics-channel', onchange: (e) => { channel = e.target.value; load(); } }, CHANNELS, channel);
  const tabs = h('div', { class: 'tabs', role: 'group', 'aria-label': 'Chart period' },
    PERIODS.map(([value, text]) => h('button', {
      type: 'button', dataset: { period: value }, 'aria-pressed': String(value === period),
      onclick: () => { period = value; renderChart(); },
    }, text)));

  const element = h('section', { class: 'page analytics', 'aria-labelledby': 'analytics-title' },
    h('div', { class: 'page-head' },
      h('h1', { id: 'analytics-title' }, 'Analytics'),
      h('label', { for: 'analytics-channel', class: 'visually-hidden' }, 'Channel'), channelSelect),
    notice, table,
    h('div', { class: 'page-head' }, h('h2', null, 'Chats and messages'), tabs),
    chartBox);

  function renderTable() {
    fill(table, h('table', null,
      h('caption', { class: 'visually-hidden' }, 'Figures by period'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Figure'), PERIODS.map(([p, text]) => h('th', { scope: 'col' }, text)))),
      h('tbody', null, FIGURES.map(([key, text, format]) => h('tr', null,
        h('th', { scope: 'row' }, text),
        PERIODS.map(([p]) => h('td', { dataset: { figure: key, period: p } }, results[p] ? format(results[p][key]) : '…')))))));
  }

  function renderChart() {
    for (const button of tabs.querySelectorAll('button')) button.setAttribute('aria-pressed', String(button.dataset.period === period));
    const r = results[period];
    fill(chartBox, r ? chart(r.chart_data, period) : h('p', { class: 'muted' }, 'Loading…'),
      h('figcaption', { class: 'muted small' },
        h('span', { class: 'key bar-key' }, '■'), ' chats started  ',
        h('span', { class: 'key line-key' }, '—'), ' messages (times in UTC)'));
  }

  async function load() {
    notice.textContent = '';
    try {
      const answers = await Promise.all(PERIODS.map(([p]) => api('GET', `/v1/analytics${query({ period: p, channel })}`)));
      results = Object.fromEntries(PERIODS.map(([p], i) => [p, answers[i]]));
    } catch (error) {
      notice.textContent = explain(error);
    }
    renderTable();
    renderChart();
  }

  renderTable();
  load();
  return { element, destroy() {} };
}
