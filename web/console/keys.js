// API keys (owners and admins): the secret keys integrators and task agents use, with
// their budgets (`/v1/api-keys`, DESIGN §4 "API keys and budgets"). A new key and its
// signing secret are shown once.

import { api, explain, query } from './api.js';
import { busy, field, fill, h, select, when } from './dom.js';
import { managesWorkspace } from './state.js';
import { forbidden, secretBox } from './team.js';

function budget(k) {
  if (k.budget_usd_cents === null || k.budget_usd_cents === undefined) return 'no cap';
  return `$${(k.budget_usd_cents / 100).toFixed(2)} ${k.budget_period || ''}`.trim();
}

export function createKeys() {
  if (!managesWorkspace()) return { element: forbidden('API keys'), destroy() {} };
  const notice = h('p', { class: 'error', role: 'alert' });
  const output = h('div');
  const list = h('tbody');
  const label = h('input', { name: 'label', required: true, maxlength: 200, autocomplete: 'off' });
  const mode = select({ name: 'mode' }, [['test', 'Test'], ['live', 'Live']], 'test');
  const responseUrl = h('input', { name: 'response_url', type: 'url', placeholder: 'https://…', autocomplete: 'off' });
  const cap = h('input', { name: 'budget', type: 'number', min: '0', step: '0.01', placeholder: 'none' });
  const period = select({ name: 'budget_period' }, [['monthly', 'a month'], ['daily', 'a day'], ['total', 'in total']], 'monthly');
  const add = h('button', { type: 'submit', class: 'primary' }, 'Create key');
  const form = h('form', { class: 'inline-form', onsubmit: (e) => { e.preventDefault(); create(); } },
    field('Label', label), field('Mode', mode), field('Task response URL (optional)', responseUrl),
    field('Budget in USD (optional)', cap), field('Per', period), add);

  const element = h('section', { class: 'page keys', 'aria-labelledby': 'keys-title' },
    h('h1', { id: 'keys-title' }, 'API keys'),
    h('p', { class: 'muted' }, 'Secret keys (sk_…) call the REST API and the MCP server from your servers. Revoking one stops it at once.'),
    notice, output,
    h('table', { class: 'data' },
      h('thead', null, h('tr', null, ['Label', 'Mode', 'Budget', 'Created', ''].map((t) => h('th', { scope: 'col' }, t)))),
      list),
    h('h2', null, 'Create a key'), form);

  function keyRow(k) {
    return h('tr', { dataset: { id: k.id } },
      h('td', null, k.label || h('span', { class: 'muted' }, 'unnamed'), ' ', h('code', { class: 'muted small' }, k.id)),
      h('td', null, k.mode || (k.livemode ? 'live' : 'test')),
      h('td', null, budget(k)),
      h('td', null, when(k.created_at)),
      h('td', { class: 'row-actions' }, h('button', { type: 'button', class: 'danger', onclick: (e) => {
        if (!window.confirm(`Revoke "${k.label || k.id}"? Requests with it fail at once.`)) return;
        busy(e.currentTarget, () => api('DELETE', `/v1/api-keys/${k.id}`).then(load).catch((err) => { notice.textContent = explain(err); }));
      } }, 'Revoke')));
  }

  async function load() {
    try {
      const page = await api('GET', `/v1/api-keys${query({ limit: 100 })}`);
      const keys = page.data || [];
      fill(list, keys.length ? keys.map(keyRow) : h('tr', null, h('td', { colspan: 5, class: 'muted' }, 'No keys yet.')));
    } catch (error) {
      notice.textContent = explain(error);
    }
  }

  function create() {
    notice.textContent = '';
    const body = { label: label.value.trim(), mode: mode.value };
    if (responseUrl.value.trim()) body.response_url = responseUrl.value.trim();
    if (cap.value !== '') {
      body.budget_usd_cents = Math.round(Number(cap.value) * 100);
      body.budget_period = period.value;
    }
    busy(add, async () => {
      try {
        const k = await api('POST', '/v1/api-keys', body);
        fill(output, secretBox(`Secret key "${k.label || k.id}"`, k.key),
          k.signing_secret ? secretBox('Its signing secret (for task responses)', k.signing_secret) : null);
        label.value = '';
        load();
      } catch (error) {
        notice.textContent = explain(error);
      }
    });
  }

  load();
  return { element, destroy() {} };
}
