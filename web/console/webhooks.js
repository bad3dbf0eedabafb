// Webhook endpoints (owners and admins): where the workspace's events are sent, signed.
// The signing secret is shown once, on create.

import { actions, api, explain, query } from './api.js';
import { field, fill, h } from './dom.js';
import { managesWorkspace } from './state.js';
import { forbidden, secretBox } from './team.js';

export function createWebhooks() {
  if (!managesWorkspace()) return { element: forbidden('Webhooks'), destroy() {} };
  const notice = h('p', { class: 'error', role: 'alert' });
  const output = h('div');
  const list = h('tbody');
  const url = h('input', { name: 'url', type: 'url', required: true, placeholder: 'https://example.com/confab', autocomplete: 'off' });
  const events = h('input', { name: 'events', placeholder: '* (every event)', autocomplete: 'off' });
  const description = h('input', { name: 'description', maxlength: 500, autocomplete: 'off' });
  const add = h('button', { type: 'submit', class: 'primary' }, 'Add endpoint');
  const form = h('form', { class: 'inline-form', onsubmit: (e) => { e.preventDefault(); create(); } },
    field('URL', url), field('Events', events, 'Comma-separated types, e.g. message.received, handoff.requested'),
    field('Description', description), add);

  const element = h('section', { class: 'page webhooks', 'aria-labelledby': 'webhooks-title' },
    h('h1', { id: 'webhooks-title' }, 'Webhooks'),
    h('p', { class: 'muted' }, 'Each endpoint receives the events it asks for as signed POST requests, retried on failure.'),
    notice, output,
    h('table', { class: 'data' },
      h('thead', null, h('tr', null, ['URL', 'Events', 'State', ''].map((t) => h('th', { scope: 'col' }, t)))),
      list),
    h('h2', null, 'Add an endpoint'), form);

  const act = actions(notice);

  function endpointRow(w) {
    return h('tr', { dataset: { id: w.id } },
      h('td', null, h('code', null, w.url), w.description ? h('div', { class: 'muted small' }, w.description) : null),
      h('td', null, (w.events || []).join(', ')),
      h('td', null, w.enabled ? 'enabled' : `disabled${w.disabled_reason ? ` (${w.disabled_reason})` : ''}`),
      h('td', { class: 'row-actions' },
        h('button', { type: 'button', onclick: (e) => act(e.currentTarget, 'POST', `/v1/webhook-endpoints/${w.id}/test`, undefined,
          () => fill(output, h('p', { role: 'status' }, `A webhook.test event is on its way to ${w.url}.`))) }, 'Send test'),
        h('button', { type: 'button', onclick: (e) => act(e.currentTarget, 'PATCH', `/v1/webhook-endpoints/${w.id}`, { enabled: !w.enabled }, load) },
          w.enabled ? 'Disable' : 'Enable'),
        h('button', { type: 'button', class: 'danger', onclick: (e) => {
          if (!window.confirm(`Delete the endpoint ${w.url}?`)) return;
          act(e.currentTarget, 'DELETE', `/v1/webhook-endpoints/${w.id}`, undefined, load);
        } }, 'Delete')));
  }

  async function load() {
    try {
      const page = await api('GET', `/v1/webhook-endpoints${query({ limit: 100 })}`);
      fill(list, page.data.length ? page.data.map(endpointRow) : h('tr', null, h('td', { colspan: 4, class: 'muted' }, 'No endpoints yet.')));
    } catch (error) {
      notice.textContent = explain(error);
    }
  }

  function create() {
    const types = events.value.split(',').map((t) => t.trim()).filter(Boolean);
    const body = { url: url.value.trim(), events: types.length ? types : ['*'] };
    if (description.value.trim()) body.description = description.value.trim();
    act(add, 'POST', '/v1/webhook-endpoints', body, (w) => {
      fill(output, secretBox(`Signing secret of ${w.url}`, w.secret));
      url.value = '';
      events.value = '';
      description.value = '';
      load();
    });
  }

  load();
  return { element, destroy() {} };
}
