// Tickets: the queue by status, priority, department and assignee; a ticket with its
// conversation, its replies and notes, and its status moves. Every call is /v1.

import { actions, api, explain, query } from './api.js';
import { field, fill, h, select, when } from './dom.js';
import { memberName, state } from './state.js';

const STATUSES = [['', 'Any status'], ['open', 'Open'], ['pending', 'Pending'], ['solved', 'Solved'], ['closed', 'Closed']];
const PRIORITIES = [['', 'Any priority'], ['urgent', 'Urgent'], ['high', 'High'], ['normal', 'Normal'], ['low', 'Low']];
// The moves the status machine allows from each status, as buttons.
const MOVES = {
  open: [['pending', 'Set pending'], ['solved', 'Solve'], ['closed', 'Close']],
  pending: [['open', 'Reopen'], ['solved', 'Solve'], ['closed', 'Close']],
  solved: [['open', 'Reopen'], ['closed', 'Close']],
  closed: [],
};

export function createTickets(openId) {
  const notice = h('p', { class: 'error', role: 'alert' });
  const act = actions(notice);
  const status = select({ name: 'status', 'aria-label': 'Status' }, STATUSES, 'open');
  const priority = select({ name: 'priority', 'aria-label': 'Priority' }, PRIORITIES, '');
  const department = h('select', { name: 'department_id', 'aria-label': 'Department' }, h('option', { value: '' }, 'Any department'));
  const assignee = select({ name: 'assignee_id', 'aria-label': 'Assignee' },
    [['', 'Anyone'], ...[...state.members.values()].map((m) => [m.id, memberName(m.id)])], '');
  const rows = h('tbody');
  const detail = h('div', { class: 'ticket-detail', id: 'ticket-detail' });
  const filters = h('form', { class: 'inline-form', onchange: load, onsubmit: (e) => { e.preventDefault(); load(); } },
    status, priority, department, assignee);

  const subject = h('input', { name: 'subject', required: true, maxlength: 200, autocomplete: 'off' });
  const description = h('textarea', { name: 'description', rows: 3 });
  const newDepartment = h('select', { name: 'department_id' }, h('option', { value: '' }, 'No department'));
  const newPriority = select({ name: 'priority' }, PRIORITIES.slice(1), 'normal');
  const form = h('form', { class: 'stack-form', id: 'ticket-form', onsubmit: (e) => { e.preventDefault(); create(e.submitter); } },
    field('Subject', subject), field('Description', description),
    field('Department', newDepartment, 'Its members who are not away get new tickets in turn.'), field('Priority', newPriority),
    h('div', null, h('button', { type: 'submit', class: 'primary' }, 'Open ticket')));

  const element = h('section', { class: 'page tickets', 'aria-labelledby': 'tickets-title' },
    h('h1', { id: 'tickets-title' }, 'Tickets'), notice, filters,
    h('table', { class: 'data' },
      h('thead', null, h('tr', null, ['Ticket', 'Status', 'Priority', 'Assignee', 'Opened'].map((t) => h('th', { scope: 'col' }, t)))),
      rows),
    detail, h('h2', null, 'Open a ticket'), form);

  const departments = new Map();

  function row(t) {
    return h('tr', { dataset: { id: t.id } },
      h('td', null, h('a', { href: `#/tickets/${t.id}` }, h('strong', null, t.reference), ' ', h('span', { dir: 'auto' }, t.subject))),
      h('td', null, h('span', { class: `badge ticket-${t.status}` }, t.status)),
      h('td', null, t.priority),
      h('td', null, t.assignee_id ? memberName(t.assignee_id) : '—'),
      h('td', null, when(t.created_at)));
  }

  async function load() {
    notice.textContent = '';
    try {
      const page = await api('GET', `/v1/tickets${query({ status: status.value, priority: priority.value,
        department_id: department.value, assignee_id: assignee.value, limit: 100 })}`);
      fill(rows, page.data.length ? page.data.map(row) : h('tr', null, h('td', { colspan: 5, class: 'muted' }, 'No tickets match.')));
    } catch (error) { notice.textContent = explain(error); }
  }

  async function loadDepartments() {
    try {
      const page = await api('GET', `/v1/departments${query({ limit: 100 })}`);
      for (const d of page.data) departments.set(d.id, d);
      for (const box of [department, newDepartment]) {
        box.append(...page.data.map((d) => h('option', { value: d.id }, d.name)));
      }
    } catch { /* departments are optional */ }
  }

  async function show(id) {
    if (!id) { fill(detail); return; }
    try {
      const [t, replies] = await Promise.all([api('GET', `/v1/tickets/${encodeURIComponent(id)}`),
        api('GET', `/v1/tickets/${encodeURIComponent(id)}/replies${query({ limit: 100 })}`)]);
      const body = h('textarea', { name: 'reply', rows: 3, maxlength: 10000, id: 'ticket-reply' });
      const internal = h('input', { type: 'checkbox', name: 'internal', id: 'ticket-internal' });
      const base = `/v1/tickets/${encodeURIComponent(t.id)}`;
      fill(detail, h('article', { class: 'card', 'aria-labelledby': 'ticket-title' },
        h('h2', { id: 'ticket-title' }, `${t.reference} · `, h('span', { dir: 'auto' }, t.subject)),
        h('p', { class: 'muted' }, `${t.status} · ${t.priority}`,
          t.department_id ? ` · ${departments.get(t.department_id)?.name || t.department_id}` : '',
          t.assignee_id ? ` · ${memberName(t.assignee_id)}` : ' · unassigned',
          t.conversation_id ? [' · ', h('a', { href: `#/c/${t.conversation_id}` }, 'the conversation')] : null),
        t.description ? h('p', { dir: 'auto' }, t.description) : null,
        h('div', { class: 'actions' }, MOVES[t.status].map(([to, label]) =>
          h('button', { type: 'button', dataset: { move: to }, onclick: (e) => act(e.currentTarget, 'PATCH', base, { status: to }, () => refresh(t.id)) }, label))),
        h('ol', { class: 'replies' }, replies.data.map((r) => h('li', { class: r.internal ? 'note' : 'public', dataset: { id: r.id } },
          h('span', { class: 'muted small' }, `${r.internal ? 'Note' : 'Reply'} · ${r.author_id && r.author_type === 'member' ? memberName(r.author_id) : r.author_type} · ${when(r.created_at)}`),
          h('p', { dir: 'auto' }, r.body)))),
        h('form', { class: 'stack-form', id: 'ticket-reply-form', onsubmit: (e) => {
          e.preventDefault();
          act(e.submitter, 'POST', `${base}/replies`, { body: body.value, internal: internal.checked }, () => refresh(t.id));
        } },
        field(t.conversation_id ? 'Reply (reaches the customer in the conversation)' : 'Reply', body),
        h('label', { class: 'check' }, internal, ' Internal note (the customer never sees it)'),
        h('div', null, h('button', { type: 'submit', class: 'primary' }, 'Add')))));
    } catch (error) { notice.textContent = explain(error); }
  }

  async function refresh(id) { await Promise.all([load(), show(id)]); }

  function create(button) {
    act(button, 'POST', '/v1/tickets', { subject: subject.value, description: description.value || undefined,
      department_id: newDepartment.value || undefined, priority: newPriority.value }, (t) => {
      subject.value = '';
      description.value = '';
      location.hash = `#/tickets/${t.id}`;
    });
  }

  // Department names first: the list and the ticket show them.
  loadDepartments().then(() => Promise.all([load(), show(openId)]));
  return { element, destroy() {} };
}
