// AI agents (owners and admins): who answers, in what voice, with which model, and when
// they hand the conversation to a person.

import { actions, api, explain, query } from './api.js';
import { field, fill, h, select } from './dom.js';
import { managesWorkspace } from './state.js';
import { forbidden } from './team.js';

const PROVIDERS = [['local', 'Local (offline, answers from knowledge)'], ['openai', 'OpenAI-compatible'], ['anthropic', 'Anthropic']];
const list = (text) => text.split(',').map((x) => x.trim()).filter(Boolean);

export function createAgents() {
  if (!managesWorkspace()) return { element: forbidden('AI agents'), destroy() {} };
  const notice = h('p', { class: 'error', role: 'alert' });
  const rows = h('tbody');
  let editing = null;

  const name = h('input', { name: 'name', required: true, maxlength: 100, autocomplete: 'off' });
  const greeting = h('input', { name: 'greeting', autocomplete: 'off', placeholder: 'Hi! How can we help?' });
  const persona = h('textarea', { name: 'persona', rows: 2, placeholder: 'Warm, brief, never pushy.' });
  const instructions = h('textarea', { name: 'instructions', rows: 3, placeholder: 'What to do and never do.' });
  const provider = select({ name: 'provider' }, PROVIDERS, 'local');
  const model = h('input', { name: 'model', autocomplete: 'off', placeholder: 'for OpenAI or Anthropic' });
  const negative = h('input', { name: 'negative_messages', type: 'number', min: 0, max: 20, value: 2 });
  const unsure = h('input', { name: 'low_confidence_answers', type: 'number', min: 0, max: 20, value: 2 });
  const keywords = h('input', { name: 'keywords', autocomplete: 'off', placeholder: 'lawyer, refund' });
  const channels = h('input', { name: 'channels', autocomplete: 'off', placeholder: 'web, api' });
  const isDefault = h('input', { name: 'is_default', type: 'checkbox' });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Add agent');
  const cancel = h('button', { type: 'button', hidden: true, onclick: () => edit(null) }, 'Cancel');
  const formTitle = h('h2', null, 'Add an agent');
  const form = h('form', { class: 'stack-form', id: 'agent-form', onsubmit: (e) => { e.preventDefault(); submit(); } },
    field('Name', name, 'Customers see it in the widget unless the widget settings name someone else.'),
    field('Greeting', greeting), field('Persona', persona), field('Instructions', instructions),
    field('Provider', provider), field('Model', model),
    field('Hand off after this many negative messages in a row (0: never)', negative),
    field('Hand off after this many unsure answers in a row (0: never)', unsure),
    field('Hand off at once on these words', keywords), field('Answers these channels', channels),
    h('label', { class: 'check' }, isDefault, ' The default agent (answers when no other is chosen)'),
    h('div', null, save, ' ', cancel));

  const element = h('section', { class: 'page agents', 'aria-labelledby': 'agents-title' },
    h('h1', { id: 'agents-title' }, 'AI agents'),
    h('p', { class: 'muted' }, 'Each agent answers from the knowledge base in its own voice and hands off by its own rules.'),
    notice,
    h('table', { class: 'data' },
      h('thead', null, h('tr', null, ['Name', 'Provider', 'Hands off', 'Channels', ''].map((t) => h('th', { scope: 'col' }, t)))),
      rows),
    formTitle, form);

  const act = actions(notice);

  function rules(p) {
    const out = [];
    if (p.negative_messages) out.push(`${p.negative_messages} negative`);
    if (p.low_confidence_answers) out.push(`${p.low_confidence_answers} unsure`);
    if (p.keywords?.length) out.push(`words: ${p.keywords.join(', ')}`);
    return out.join(' · ') || 'only when asked';
  }

  function row(a) {
    return h('tr', { dataset: { id: a.id } },
      h('td', null, h('strong', null, a.name), a.is_default ? h('span', { class: 'badge' }, 'default') : null,
        a.greeting ? h('div', { class: 'muted small', dir: 'auto' }, a.greeting) : null),
      h('td', null, a.provider.kind + (a.provider.model ? ` · ${a.provider.model}` : '')),
      h('td', null, rules(a.handoff || {})),
      h('td', null, (a.channels || []).join(', ') || '—'),
      h('td', { class: 'row-actions' },
        h('button', { type: 'button', onclick: () => edit(a) }, 'Edit'),
        h('button', { type: 'button', class: 'danger', onclick: (e) => {
          if (!window.confirm(`Delete the agent ${a.name}?`)) return;
          act(e.currentTarget, 'DELETE', `/v1/agents/${a.id}`, undefined, load);
        } }, 'Delete')));
  }

  async function load() {
    try {
      const page = await api('GET', `/v1/agents${query({ limit: 100 })}`);
      fill(rows, page.data.length ? page.data.map(row) : h('tr', null, h('td', { colspan: 5, class: 'muted' }, 'No agents yet: the AI answers with built-in defaults.')));
    } catch (error) {
      notice.textContent = explain(error);
    }
  }

  function edit(a) {
    editing = a;
    formTitle.textContent = a ? `Edit ${a.name}` : 'Add an agent';
    save.textContent = a ? 'Save' : 'Add agent';
    cancel.hidden = !a;
    name.value = a?.name || '';
    greeting.value = a?.greeting || '';
    persona.value = a?.persona || '';
    instructions.value = a?.instructions || '';
    provider.value = a?.provider?.kind || 'local';
    model.value = a?.provider?.model || '';
    negative.value = a?.handoff?.negative_messages ?? 2;
    unsure.value = a?.handoff?.low_confidence_answers ?? 2;
    keywords.value = (a?.handoff?.keywords || []).join(', ');
    channels.value = (a?.channels || []).join(', ');
    isDefault.checked = !!a?.is_default;
    if (a) name.focus();
  }

  function submit() {
    const body = {
      name: name.value.trim(), persona: persona.value.trim(), instructions: instructions.value.trim(),
      provider: { kind: provider.value, ...(model.value.trim() ? { model: model.value.trim() } : {}) },
      handoff: { negative_messages: Number(negative.value), low_confidence_answers: Number(unsure.value), keywords: list(keywords.value) },
      channels: list(channels.value), is_default: isDefault.checked,
    };
    if (greeting.value.trim()) body.greeting = greeting.value.trim();
    else if (editing) body.greeting = null;
    const [method, path] = editing ? ['PATCH', `/v1/agents/${editing.id}`] : ['POST', '/v1/agents'];
    act(save, method, path, body, async () => { edit(null); await load(); });
  }

  load();
  return { element, destroy() {} };
}
