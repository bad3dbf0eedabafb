// The chat widget (owners and admins): its look and words in the console's mode, the
// sites it may run on, a live preview, and the snippet for each mode. The business's
// name (the hosted page's heading) is the account's, shared by both modes.

import { actions, api, apiIn, explain, session } from './api.js';
import { field, fill, h, select } from './dom.js';
import { managesWorkspace } from './state.js';
import { forbidden } from './team.js';

const list = (text) => text.split(/[\n,]/).map((x) => x.trim()).filter(Boolean);
const MODES = ['test', 'live'];

/** The embed line for a site key, on this server's address. */
export function snippet(siteKey) {
  return `<script src="${location.origin}/widget.js" data-site-key="${siteKey}" async></script>`;
}

export function createWidget() {
  if (!managesWorkspace()) return { element: forbidden('Widget'), destroy() {} };
  const notice = h('p', { class: 'error', role: 'alert' });
  const saved = h('p', { class: 'muted', role: 'status', id: 'widget-saved' });

  const business = h('input', { name: 'business_name', required: true, maxlength: 200, autocomplete: 'organization' });
  const agentName = h('input', { name: 'agent_name', maxlength: 100, autocomplete: 'off', placeholder: 'the AI agent\u2019s name' });
  const greeting = h('input', { name: 'greeting', maxlength: 500, autocomplete: 'off', placeholder: 'the AI agent\u2019s greeting' });
  const accent = h('input', { name: 'accent_color', type: 'color', value: '#4f46e5' });
  const position = select({ name: 'position' }, [['right', 'Bottom right'], ['left', 'Bottom left']], 'right');
  const requireEmail = h('input', { name: 'require_email', type: 'checkbox' });
  const languages = h('input', { name: 'languages', autocomplete: 'off', placeholder: 'en, ar (empty: follow the page)' });
  const origins = h('textarea', { name: 'allowed_origins', rows: 3, placeholder: 'https://shop.example.com\nhttps://*.example.com' });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save');
  const form = h('form', { class: 'stack-form', id: 'widget-form', onsubmit: (e) => { e.preventDefault(); submit(); } },
    field('Business name', business, 'The hosted chat page\u2019s heading and title, in both modes.'),
    field('Name in the widget', agentName, 'Empty: the AI agent\u2019s name. Replies by people show their own display name.'),
    field('Greeting', greeting), field('Colour', accent), field('Corner', position),
    h('label', { class: 'check' }, requireEmail, ' Ask for an email before the chat starts'),
    field('Languages', languages),
    field('Sites it may run on (one origin a line)', origins, session.mode === 'test'
      ? 'Empty in test mode: any site, for development.'
      : 'Empty in live mode: no site (the hosted chat page always works).'),
    h('div', null, save), saved);

  const snippets = h('div', { class: 'snippets', id: 'widget-snippets' });
  const preview = h('iframe', { id: 'widget-preview', class: 'preview', title: 'Preview of the hosted chat page' });
  const element = h('section', { class: 'page widget-settings', 'aria-labelledby': 'widget-title' },
    h('h1', { id: 'widget-title' }, 'Widget'),
    h('p', { class: 'muted' }, `The chat widget in ${session.mode} mode: how it looks, where it may run, and the line to paste into your site.`),
    notice,
    h('div', { class: 'split' },
      h('div', null, form),
      h('div', null, h('h2', null, 'Preview'),
        h('p', { class: 'muted small' }, 'The hosted chat page with the saved settings. A message sent here starts a real conversation in this mode.'),
        preview)),
    h('h2', null, 'Add it to your site'), snippets);

  const act = actions(notice);
  let current = null;
  let businessName = '';

  function copyButton(text) {
    return h('button', { type: 'button', onclick: async (e) => {
      const button = e.currentTarget;
      try { await navigator.clipboard.writeText(text); button.textContent = 'Copied'; } catch { button.textContent = 'Select and copy'; }
      setTimeout(() => { button.textContent = 'Copy'; }, 1500);
    } }, 'Copy');
  }

  function modeBlock(mode, settings) {
    const here = mode === session.mode;
    const key = settings && settings.site_key;
    const head = h('h3', null, mode === 'test' ? 'Test mode (your development site)' : 'Live mode (your real site)');
    if (!settings) return h('div', { class: 'snippet', dataset: { mode } }, head, h('p', { class: 'muted' }, 'Could not be read.'));
    const parts = [head];
    if (!key) {
      parts.push(h('p', null, 'This mode\u2019s site key was made before Confab kept site keys, so it cannot be shown. Make a new one (the old one stops working).'));
    } else {
      const code = h('textarea', { readonly: true, rows: 2, class: 'code', 'aria-label': `${mode} snippet` });
      code.value = snippet(key);
      parts.push(code, h('div', null, copyButton(code.value), ' ',
        h('a', { href: `/chat/${encodeURIComponent(key)}`, target: '_blank', rel: 'noopener' }, 'Open the hosted chat page')));
    }
    const allowed = settings.allowed_origins || [];
    parts.push(h('p', { class: allowed.length || mode === 'test' ? 'muted small' : 'warning small' },
      allowed.length ? `Runs on: ${allowed.join(', ')}`
        : mode === 'test' ? 'Runs on any site (no origins listed).'
          : 'Runs on no site yet: list your site\u2019s origin in live mode\u2019s settings.'));
    if (here) {
      parts.push(h('button', { type: 'button', class: 'danger', onclick: (e) => {
        if (key && !window.confirm('Make a new site key? The current one stops working at once, on every page that has it.')) return;
        act(e.currentTarget, 'POST', '/v1/settings/widget/site-key', undefined, load);
      } }, 'New site key'));
    } else {
      parts.push(h('p', { class: 'muted small' }, `Switch the console to ${mode} mode (top bar) to change it.`));
    }
    return h('div', { class: 'snippet', dataset: { mode } }, ...parts);
  }

  function show(settings) {
    current = settings;
    agentName.value = settings.agent_name || '';
    greeting.value = settings.greeting || '';
    accent.value = settings.accent_color;
    position.value = settings.position;
    requireEmail.checked = settings.require_email;
    languages.value = (settings.languages || []).join(', ');
    origins.value = (settings.allowed_origins || []).join('\n');
    if (settings.site_key) {
      const src = `/chat/${encodeURIComponent(settings.site_key)}?v=${Date.parse(settings.updated_at || 0) || 0}`;
      if (preview.getAttribute('src') !== src) preview.setAttribute('src', src);
    }
  }

  async function load() {
    try {
      const [account, ...modes] = await Promise.all([api('GET', '/v1/account'),
        ...MODES.map((m) => apiIn(m, 'GET', '/v1/settings/widget').catch(() => null))]);
      businessName = account.workspace.name;
      business.value = businessName;
      const mine = modes[MODES.indexOf(session.mode)];
      if (mine) show(mine);
      fill(snippets, MODES.map((m, i) => modeBlock(m, modes[i])));
    } catch (error) {
      notice.textContent = explain(error);
    }
  }

  function submit() {
    saved.textContent = '';
    const body = {
      agent_name: agentName.value.trim() || null, greeting: greeting.value.trim() || null,
      accent_color: accent.value, position: position.value, require_email: requireEmail.checked,
      languages: list(languages.value), allowed_origins: list(origins.value),
    };
    act(save, 'PUT', '/v1/settings/widget', body, async () => {
      const name = business.value.trim();
      if (name !== businessName) await api('PATCH', '/v1/account', { name });
      await load();
      saved.textContent = 'Saved.';
    });
  }

  load();
  return { element, destroy() {}, get settings() { return current; } };
}
