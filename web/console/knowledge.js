// The knowledge base (members who may write knowledge): what the AI answers from, in
// the mode the console is in. Search shows the confidence the AI would have; "Try the
// agent" asks the answering agent through the preview, which changes nothing.

import { actions, api, explain, query } from './api.js';
import { busy, field, fill, h, select } from './dom.js';

const FORMATS = [['text/csv', 'CSV (question, answer, title, intent, lang, tags)'],
  ['application/x-ndjson', 'JSON Lines (the fields of an entry)'], ['text/markdown', 'Markdown (one entry per heading)']];

export function createKnowledge() {
  const notice = h('p', { class: 'error', role: 'alert' });
  const list = h('tbody');
  let editing = null;

  const title = h('input', { name: 'title', required: true, maxlength: 200, autocomplete: 'off' });
  const body = h('textarea', { name: 'body', required: true, rows: 4 });
  const questions = h('textarea', { name: 'questions', rows: 3, placeholder: 'One per line' });
  const intent = h('input', { name: 'intent', autocomplete: 'off', placeholder: 'opening_hours' });
  const lang = h('input', { name: 'lang', autocomplete: 'off', placeholder: 'en', maxlength: 10 });
  const tags = h('input', { name: 'tags', autocomplete: 'off', placeholder: 'comma-separated' });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Add entry');
  const cancel = h('button', { type: 'button', hidden: true, onclick: () => edit(null) }, 'Cancel');
  const formTitle = h('h2', null, 'Add an entry');
  const form = h('form', { class: 'stack-form', id: 'knowledge-form', onsubmit: (e) => { e.preventDefault(); submit(); } },
    field('Title', title), field('Answer', body), field('Questions it answers', questions),
    field('Intent', intent, 'Entries with one intent in several languages answer each other\u2019s customers.'),
    field('Language', lang), field('Tags', tags), h('div', null, save, ' ', cancel));

  const q = h('input', { name: 'q', type: 'search', placeholder: 'What would a customer ask?', autocomplete: 'off' });
  const hits = h('ol', { class: 'hits', id: 'knowledge-hits' });
  const search = h('form', { class: 'inline-form', onsubmit: (e) => { e.preventDefault(); find(); } },
    field('Search as a customer', q), h('button', { type: 'submit' }, 'Search'));

  const format = select({ name: 'format' }, FORMATS, 'text/csv');
  const file = h('textarea', { name: 'import', rows: 5, placeholder: 'question,answer\nWhen do you open?,We open at 9.' });
  const importButton = h('button', { type: 'submit' }, 'Import');
  const report = h('div', { id: 'import-report', role: 'status' });
  const importForm = h('form', { class: 'stack-form', onsubmit: (e) => { e.preventDefault(); importFile(); } },
    field('Format', format), field('File contents', file), importButton, report);

  const tryText = h('input', { name: 'try', autocomplete: 'off', placeholder: 'When do you open?' });
  const answer = h('div', { id: 'try-answer', role: 'status' });
  const tryForm = h('form', { class: 'inline-form', onsubmit: (e) => { e.preventDefault(); tryAgent(e.submitter); } },
    field('Try the agent', tryText), h('button', { type: 'submit' }, 'Ask'));

  const element = h('section', { class: 'page knowledge', 'aria-labelledby': 'knowledge-title' },
    h('h1', { id: 'knowledge-title' }, 'Knowledge'),
    h('p', { class: 'muted' }, 'What the AI answers from in this mode. It answers when it is confident and hands off otherwise.'),
    notice, search, hits, tryForm, answer,
    h('table', { class: 'data' },
      h('thead', null, h('tr', null, ['Title', 'Language', 'Intent', 'State', ''].map((t) => h('th', { scope: 'col' }, t)))),
      list),
    formTitle, form, h('h2', null, 'Import a file'), importForm);

  const act = actions(notice);

  function row(k) {
    return h('tr', { dataset: { id: k.id } },
      h('td', null, h('strong', { dir: 'auto' }, k.title), h('div', { class: 'muted small', dir: 'auto' }, k.body.slice(0, 140))),
      h('td', null, k.lang || '—'), h('td', null, k.intent || '—'), h('td', null, k.enabled ? 'on' : 'off'),
      h('td', { class: 'row-actions' },
        h('button', { type: 'button', onclick: () => edit(k) }, 'Edit'),
        h('button', { type: 'button', onclick: (e) => act(e.currentTarget, 'PATCH', `/v1/knowledge/${k.id}`, { enabled: !k.enabled }, load) },
          k.enabled ? 'Turn off' : 'Turn on'),
        h('button', { type: 'button', class: 'danger', onclick: (e) => {
          if (!window.confirm(`Delete \u201c${k.title}\u201d?`)) return;
          act(e.currentTarget, 'DELETE', `/v1/knowledge/${k.id}`, undefined, load);
        } }, 'Delete')));
  }

  async function load() {
    try {
      const page = await api('GET', `/v1/knowledge${query({ limit: 100 })}`);
      fill(list, page.data.length ? page.data.map(row) : h('tr', null, h('td', { colspan: 5, class: 'muted' }, 'No entries yet.')));
    } catch (error) {
      notice.textContent = explain(error);
    }
  }

  function edit(k) {
    editing = k;
    formTitle.textContent = k ? `Edit \u201c${k.title}\u201d` : 'Add an entry';
    save.textContent = k ? 'Save' : 'Add entry';
    cancel.hidden = !k;
    title.value = k ? k.title : '';
    body.value = k ? k.body : '';
    questions.value = k ? (k.questions || []).join('\n') : '';
    intent.value = k?.intent || '';
    lang.value = k?.lang || '';
    tags.value = k ? (k.tags || []).join(', ') : '';
    if (k) title.focus();
  }

  function submit() {
    const data = {
      title: title.value.trim(), body: body.value.trim(),
      questions: questions.value.split('\n').map((x) => x.trim()).filter(Boolean),
      tags: tags.value.split(',').map((x) => x.trim()).filter(Boolean),
    };
    if (intent.value.trim() || editing) data.intent = intent.value.trim() || null;
    if (lang.value.trim() || editing) data.lang = lang.value.trim() || null;
    const [method, path] = editing ? ['PATCH', `/v1/knowledge/${editing.id}`] : ['POST', '/v1/knowledge'];
    act(save, method, path, data, async () => { edit(null); await load(); });
  }

  async function find() {
    if (!q.value.trim()) { fill(hits); return; }
    try {
      const found = await api('GET', `/v1/knowledge/search${query({ q: q.value.trim(), limit: 5 })}`);
      fill(hits, found.data.length ? found.data.map((k) => h('li', { dataset: { id: k.id } },
        h('span', { class: 'confidence', title: 'How sure the AI would be' }, `${Math.round(k.confidence * 100)}%`), ' ',
        h('strong', { dir: 'auto' }, k.title))) : h('li', { class: 'muted' }, 'Nothing matches: the AI would hand off.'));
    } catch (error) {
      notice.textContent = explain(error);
    }
  }

  function importFile() {
    busy(importButton, async () => {
      fill(report);
      try {
        const result = await api('POST', '/v1/knowledge/import', file.value, format.value);
        file.value = '';
        await load();
        fill(report, h('p', null, `Imported ${result.imported} entries.`));
      } catch (error) {
        const lines = error.body?.errors || [];
        fill(report, h('p', { class: 'error' }, lines.length ? 'Nothing was imported; fix these lines:' : explain(error)),
          lines.length ? h('ul', { class: 'import-errors' }, lines.map((l) => h('li', null, `Line ${l.line}: ${l.message}`))) : null);
      }
    });
  }

  async function tryAgent(button) {
    await busy(button, async () => {
      fill(answer);
      try {
        const agents = await api('GET', `/v1/agents${query({ limit: 100 })}`);
        const agent = agents.data.find((a) => (a.channels || []).includes('web')) || agents.data.find((a) => a.is_default) || agents.data[0];
        if (!agent) { fill(answer, h('p', { class: 'muted' }, 'No agent in this mode yet: create one with POST /v1/agents.')); return; }
        const preview = await api('POST', `/v1/agents/${agent.id}/preview`, { text: tryText.value.trim() });
        const confidence = preview.confidence == null ? '' : ` (confidence ${Math.round(preview.confidence * 100)}%)`;
        fill(answer,
          h('p', { class: 'preview-reply', dir: 'auto' }, preview.reply || '(no reply)'),
          h('p', { class: 'muted small' }, `${agent.name}${confidence}${preview.handoff ? ` \u00b7 would hand off: ${preview.handoff_reason}` : ''}`));
      } catch (error) {
        fill(answer, h('p', { class: 'error' }, explain(error)));
      }
    });
  }

  load();
  return { element, destroy() {} };
}
