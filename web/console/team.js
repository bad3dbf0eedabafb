// Team management (owners and admins): members, their roles and access tokens. The API
// enforces the same rules (403 for agents, only owners grant the owner role); the
// console only hides what a role cannot do.

import { api, explain, query } from './api.js';
import { busy, field, fill, h, select, when } from './dom.js';
import { managesWorkspace, notify, state } from './state.js';

const ROLES = [['agent', 'Agent'], ['admin', 'Admin'], ['owner', 'Owner']];

/** The page shown to a role that may not see a settings page. */
export function forbidden(what) {
  return h('section', { class: 'page forbidden', 'aria-labelledby': 'forbidden-title' },
    h('h1', { id: 'forbidden-title' }, what),
    h('p', { role: 'alert' }, 'Only owners and admins can open this page. Ask one of them if you need a change.'),
    h('p', null, h('a', { href: '#/inbox' }, 'Back to the inbox')));
}

/** Shows a secret once, with a way to copy it. */
export function secretBox(labelText, secret) {
  const input = h('input', { type: 'text', readonly: true, value: secret, class: 'secret', 'aria-label': labelText });
  return h('div', { class: 'secret-box', role: 'status' },
    h('p', null, h('strong', null, labelText), ' — copy it now; it is not shown again.'),
    input,
    h('button', { type: 'button', onclick: async (e) => {
      input.select();
      try { await navigator.clipboard.writeText(secret); e.currentTarget.textContent = 'Copied'; } catch { /* selected for manual copy */ }
    } }, 'Copy'));
}

export function createTeam() {
  if (!managesWorkspace()) return { element: forbidden('Team'), destroy() {} };
  const notice = h('p', { class: 'error', role: 'alert' });
  const output = h('div');
  const list = h('tbody');
  const name = h('input', { name: 'name', required: true, maxlength: 200, autocomplete: 'off' });
  const email = h('input', { name: 'email', type: 'email', required: true, autocomplete: 'off' });
  const role = select({ name: 'role' }, state.me.role === 'owner' ? ROLES : ROLES.slice(0, 2), 'agent');
  const add = h('button', { type: 'submit', class: 'primary' }, 'Add member');
  const form = h('form', { class: 'inline-form', onsubmit: (e) => { e.preventDefault(); create(); } },
    field('Name', name), field('Email', email), field('Role', role), add);

  const element = h('section', { class: 'page team', 'aria-labelledby': 'team-title' },
    h('h1', { id: 'team-title' }, 'Team'),
    h('p', { class: 'muted' }, 'Members sign in to this console with an access token. Removing a member revokes their tokens at once.'),
    notice, output,
    h('table', { class: 'data' },
      h('thead', null, h('tr', null, ['Name', 'Email', 'Role', 'Added', 'Tokens', ''].map((t) => h('th', { scope: 'col' }, t)))),
      list),
    h('h2', null, 'Add a member'), form);

  async function run(button, action, done) {
    notice.textContent = '';
    return busy(button, async () => {
      try {
        const result = await action();
        if (done) done(result);
        return result;
      } catch (error) {
        notice.textContent = explain(error);
        return null;
      }
    });
  }

  async function tokensOf(member, cell) {
    try {
      const tokens = await api('GET', `/v1/members/${member.id}/tokens`);
      fill(cell, tokens.length
        ? h('ul', { class: 'plain' }, tokens.map((t) => h('li', null,
          h('code', null, `mt_…${t.last4}`), ` ${when(t.created_at)} `,
          h('button', { type: 'button', class: 'link danger', 'aria-label': `Revoke token ending ${t.last4} of ${member.name}`,
            onclick: (e) => run(e.currentTarget, () => api('DELETE', `/v1/members/${member.id}/tokens/${t.id}`), () => load()) }, 'Revoke'))))
        : h('span', { class: 'muted' }, 'none'));
    } catch (error) {
      fill(cell, h('span', { class: 'error' }, explain(error)));
    }
  }

  function memberRow(m) {
    const tokens = h('td');
    const roleSelect = select({ 'aria-label': `Role of ${m.name}`, onchange: (e) => run(e.target,
      () => api('PATCH', `/v1/members/${m.id}`, { role: e.target.value }), () => load()) },
    state.me.role === 'owner' || m.role === 'owner' ? ROLES : ROLES.slice(0, 2), m.role);
    if (m.role === 'owner' && state.me.role !== 'owner') roleSelect.disabled = true;
    tokensOf(m, tokens);
    return h('tr', { dataset: { id: m.id } },
      h('td', null, m.name, m.id === state.me.id ? h('span', { class: 'muted' }, ' (you)') : null),
      h('td', null, m.email),
      h('td', null, roleSelect),
      h('td', null, when(m.created_at)),
      tokens,
      h('td', { class: 'row-actions' },
        h('button', { type: 'button', onclick: (e) => run(e.currentTarget, () => api('POST', `/v1/members/${m.id}/tokens`),
          (t) => { fill(output, secretBox(`Access token for ${m.name}`, t.token)); tokensOf(m, tokens); }) }, 'Issue token'),
        m.id === state.me.id ? null : h('button', { type: 'button', class: 'danger', onclick: (e) => {
          if (!window.confirm(`Remove ${m.name} from the team? Their tokens stop working at once.`)) return;
          run(e.currentTarget, () => api('DELETE', `/v1/members/${m.id}`), () => load());
        } }, 'Remove')));
  }

  async function load() {
    try {
      const members = [];
      let cursor = null;
      do {
        const page = await api('GET', `/v1/members${query({ limit: 100, cursor })}`);
        members.push(...page.data);
        cursor = page.has_more ? page.next_cursor : null;
      } while (cursor);
      state.members = new Map(members.map((m) => [m.id, m]));
      notify({ kind: 'members' });
      fill(list, members.map(memberRow));
    } catch (error) {
      notice.textContent = explain(error);
    }
  }

  function create() {
    run(add, () => api('POST', '/v1/members', { name: name.value.trim(), email: email.value.trim(), role: role.value }), (m) => {
      name.value = '';
      email.value = '';
      fill(output, h('p', { role: 'status' }, `${m.name} was added. Issue them a token so they can sign in.`));
      load();
    });
  }

  load();
  return { element, destroy() {} };
}
