// The inbox: conversations waiting for a person first (longest wait at the top, with
// how long they have waited), then the rest by latest activity. Filters by who handles
// them, status, channel and assignee; search by contact. Updates live from the stream.

import { api, explain, query } from './api.js';
import { ago, contactName, duration, fill, h, select } from './dom.js';
import { isWaiting, listen, memberName, remember, state } from './state.js';

const FILTERS_KEY = 'confab.console.filters';
const PAGE = 50;

const HANDLED_BY = [['', 'Anyone'], ['pending', 'Waiting for a person'], ['human', 'A person'], ['ai', 'The AI']];
const STATUS = [['open', 'Open'], ['resolved', 'Resolved'], ['', 'Any status']];
const CHANNELS = [['', 'Any channel'], ['web', 'Web'], ['api', 'API'], ['whatsapp', 'WhatsApp'], ['instagram', 'Instagram'], ['telegram', 'Telegram']];

function savedFilters() {
  try {
    return { handled_by: '', status: 'open', channel: '', assignee_id: '', search: '',
      ...JSON.parse(sessionStorage.getItem(FILTERS_KEY) || '{}') };
  } catch {
    return { handled_by: '', status: 'open', channel: '', assignee_id: '', search: '' };
  }
}

/** Whether a conversation belongs in the list under `filters` (the server's rules). */
function matches(c, filters) {
  if (filters.status && c.status !== filters.status) return false;
  if (filters.handled_by && c.handled_by !== filters.handled_by) return false;
  if (filters.channel && c.channel !== filters.channel) return false;
  if (filters.assignee_id && c.assignee_id !== filters.assignee_id) return false;
  if (filters.search) {
    const needle = filters.search.trim().toLowerCase();
    const contact = c.contact || {};
    const hay = [contact.name, contact.email, contact.phone].filter(Boolean).join(' ').toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}

/** Waiting first, longest wait first; then the most recently active. */
function order(a, b) {
  const wa = isWaiting(a);
  const wb = isWaiting(b);
  if (wa !== wb) return wa ? -1 : 1;
  if (wa) return Date.parse(a.human_requested_at || a.created_at) - Date.parse(b.human_requested_at || b.created_at);
  return Date.parse(b.last_activity_at) - Date.parse(a.last_activity_at);
}

export function createInbox() {
  let filters = savedFilters();
  let ids = new Set();
  let cursor = null;
  let selected = null;
  let loading = 0;

  const list = h('ol', { class: 'inbox-list', id: 'inbox-list', 'aria-label': 'Conversations' });
  const status = h('p', { class: 'muted small inbox-status', role: 'status' });
  const more = h('button', { type: 'button', class: 'ghost wide', hidden: true, onclick: () => loadMore() }, 'Load older conversations');
  const search = h('input', { type: 'search', id: 'inbox-search', placeholder: 'Search by contact name, email or phone',
    value: filters.search, 'aria-label': 'Search conversations by contact' });

  const controls = [
    ['handled_by', 'Handled by', HANDLED_BY],
    ['status', 'Status', STATUS],
    ['channel', 'Channel', CHANNELS],
  ].map(([key, text, options]) => {
    const control = select({ id: `filter-${key}`, onchange: (e) => setFilter(key, e.target.value) }, options, filters[key]);
    return h('label', { class: 'filter' }, h('span', { class: 'visually-hidden' }, text), control);
  });
  const assignee = h('select', { id: 'filter-assignee', onchange: (e) => setFilter('assignee_id', e.target.value) });
  controls.push(h('label', { class: 'filter' }, h('span', { class: 'visually-hidden' }, 'Assignee'), assignee));

  let searchTimer = null;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => setFilter('search', search.value.trim()), 250);
  });

  const element = h('section', { class: 'inbox', 'aria-labelledby': 'inbox-title' },
    h('div', { class: 'inbox-head' },
      h('h1', { id: 'inbox-title' }, 'Inbox'),
      h('span', { class: 'waiting-summary', id: 'waiting-summary' })),
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() }, search, h('div', { class: 'filter-row' }, controls)),
    status, list, more);

  function fillAssignees() {
    const options = [['', 'Any assignee']];
    if (state.me) options.push([state.me.id, 'Assigned to me']);
    for (const m of state.members.values()) if (!state.me || m.id !== state.me.id) options.push([m.id, m.name]);
    fill(assignee, options.map(([value, text]) => h('option', { value, selected: value === filters.assignee_id }, text)));
  }

  function setFilter(key, value) {
    filters = { ...filters, [key]: value };
    sessionStorage.setItem(FILTERS_KEY, JSON.stringify(filters));
    load();
  }

  async function fetchPage(extra) {
    const { handled_by, status: st, channel, assignee_id, search: q } = filters;
    return api('GET', `/v1/conversations${query({ handled_by, status: st, channel, assignee_id, search: q, ...extra })}`);
  }

  async function load() {
    const ticket = ++loading;
    status.textContent = 'Loading…';
    try {
      // Without a "handled by" filter, the waiting ones are fetched on their own so they
      // are all on top even when newer conversations fill the first page.
      const [waiting, page] = await Promise.all([
        filters.handled_by ? null : fetchPage({ handled_by: 'pending', limit: 100 }),
        fetchPage({ limit: PAGE }),
      ]);
      if (ticket !== loading) return;
      ids = new Set();
      for (const c of [...(waiting ? waiting.data : []), ...page.data]) {
        remember(c);
        ids.add(c.id);
      }
      cursor = page.has_more ? page.next_cursor : null;
      status.textContent = '';
      render();
    } catch (error) {
      if (ticket === loading) status.textContent = explain(error);
    }
  }

  async function loadMore() {
    if (!cursor) return;
    more.disabled = true;
    try {
      const page = await fetchPage({ limit: PAGE, cursor });
      for (const c of page.data) { remember(c); ids.add(c.id); }
      cursor = page.has_more ? page.next_cursor : null;
      render();
    } catch (error) {
      status.textContent = explain(error);
    } finally {
      more.disabled = false;
    }
  }

  function visible() {
    return [...ids].map((id) => state.conversations.get(id)).filter(Boolean).sort(order);
  }

  function row(c) {
    const waiting = isWaiting(c);
    const fresh = state.fresh.has(c.id);
    const classes = ['inbox-row', waiting ? 'waiting' : '', fresh ? 'fresh' : '', c.status === 'resolved' ? 'resolved' : ''].join(' ');
    const assignee = memberName(c.assignee_id);
    return h('li', { class: classes, dataset: { id: c.id } },
      h('a', { href: `#/c/${c.id}`, 'aria-current': c.id === selected ? 'page' : null },
        h('span', { class: 'row-top' },
          h('span', { class: 'row-name' }, contactName(c.contact)),
          waiting
            ? h('span', { class: 'wait', dataset: { since: c.human_requested_at || c.created_at, prefix: 'waiting ' } },
              `waiting ${duration(Date.now() - Date.parse(c.human_requested_at || c.created_at))}`)
            : h('time', { class: 'muted small', datetime: c.last_activity_at, dataset: { since: c.last_activity_at, suffix: ' ago' } }, ago(c.last_activity_at))),
        h('span', { class: 'row-bottom' },
          fresh ? h('span', { class: 'badge handoff' }, 'Hand-off request') : null,
          h('span', { class: `badge by-${c.handled_by}` }, { ai: 'AI', human: 'Person', pending: 'Waiting' }[c.handled_by]),
          c.status === 'resolved' ? h('span', { class: 'badge resolved' }, 'Resolved') : null,
          h('span', { class: 'badge channel' }, c.channel),
          c.sentiment === 'negative' ? h('span', { class: 'badge negative' }, 'negative') : null,
          c.intent ? h('span', { class: 'muted small' }, c.intent) : null,
          assignee ? h('span', { class: 'muted small' }, `→ ${assignee}`) : null)));
  }

  function render() {
    fillAssignees();
    const rows = visible();
    fill(list, rows.length ? rows.map(row) : h('li', { class: 'empty muted' }, 'No conversations match these filters.'));
    more.hidden = !cursor;
    const count = state.waiting.size;
    document.getElementById('waiting-summary').textContent = count ? `${count} waiting` : 'Nobody waiting';
  }

  /** Refreshes the "waiting 3 min" and "5 min ago" texts without rebuilding rows. */
  function tick() {
    for (const el of list.querySelectorAll('[data-since]')) {
      el.textContent = `${el.dataset.prefix || ''}${duration(Date.now() - Date.parse(el.dataset.since))}${el.dataset.suffix || ''}`;
    }
  }
  const timer = setInterval(tick, 10_000);

  const stop = listen((change) => {
    if (change.kind === 'conversation') {
      const c = change.conversation;
      if (matches(c, filters)) ids.add(c.id);
      else if (c.id !== selected) ids.delete(c.id);
      render();
    } else if (change.kind === 'waiting' || change.kind === 'members') {
      render();
    }
  });

  return {
    element,
    load,
    /** Marks the open conversation in the list. */
    select(id) {
      selected = id;
      if (id) state.fresh.delete(id);
      render();
    },
    /** The conversation `step` rows away from the open one (j/k). */
    neighbour(step) {
      const rows = visible();
      const index = rows.findIndex((c) => c.id === selected);
      const next = rows[Math.min(rows.length - 1, Math.max(0, index < 0 ? 0 : index + step))];
      return next ? next.id : null;
    },
    focusSearch() { search.focus(); search.select(); },
    destroy() { clearInterval(timer); stop(); },
  };
}
